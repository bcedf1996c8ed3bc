/**
 * A sipp working folder for the early-media scenarios (fixtures/sipp/uas-early-sit.xml,
 * uas-ringback-answer.template.xml): `audio/sit.pcap` (a SIT made with sox, then an espeak-ng
 * intercept announcement, as PCMU RTP for play_pcap_audio), `audio/ringback.wav` (US ring-back,
 * 440+480 Hz 2 s on / 4 s off, 8 kHz mu-law for rtp_stream) and `audio/answer.wav` (the callee:
 * "hello?" then silence). Test-only: runs sox and espeak-ng.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat, silence } from '../../../asr-tts/testing/speech-audio.ts';
import { type SitPattern, sitTones } from '../../../engine/amd/testing/sit-tones.ts';
import { speak, synth, tempDir } from '../../../engine/audio/testing/sox.ts';
import { writeWav } from '../../../engine/audio/wav.ts';
import { rtpPcap } from './rtp-pcap.ts';

const RATE = 8000;

export function earlyMediaWorkDir(sit: SitPattern = 'IC'): string {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-sipp-early-'));
  const audio = join(dir, 'audio');
  mkdirSync(audio);
  const tmp = tempDir('voicebot-early-audio-');
  try {
    const announcement = speak(
      'We are sorry. The number you have dialed is not in service. Please check the number and dial again.',
      RATE,
      tmp,
    );
    const intercept = concat(silence(300, RATE), sitTones(sit, tmp), silence(200, RATE), announcement);
    writeFileSync(join(audio, 'sit.pcap'), rtpPcap(intercept));
    const ring = synth(
      RATE,
      ['synth', '2', 'sine', '440', 'sine', '480', 'remix', '1,2', 'gain', '-12'],
      tmp,
      'ring.raw',
    );
    const mulaw = { encoding: 'mulaw' } as const;
    writeFileSync(join(audio, 'ringback.wav'), writeWav(concat(ring, silence(4000, RATE)), RATE, mulaw));
    const hello = speak('Hello?', RATE, tmp, 'en', 'hello');
    const answer = concat(silence(400, RATE), hello, silence(3000, RATE));
    writeFileSync(join(audio, 'answer.wav'), writeWav(answer, RATE, mulaw));
  } finally {
    tmp.cleanup();
  }
  return dir;
}
