/**
 * SIT detection on early media: every Telcordia pattern and the ITU-T tone (made with sox) at
 * several levels, with pink noise at several SNRs, with and without E.180 gaps between the
 * tones, each followed by an espeak-ng intercept announcement; and call-progress audio that is
 * not a SIT (US/UK ring-back cadences, busy and reorder tones, announcements and voicemail
 * greetings without tones, the AMD fixture set, DTMF, a beep). All through G.711 mu-law at
 * 8 kHz, in 20 ms frames as RTP delivers them. Prints detection rate, code and disposition
 * accuracy, false detections, the delay from the third tone's end to the report, the detector's
 * speed (x real time), node/CPU info and a JSON line.
 *
 *   node --import tsx bench/sit-accuracy.ts [--tonality 0.6]
 *
 * The set is deterministic (sox -R, espeak-ng).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { concat, silence } from '../asr-tts/testing/speech-audio.ts';
import { SitDetector } from '../engine/amd/sit-detector.ts';
import { SIT_EXPECTED, SIT_PATTERNS, type SitPattern, sitTones } from '../engine/amd/testing/sit-tones.ts';
import { generateDtmfSequence } from '../engine/audio/dtmf-generator.ts';
import { toFrames } from '../engine/audio/frame.ts';
import { mulawDecode, mulawEncode } from '../engine/audio/g711.ts';
import { mixInto, rms } from '../engine/audio/pcm.ts';
import { speak, synth, tempDir } from '../engine/audio/testing/sox.ts';
import { readWav } from '../engine/audio/wav.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const { values } = parseArgs({ options: { tonality: { type: 'string' } } });
const options = values.tonality ? { tonality: Number(values.tonality) } : {};
const RATE = 8000;
const dir = tempDir('voicebot-bench-sit-');
const g711 = (s: Int16Array) => mulawDecode(mulawEncode(s));

/** Adds pink noise whose RMS is `snrDb` below the RMS of `reference` (measured, not assumed). */
function withPink(samples: Int16Array, reference: Int16Array, snrDb: number): Int16Array {
  const noise = synth(RATE, ['synth', String(samples.length / RATE), 'pinknoise'], dir, 'n.raw');
  const out = samples.slice();
  mixInto(out, noise, rms(reference) / rms(noise) / 10 ** (snrDb / 20));
  return out;
}
function cadence(freqs: number[], onMs: number, offMs: number, cycles: number, name: string): Int16Array {
  const sines = freqs.flatMap((f) => ['sine', String(f)]);
  const on = synth(
    RATE,
    ['synth', String(onMs / 1000), ...sines, ...(freqs.length > 1 ? ['remix', '1,2'] : []), 'gain', '-12'],
    dir,
    name,
  );
  return concat(...Array.from({ length: cycles }, () => concat(on, silence(offMs, RATE))));
}

const announcements = [
  'We are sorry. The number you have dialed is not in service. Please check the number and dial again.',
  'All circuits are busy now. Please try your call again later.',
  'The number you have reached has been changed. The new number is 5 5 5, 0 1 4 3.',
].map((t, i) => speak(t, RATE, dir, 'en-us', `ann${i}`));

interface Clip {
  name: string;
  /** SNR group for the breakdown ('clean' or '<n> dB'). */
  snr?: string;
  samples: Int16Array;
  pattern?: SitPattern;
  /** Media time where the third tone ends. */
  sitEndMs?: number;
}

const clips: Clip[] = [];
for (const pattern of Object.keys(SIT_PATTERNS) as SitPattern[]) {
  for (const dbfs of [-10, -20, -30]) {
    for (const snr of [null, 20, 10, 5, 0]) {
      for (const gapMs of [0, 30]) {
        const lead = silence(400, RATE);
        const tones = sitTones(pattern, dir, { dbfs, gapMs });
        const ann = announcements[clips.length % announcements.length]!;
        let samples = concat(lead, tones, silence(250, RATE), ann);
        // SNR against the tones' level, noise over the whole clip.
        if (snr !== null) samples = withPink(samples, tones, snr);
        clips.push({
          name: `${pattern} ${dbfs} dBFS${snr === null ? '' : ` snr ${snr}`}${gapMs ? ` gap ${gapMs}` : ''}`,
          samples,
          pattern,
          snr: snr === null ? 'clean' : `${snr} dB`,
          sitEndMs: ((lead.length + tones.length) * 1000) / RATE,
        });
      }
    }
  }
}
const GREETINGS = [
  "Hi, you've reached Sam. I can't take your call right now. Please leave a message after the tone.",
  'The person you are calling is not available. Please leave a message.',
  'Thank you for calling. Your call is important to us. Please stay on the line.',
  'Hello? Hello, who is this? Yes, speaking.',
  'Welcome. Para espanol, oprima dos. Please hold while we connect your call.',
];
const VOICES = ['en-us', 'en-us+f3', 'en-gb', 'en-us+m3', 'en-gb+f2', 'en-us+f4'];
const speech = GREETINGS.flatMap((text, i) =>
  VOICES.map((voice, j) => ({
    name: `speech ${i} ${voice}`,
    samples: speak(text, RATE, dir, voice, `g${i}-${j}`),
  })),
);
const amdSet = join(import.meta.dirname, '../fixtures/amd/set');
const negatives: Clip[] = [
  { name: 'US ring-back (440+480, 2 s / 4 s)', samples: cadence([440, 480], 2000, 4000, 3, 'us.raw') },
  { name: 'UK ring-back (400+450, .4/.2/.4/2 s)', samples: cadence([400, 450], 400, 200, 12, 'uk.raw') },
  { name: 'US busy (480+620, .5/.5 s)', samples: cadence([480, 620], 500, 500, 8, 'busy.raw') },
  { name: 'US reorder (480+620, .25/.25 s)', samples: cadence([480, 620], 250, 250, 16, 'reorder.raw') },
  { name: 'European ring-back (425 Hz, 1/4 s)', samples: cadence([425], 1000, 4000, 3, 'eu.raw') },
  { name: '1000 Hz beep (0.5 s)', samples: cadence([1000], 500, 1000, 1, 'beep.raw') },
  { name: '1400 Hz tone (1 s)', samples: cadence([1400], 1000, 500, 1, 'hi.raw') },
  { name: 'DTMF 0-9 * #', samples: generateDtmfSequence('0123456789*#') },
  ...announcements.map((samples, i) => ({ name: `announcement ${i} without SIT`, samples })),
  ...speech,
  ...readdirSync(amdSet)
    .filter((f) => f.endsWith('.wav'))
    .map((f) => ({ name: `amd fixture ${f}`, samples: readWav(readFileSync(join(amdSet, f))).samples })),
];

let detected = 0;
let codeRight = 0;
let dispositionRight = 0;
const delays: number[] = [];
const misses: string[] = [];
const falses: string[] = [];
const bySnr: Record<string, { clips: number; detected: number }> = {};
let audioMs = 0;
let cpuMs = 0;
for (const clip of [...clips, ...negatives]) {
  const d = new SitDetector(options);
  const frames = [...toFrames(g711(clip.samples), RATE)];
  audioMs += frames.length * 20;
  const t0 = performance.now();
  let event = null;
  for (const f of frames) {
    const ev = d.push(f);
    if (ev && !event) event = { ev, atMs: f.timestampMs + 20 };
  }
  cpuMs += performance.now() - t0;
  if (!clip.pattern) {
    if (event) falses.push(`${clip.name} -> ${event.ev.code}`);
    continue;
  }
  const snrKey = clip.snr ?? 'clean';
  bySnr[snrKey] ??= { clips: 0, detected: 0 };
  const group = bySnr[snrKey];
  group.clips++;
  if (!event) {
    misses.push(clip.name);
    continue;
  }
  detected++;
  group.detected++;
  const [code, disposition] = SIT_EXPECTED[clip.pattern];
  if (event.ev.code === code) codeRight++;
  else misses.push(`${clip.name} -> ${event.ev.code}`);
  if (event.ev.disposition === disposition) dispositionRight++;
  delays.push(event.atMs - clip.sitEndMs!);
}
dir.cleanup();

const result = {
  bench: 'sit-accuracy',
  options: new SitDetector(options).options,
  machine: machineInfo(),
  sitClips: clips.length,
  detected,
  codeAccuracy: round(codeRight / clips.length, 4),
  dispositionAccuracy: round(dispositionRight / clips.length, 4),
  detectedBySnr: bySnr,
  nonSitClips: negatives.length,
  falseDetections: falses.length,
  reportDelayAfterThirdToneMs: {
    p50: percentile(delays, 50),
    p95: percentile(delays, 95),
    max: Math.max(...delays),
  },
  speedXRealtime: round(audioMs / cpuMs, 0),
  misses,
  falses,
};
console.log(
  `SIT clips: ${detected}/${clips.length} detected, code ${codeRight}, disposition ${dispositionRight}`,
);
console.log(`non-SIT clips: ${negatives.length}, false detections: ${falses.length}`);
console.log(
  `report delay after the third tone: p50 ${result.reportDelayAfterThirdToneMs.p50} ms, max ${result.reportDelayAfterThirdToneMs.max} ms; ${result.speedXRealtime}x real time`,
);
for (const [snr, g] of Object.entries(bySnr)) console.log(`  ${snr.padEnd(6)} ${g.detected}/${g.clips}`);
for (const m of misses.slice(0, 20)) console.log(`  miss: ${m}`);
for (const f of falses) console.log(`  false: ${f}`);
console.log(JSON.stringify(result));
