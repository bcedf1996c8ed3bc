/**
 * `voicebot campaign create / start / export` as real CLI processes over real carriers:
 *
 * - `--carrier sip`: the engine's SIP edge calls sipp (fixtures/sipp/uas-campaign.xml), which
 *   plays four callees by the dialed number: a person who says "hello?" and presses 1, a
 *   voicemail greeting with a beep, busy (486) and no answer (480 after ringing).
 * - `--carrier twilio`: the engine posts to the local stand-in for Twilio's REST API
 *   (telephony/carriers/twilio/testing/fake-twilio-api.ts), which sends signed status callbacks
 *   and opens a real Media Stream to the engine for answered calls.
 *
 * Answered calls run the session runner (AMD, voicemail drop after the beep, the
 * appointment-reminder script on espeak-ng, pocketsphinx and WebRTC VAD). Checked: the dialer's
 * summary table, the stored results through `campaign export`, the call record of the person.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, silence } from '../../../asr-tts/testing/speech-audio.ts';
import { FakeTwilioApi } from '../../../telephony/carriers/twilio/testing/fake-twilio-api.ts';
import { calleeWorkDir } from '../../../telephony/sip/testing/callee-audio.ts';
import { freeUdpPort, requireBinary, sippScenario, startSipp } from '../../../telephony/sip/testing/peers.ts';
import { readWav } from '../../audio/wav.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import type { ResultRecord } from '../../campaigns/export/results-export.ts';

requireBinary('sipp', 'sip-tester');
requireBinary('espeak-ng', 'espeak-ng');

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/voicebot.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vb-campaign-carriers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (db: string, ...args: string[]) =>
  run(process.execPath, [bin, 'campaign', ...args, '--db', db], {
    timeout: 150_000,
    maxBuffer: 16 << 20,
    env: { ...process.env, DATABASE_URL: '', VOICEBOT_CONFIG: '' },
  });

const VOICEMAIL = 'Hello, this is Sunshine Clinic reminding you of your appointment. Please call us back.';
const fixture = (name: string) =>
  readWav(readFileSync(join(import.meta.dirname, '../../../fixtures/amd/set', name))).samples;

/** A reminder campaign on one trunk; busy and no-answer are not retried so `start` returns. */
function writeCampaign(id: string, trunk: string, numbers: string[]): { spec: string; contacts: string } {
  const spec = join(dir, `${id}.yaml`);
  writeFileSync(
    spec,
    [
      `id: ${id}`,
      'name: Appointment reminders',
      'scriptId: appointment-reminder',
      'callerId: "+14155550100"',
      'window: { start: "00:00", end: "24:00", days: [sun, mon, tue, wed, thu, fri, sat] }',
      `trunks: [{ name: ${trunk}, cps: 10, maxConcurrent: 4 }]`,
      `amd: { mode: voicemail, voicemailPrompt: "${VOICEMAIL}" }`,
      'retry: { busy: { retry: false }, no-answer: { retry: false } }',
      '',
    ].join('\n'),
  );
  const contacts = join(dir, `${id}.csv`);
  writeFileSync(
    contacts,
    `phone,firstName,appointmentDate\n${numbers.map((n) => `${n},Ann,Monday the 30th`).join('\n')}\n`,
  );
  return { spec, contacts };
}

async function exported(db: string, id: string): Promise<Map<string, ResultRecord>> {
  const rows = JSON.parse((await cli(db, 'export', id, '--format', 'json')).stdout) as ResultRecord[];
  return new Map(rows.map((r) => [r.e164, r]));
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('voicebot campaign start over real carriers', () => {
  it('--carrier sip against sipp: person confirms by key, voicemail left after the beep, busy, no answer', async () => {
    const work = calleeWorkDir();
    const sipPort = await freeUdpPort();
    const sipp = startSipp(
      ['-sf', sippScenario('uas-campaign.xml'), '-i', '127.0.0.1', '-p', String(sipPort)].concat([
        '-mp',
        String(await freeUdpPort()),
        '-m',
        '4',
      ]),
      { cwd: work, timeoutMs: 140_000 },
    );
    try {
      const db = join(dir, 'sip.db');
      const callsDir = join(dir, 'sip-calls');
      const config = join(dir, 'sip.yaml');
      writeFileSync(
        config,
        [
          'host: 127.0.0.1',
          'port: 0',
          'logLevel: warn',
          'auth: { mode: none }',
          'sip: { enabled: true, host: 127.0.0.1, port: 0, rtpPortMin: 0 }',
          `session: { callsDir: ${JSON.stringify(callsDir)} }`,
          `campaigns: { sipTarget: "sip:{to}@127.0.0.1:${sipPort}" }`,
          '',
        ].join('\n'),
      );
      const numbers = {
        person: '+12125550101',
        machine: '+12125550102',
        busy: '+12125550103',
        none: '+12125550104',
      };
      const { spec, contacts } = writeCampaign('sipc', 'sip', Object.values(numbers));
      expect((await cli(db, 'create', spec, '--contacts', contacts)).stdout).toContain(
        '4 imported, 0 rejected',
      );

      const started = await cli(db, 'start', 'sipc', '--carrier', 'sip', '--config', config);
      expect(started.stdout).toMatch(/campaign sipc: done after/);
      for (const d of ['answered', 'voicemail-left', 'busy', 'no-answer'])
        expect(started.stdout).toMatch(new RegExp(`${d}\\s+1\\s+25\\.0%`));

      const rows = await exported(db, 'sipc');
      expect(rows.get(numbers.person)).toMatchObject({
        status: 'done',
        disposition: 'answered',
        attempts: 1,
      });
      expect(rows.get(numbers.person)!.answers).toMatchObject({ amd: 'HUMAN', outcome: 'confirmed' });
      const record = JSON.parse(readFileSync(rows.get(numbers.person)!.transcriptRef!, 'utf8')) as CallRecord;
      expect(
        record.transcript.some((t) => t.side === 'caller' && t.source === 'dtmf' && t.text === '1'),
      ).toBe(true);
      const machine = rows.get(numbers.machine)!;
      expect(machine).toMatchObject({ disposition: 'voicemail-left', attempts: 1 });
      expect(machine.answers).toMatchObject({ amd: 'MACHINE', voicemail: { left: true } });
      expect(rows.get(numbers.busy)).toMatchObject({ status: 'done', disposition: 'busy', attempts: 1 });
      expect(rows.get(numbers.none)).toMatchObject({ status: 'done', disposition: 'no-answer', attempts: 1 });

      const peer = await sipp.done;
      expect(peer.code, peer.stdout + peer.stderr).toBe(0); // 4 calls, every scenario branch passed
      expect(peer.stdout).toMatch(/Successful call\s+\|\s+\d+\s+\|\s+4/);
    } finally {
      sipp.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);

  it('--carrier twilio against the local Twilio stand-in: voicemail, busy, no answer, 404 invalid', async () => {
    const account = 'AC0123456789abcdef0123456789abcdef';
    const token = 'cli-test-auth-token-0123456789';
    const numbers = {
      machine: '+12125550201',
      busy: '+12125550202',
      none: '+12125550203',
      gone: '+12125550204',
    };
    const greeting = concat(fixture('machine-greeting-beep.wav'), silence(10_000, 8000));
    const api = await new FakeTwilioApi({
      accountSid: account,
      authToken: token,
      behaviour: (to) =>
        to === numbers.machine
          ? { kind: 'answer', audio: greeting, ringMs: 300 }
          : to === numbers.busy
            ? { kind: 'busy', ringMs: 200 }
            : to === numbers.none
              ? { kind: 'no-answer', ringMs: 500 }
              : { kind: 'failed', sipResponseCode: 404 },
    }).start();
    try {
      const port = await freeTcpPort();
      const db = join(dir, 'twilio.db');
      const config = join(dir, 'twilio.yaml');
      writeFileSync(
        config,
        [
          'host: 127.0.0.1',
          `port: ${port}`,
          `publicUrl: http://127.0.0.1:${port}`,
          'logLevel: warn',
          `auth: { mode: twilio, twilioAuthToken: ${token} }`,
          `gateway: { twilioApiBaseUrl: "${api.url}" }`,
          `session: { callsDir: ${JSON.stringify(join(dir, 'twilio-calls'))} }`,
          `campaigns: { twilioAccountSid: ${account} }`,
          '',
        ].join('\n'),
      );
      const { spec, contacts } = writeCampaign('twc', 'twilio', Object.values(numbers));
      await cli(db, 'create', spec, '--contacts', contacts);

      const started = await cli(db, 'start', 'twc', '--carrier', 'twilio', '--config', config);
      expect(started.stdout).toMatch(/campaign twc: done after/);

      const rows = await exported(db, 'twc');
      expect(rows.get(numbers.machine)).toMatchObject({ disposition: 'voicemail-left', attempts: 1 });
      expect(rows.get(numbers.machine)!.answers).toMatchObject({ amd: 'MACHINE', voicemail: { left: true } });
      expect(rows.get(numbers.busy)).toMatchObject({ status: 'done', disposition: 'busy' });
      expect(rows.get(numbers.none)).toMatchObject({ status: 'done', disposition: 'no-answer' });
      expect(rows.get(numbers.gone)).toMatchObject({ status: 'done', disposition: 'invalid' });
      // What Twilio was asked: a Media Stream back to this engine, status callbacks, the caller ID.
      expect(api.calls).toHaveLength(4);
      const form = api.calls.find((c) => c.form.get('To') === numbers.machine)!.form;
      expect(form.get('From')).toBe('+14155550100');
      expect(form.get('Twiml')).toContain(`<Stream url="ws://127.0.0.1:${port}/twilio"`);
      expect(form.get('StatusCallback')).toBe(`http://127.0.0.1:${port}/twilio/status`);
      expect(api.calls.find((c) => c.form.get('To') === numbers.machine)!.statuses).toContain('completed');
    } finally {
      await api.close();
    }
  }, 180_000);
});
