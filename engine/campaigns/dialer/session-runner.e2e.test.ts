/**
 * A campaign end to end over real audio: the dialer on SQLite claims the contacts, the sim
 * carrier's personas answer through the engine's WebSocket gateway, and the session runner runs
 * AMD, the voicemail drop after the beep, or the appointment-reminder script (espeak-ng TTS,
 * pocketsphinx, WebRTC VAD, the deterministic NLU). Callees answer with keys, so the recognizer
 * cannot make the test flaky. Checked: the stored results, the DNC list and the export.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import { PocketsphinxAsr } from '../../../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { WebRtcVad } from '../../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import { type PersonaInput, parsePersona } from '../../../telephony/carriers/sim/persona.ts';
import { type SimEngine, startSimEngine } from '../../../telephony/carriers/sim/testing/sim-engine.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { exportResults, type ResultRecord } from '../export/results-export.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { newYorkContact, seedRunningCampaign } from '../store/testing/running-campaign.ts';
import type { CampaignStore } from '../store/types.ts';
import { Dialer } from './dialer.ts';
import { sessionRunner } from './session-runner.ts';
import type { DialerEvent } from './types.ts';

const human = (name: string, keys: string): PersonaInput => ({
  name,
  answerRate: 1,
  ringMs: { min: 300, max: 600 },
  // Long enough that the reminder's disclosure and its question count as one prompt.
  human: {
    delayMs: 300,
    greeting: 'hello?',
    replies: [{ dtmf: keys }],
    promptGapMs: 1500,
    maxCallMs: 45_000,
  },
});
const personas = [
  human('confirms', '1'),
  human('opts-out', '9'),
  {
    name: 'machine',
    answerRate: 1,
    machineRate: 1,
    ringMs: { min: 300, max: 600 },
    voicemail: {
      greeting:
        'Hi, you have reached Sam. I cannot take your call right now. Please leave a message after the tone.',
      beepHz: 1000,
      beepMs: 500,
      recordMs: 25_000,
    },
  },
  { name: 'busy', busyRate: 1, answerRate: 0, ringMs: { min: 100, max: 200 } },
].map((p, i) => parsePersona(p, `persona ${i}`));

const NUMBERS = {
  confirms: '+12125550101',
  optsOut: '+12125550102',
  machine: '+12125550103',
  busy: '+12125550104',
};
const VOICEMAIL =
  'Hello, this is Sunshine Clinic reminding you of your appointment. Please call us back. Goodbye.';

let sim: SimEngine;
let store: CampaignStore;
let asr: PocketsphinxAsr;
let callsDir: string;

beforeAll(async () => {
  sim = await startSimEngine({ personas, seed: 3 });
  asr = new PocketsphinxAsr({ workers: 1 });
  await asr.warmUp();
  callsDir = mkdtempSync(join(tmpdir(), 'voicebot-campaign-calls-'));
  store = await SqliteCampaignStore.open(':memory:');
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await asr?.close?.();
  await store?.close();
  if (callsDir) rmSync(callsDir, { recursive: true, force: true });
});

describe('campaign over the sim carrier with the session runner', () => {
  it('confirms, opts out onto the DNC list, leaves a voicemail after the beep, retries busy', async () => {
    const contact = (e164: string, persona: string) =>
      newYorkContact(e164, { firstName: 'Ann', appointmentDate: 'Monday the 30th', persona });
    await seedRunningCampaign(
      store,
      {
        id: 'reminders',
        name: 'Appointment reminders',
        scriptId: 'appointment-reminder',
        callerId: '+14155550100',
        calleeLimits: [{ maxAttempts: 5, periodMs: 86_400_000 }],
        retry: { busy: { retry: true, backoffMs: 300, maxAttempts: 2 } },
        trunks: [{ name: 'sim', cps: 20, maxConcurrent: 4 }],
        amd: { mode: 'voicemail', voicemailPrompt: VOICEMAIL },
      },
      [
        contact(NUMBERS.confirms, 'confirms'),
        contact(NUMBERS.optsOut, 'opts-out'),
        contact(NUMBERS.machine, 'machine'),
        contact(NUMBERS.busy, 'busy'),
      ],
      Date.now(),
    );

    const log = createRootLogger({ level: 'silent' });
    const events: DialerEvent[] = [];
    const dncAtCallEnd: boolean[] = [];
    const dialer = new Dialer({
      store,
      campaignId: 'reminders',
      workerId: 'e2e',
      carrier: sim.carrier,
      exitWhenDone: true,
      tickMs: 100,
      idleMaxMs: 200,
      onEvent: (e) => events.push(e),
      runCall: async (leg, ctx) => {
        const outcome = await runner(leg, ctx);
        if (outcome.disposition === 'opt-out')
          dncAtCallEnd.push((await store.dncMatches([ctx.contact.e164])).has(ctx.contact.e164));
        return outcome;
      },
    });
    const runner = sessionRunner({
      callsDir,
      asr,
      tts: new EspeakTts(),
      createVad: () => WebRtcVad.create(),
      nlu: new DeterministicNlu(),
      log,
      metrics: new Metrics(),
      recordAudio: true,
      beepTimeoutMs: 20_000,
    });
    const summary = await dialer.run();
    expect(summary.finalStatus).toBe('done');

    let json = '';
    for await (const chunk of exportResults(store, 'reminders', 'json')) json += chunk;
    const rows = JSON.parse(json) as ResultRecord[];
    const by = (e164: string) => rows.find((r) => r.e164 === e164)!;
    expect(rows).toHaveLength(4);

    const confirmed = by(NUMBERS.confirms);
    expect(confirmed).toMatchObject({ status: 'done', disposition: 'answered', attempts: 1 });
    expect(confirmed.answers).toMatchObject({
      amd: 'HUMAN',
      outcome: 'confirmed',
      slots: { choice: 'confirm' },
    });
    const record = JSON.parse(readFileSync(confirmed.transcriptRef!, 'utf8')) as CallRecord;
    expect(record.outcome?.status).toBe('confirmed');
    expect(record.transcript.some((t) => t.side === 'bot' && t.text?.includes('Hello Ann'))).toBe(true);
    expect(record.transcript.some((t) => t.side === 'caller' && t.source === 'dtmf' && t.text === '1')).toBe(
      true,
    );
    expect(existsSync(confirmed.recordingPath!)).toBe(true);

    const optedOut = by(NUMBERS.optsOut);
    expect(optedOut).toMatchObject({ status: 'done', disposition: 'opt-out', attempts: 1 });
    expect(optedOut.answers).toMatchObject({ outcome: 'opted-out' });
    expect(dncAtCallEnd).toEqual([true]);
    expect(await store.dncMatches(Object.values(NUMBERS))).toEqual(new Set([NUMBERS.optsOut]));

    const machine = by(NUMBERS.machine);
    expect(machine).toMatchObject({ status: 'done', disposition: 'voicemail-left', attempts: 1 });
    const vm = machine.answers?.voicemail as { left: boolean; beep: { endMs: number }; messageMs: number };
    expect(machine.answers?.amd).toBe('MACHINE');
    expect(vm.left).toBe(true);
    expect(vm.beep.endMs).toBeGreaterThan(3000); // after the spoken greeting
    expect(vm.messageMs).toBeGreaterThan(3000);

    const busy = by(NUMBERS.busy);
    expect(busy).toMatchObject({ status: 'done', disposition: 'busy', attempts: 2 });
    const busyResults = events.filter((e) => e.type === 'call.result' && e.disposition === 'busy');
    expect(busyResults).toHaveLength(2);

    let csv = '';
    for await (const chunk of exportResults(store, 'reminders', 'csv')) csv += chunk;
    expect(csv.split('\n')[0]).toBe(
      'contactId,e164,status,disposition,attempts,answers,transcriptRef,recordingPath,lastAttemptAt,reason',
    );
    expect(csv).toContain(`${NUMBERS.machine},done,voicemail-left,1,`);
  }, 60_000);
});
