/**
 * A sipp working folder with the callee audio the UAS scenarios play (paths relative to it):
 * `audio/ringback.wav` (US ring-back, 440+480 Hz 2 s on / 4 s off, made with sox),
 * `audio/answer.wav` (a person: "hello?" then silence, fixtures/amd/set/human-hello.wav),
 * `audio/machine.wav` (a voicemail greeting, its beep, then 10 s of recording silence,
 * fixtures/amd/set/machine-greeting-beep.wav), all 8 kHz mu-law for rtp_stream; with `sit`,
 * `audio/sit.pcap` (that SIT made with sox, then an espeak-ng intercept announcement, as PCMU
 * RTP for play_pcap_audio); `audio/key1-{a,b,c}.pcap`, three RFC 4733 presses of 1 with
 * their own RTP timestamps (a receiver takes one pcap replayed twice for a retransmission);
 * and `pcap/` links to sipp's RFC 4733 digit pcaps.
 * Test-only: runs sox and espeak-ng.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, silence } from '../../../asr-tts/testing/speech-audio.ts';
import { type SitPattern, sitTones } from '../../../engine/amd/testing/sit-tones.ts';
import { speak, synth, tempDir } from '../../../engine/audio/testing/sox.ts';
import { readWav, writeWav } from '../../../engine/audio/wav.ts';
import { SIPP_PCAPS } from './peers.ts';
import { dtmfPcap, rtpPcap } from './rtp-pcap.ts';

const RATE = 8000;
const AMD_SET = join(import.meta.dirname, '../../../fixtures/amd/set');

const fixture = (name: string) => readWav(readFileSync(join(AMD_SET, name))).samples;

export function calleeWorkDir(options: { sit?: SitPattern } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-sipp-callee-'));
  const audio = join(dir, 'audio');
  mkdirSync(audio);
  mkdirSync(join(dir, 'pcap'));
  for (const f of readdirSync(SIPP_PCAPS))
    if (f.endsWith('.pcap')) symlinkSync(join(SIPP_PCAPS, f), join(dir, 'pcap', f));
  const mulaw = (name: string, samples: Int16Array) =>
    writeFileSync(join(audio, name), writeWav(samples, RATE, { encoding: 'mulaw' }));
  const tmp = tempDir('voicebot-callee-audio-');
  try {
    const ring = synth(
      RATE,
      ['synth', '2', 'sine', '440', 'sine', '480', 'remix', '1,2', 'gain', '-12'],
      tmp,
      'ring.raw',
    );
    mulaw('ringback.wav', concat(ring, silence(4000, RATE)));
    mulaw('answer.wav', fixture('human-hello.wav'));
    for (const [i, press] of ['a', 'b', 'c'].entries())
      writeFileSync(join(audio, `key1-${press}.pcap`), dtmfPcap('1', { timestamp: 8000 * (i + 1) }));
    mulaw('machine.wav', concat(fixture('machine-greeting-beep.wav'), silence(10_000, RATE)));
    if (options.sit) {
      const announcement = speak(
        'We are sorry. The number you have dialed is not in service. Please check the number and dial again.',
        RATE,
        tmp,
      );
      const intercept = concat(
        silence(300, RATE),
        sitTones(options.sit, tmp),
        silence(200, RATE),
        announcement,
      );
      writeFileSync(join(audio, 'sit.pcap'), rtpPcap(intercept));
    }
  } finally {
    tmp.cleanup();
  }
  return dir;
}
