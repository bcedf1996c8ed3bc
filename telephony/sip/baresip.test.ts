import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HangupEvent } from '../call-leg.ts';
import { analyse, requireBinary, tone } from './testing/peers.ts';
import { SipUserAgent } from './user-agent.ts';

// Second independent peer: baresip (headless, audio from a WAV file via aufile, received audio
// dumped to WAV by sndfile) calls voicebot over loopback.
requireBinary('baresip', 'baresip');
requireBinary('espeak-ng', 'espeak-ng');

const dir = mkdtempSync(join(tmpdir(), 'voicebot-baresip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function baresipConfig(): string {
  const cfg = join(dir, 'cfg');
  mkdirSync(cfg, { recursive: true });
  mkdirSync(join(dir, 'dump'), { recursive: true });
  execFileSync('espeak-ng', ['-w', join(dir, 'speech.wav'), 'Hi, this is baresip calling the bot.']);
  execFileSync('sox', [
    join(dir, 'speech.wav'),
    '-r',
    '8000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    join(dir, 'in.wav'),
  ]);
  writeFileSync(
    join(cfg, 'config'),
    [
      'sip_listen 127.0.0.1:0',
      'sip_transports udp',
      'audio_player aufile,/dev/null',
      `audio_source aufile,${join(dir, 'in.wav')}`,
      'audio_alert aufile,/dev/null',
      'ausrc_srate 8000',
      'auplay_srate 8000',
      'ausrc_channels 1',
      'auplay_channels 1',
      'module_path /usr/lib/baresip/modules',
      'module stdio.so',
      'module g711.so',
      'module aufile.so',
      'module sndfile.so',
      'module_app account.so',
      'module_app menu.so',
      `snd_path ${join(dir, 'dump')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(cfg, 'accounts'), '<sip:tester@127.0.0.1>;regint=0;audio_codecs=PCMU\n');
  return cfg;
}

describe('baresip calls voicebot', () => {
  it('connects with audio both ways: we hear its speech, it records our 440 Hz tone', async () => {
    const cfg = baresipConfig();
    const ua = await SipUserAgent.start({ port: 0 });
    try {
      const heard: Int16Array[] = [];
      const ended = new Promise<HangupEvent>((resolve) => {
        ua.onCall = (leg) => {
          leg.on('audio', (f) => heard.push(f.samples));
          leg.once('hangup', resolve);
          leg.sendAudio({ samples: tone(440, 1500), sampleRate: 8000, timestampMs: 0 });
          setTimeout(() => leg.hangup('test over'), 2500);
        };
      });
      const run = new Promise<string>((resolve) =>
        execFile(
          'baresip',
          ['-f', cfg, '-e', `/dial sip:bot@127.0.0.1:${ua.endpoint.port}`, '-t', '5'],
          { timeout: 15_000 },
          (_err, stdout, stderr) => resolve(stdout + stderr),
        ),
      );
      expect(await ended).toEqual({ reason: 'bot', detail: 'test over' });
      const out = await run;
      expect(out).toMatch(/Call established/);
      expect(ua.ports.inUse).toBe(0);
      // We heard baresip's espeak-ng speech.
      const level = heard.reduce((sum, f) => sum + analyse(f).level, 0) / Math.max(1, heard.length);
      expect(heard.length).toBeGreaterThan(60);
      expect(level).toBeGreaterThan(300);
      // baresip decoded our tone (its sndfile dump of the received audio).
      const dec = readdirSync(join(dir, 'dump')).find((f) => f.endsWith('-dec.wav'));
      expect(dec, out).toBeDefined();
      const raw = execFileSync('sox', [
        join(dir, 'dump', dec!),
        '-t',
        'raw',
        '-e',
        'signed-integer',
        '-b',
        '16',
        '-r',
        '8000',
        '-c',
        '1',
        '-',
      ]);
      const samples = new Int16Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 2));
      const first = samples.subarray(0, 8000); // the first second is our tone
      const a = analyse(first.filter((s) => s !== 0));
      expect(a.level).toBeGreaterThan(3000);
      expect(Math.abs(a.frequencyHz - 440)).toBeLessThan(40);
    } finally {
      await ua.close();
    }
  });
});
