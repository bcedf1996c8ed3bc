import { afterAll, describe, expect, it } from 'vitest';
import { VoicebotError } from '../errors.ts';
import { DtmfDetector, type DtmfEvent, detectDtmf } from './dtmf-detector.ts';
import { generateDtmfSequence } from './dtmf-generator.ts';
import { DTMF_DIGITS, type DtmfDigit, dtmfFrequencies } from './dtmf-tones.ts';
import type { SampleRate } from './frame.ts';
import { g711Decode, g711Encode } from './g711.ts';
import { applyGain, dbToGain, mixInto, rms } from './pcm.ts';
import { resample } from './resample.ts';
import { speak, synth, tempDir } from './testing/sox.ts';

const dir = tempDir();
afterAll(() => dir.cleanup());

const KEYS = [...DTMF_DIGITS] as DtmfDigit[];

/** A key's dual tone made by sox, normalised to `peakDb` dBFS peak; `scale` shifts both tones. */
const keyCache = new Map<string, Int16Array>();
/** sox makes each tone once at -1 dBFS peak; other levels are that tone scaled (exact linear gain). */
function soxKey(key: DtmfDigit, ms: number, peakDb: number, rate: SampleRate = 8000, scale = 1): Int16Array {
  const id = [key, ms, rate, scale].join();
  let tone = keyCache.get(id);
  if (!tone) {
    tone = soxKeyUncached(key, ms, -1, rate, scale);
    keyCache.set(id, tone);
  }
  return applyGain(tone, dbToGain(peakDb + 1), new Int16Array(tone.length));
}

function soxKeyUncached(
  key: DtmfDigit,
  ms: number,
  peakDb: number,
  rate: SampleRate,
  scale: number,
): Int16Array {
  const [lo, hi] = dtmfFrequencies(key);
  const len = String(ms / 1000);
  return synth(
    rate,
    [
      'synth',
      len,
      'sine',
      String(lo * scale),
      'synth',
      len,
      'sine',
      'mix',
      String(hi * scale),
      'gain',
      '-n',
      String(peakDb),
    ],
    dir,
  );
}

function silence(ms: number, rate: SampleRate = 8000): Int16Array {
  return new Int16Array((ms * rate) / 1000);
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Keys separated by `gapMs` of silence, with 100 ms lead-in and tail. */
function keySequence(
  keys: DtmfDigit[],
  toneMs: number,
  gapMs: number,
  peakDb: number,
  rate: SampleRate = 8000,
) {
  const parts: Int16Array[] = [silence(100, rate)];
  for (const k of keys) parts.push(soxKey(k, toneMs, peakDb, rate), silence(gapMs, rate));
  parts.push(silence(100, rate));
  return concat(parts);
}

/** Adds sox white noise `snrDb` below the signal's RMS (measured over its non-silent part). */
function addNoise(signal: Int16Array, snrDb: number, rate: SampleRate = 8000): Int16Array {
  let sum = 0;
  let n = 0;
  for (const s of signal)
    if (s !== 0) {
      sum += s * s;
      n++;
    }
  const sigRms = Math.sqrt(sum / n);
  const noise = synth(
    rate,
    ['synth', String(signal.length / rate), 'whitenoise', 'vol', '0.5'],
    dir,
    'noise.raw',
  );
  const out = signal.slice();
  mixInto(out, noise.subarray(0, out.length), sigRms / 10 ** (snrDb / 20) / rms(noise));
  return out;
}

const digits = (events: { digit: string }[]) => events.map((e) => e.digit).join('');

describe('DTMF detector: detection', () => {
  it.each([-1, -10, -20, -30])(
    'detects all 16 keys from sox dual tones at %i dBFS peak (16/16)',
    (peakDb) => {
      const x = keySequence(KEYS, 60, 60, peakDb);
      expect(digits(detectDtmf(x))).toBe(DTMF_DIGITS);
    },
  );

  it.each([-3, -20])('detects all 16 keys with white noise at 20 dB SNR (%i dBFS peak)', (peakDb) => {
    const x = addNoise(keySequence(KEYS, 60, 60, peakDb), 20);
    expect(digits(detectDtmf(x))).toBe(DTMF_DIGITS);
  });

  it.each(['mulaw', 'alaw'] as const)(
    'detects all 16 keys through a G.711 %s round trip (-3 and -30 dBFS)',
    (law) => {
      for (const peakDb of [-3, -30]) {
        const x = g711Decode(law, g711Encode(law, addNoise(keySequence(KEYS, 60, 60, peakDb), 25)));
        expect(digits(detectDtmf(x))).toBe(DTMF_DIGITS);
      }
    },
  );

  it('detects all 16 keys at 16 kHz', () => {
    const x = keySequence(KEYS, 60, 60, -10, 16000);
    expect(digits(detectDtmf(x, { sampleRate: 16000 }))).toBe(DTMF_DIGITS);
  });

  it.each([0.985, 1.015])('accepts tones %f off nominal (the 1.5%% tolerance of Q.23)', (scale) => {
    const x = concat([silence(50), ...KEYS.flatMap((k) => [soxKey(k, 60, -10, 8000, scale), silence(60)])]);
    expect(digits(detectDtmf(x))).toBe(DTMF_DIGITS);
  });

  it('accepts twist within limits (high group -6 dB and +4 dB) and rejects 12 dB twist', () => {
    for (const twistDb of [-6, 4]) {
      const x = generateDtmfSequence('159#', { durationMs: 60, gapMs: 60, levelDbfs: -10, twistDb });
      expect(digits(detectDtmf(x))).toBe('159#');
    }
    for (const twistDb of [-12, 12]) {
      const x = generateDtmfSequence('159#', { durationMs: 60, gapMs: 60, levelDbfs: -6, twistDb });
      expect(digits(detectDtmf(x))).toBe('');
    }
  });

  it('ignores tones below the minimum level (-50 dBFS)', () => {
    expect(digits(detectDtmf(keySequence(['5'], 100, 60, -50)))).toBe('');
  });
});

describe('DTMF detector: timing', () => {
  it('accepts every 40 ms tone and rejects every 20 ms tone, whatever the block alignment', () => {
    for (let offset = 0; offset < 102; offset += 7) {
      const lead = new Int16Array(400 + offset);
      expect(digits(detectDtmf(concat([lead, soxKey('7', 40, -10), silence(100)])))).toBe('7');
      expect(digits(detectDtmf(concat([lead, soxKey('7', 20, -10), silence(100)])))).toBe('');
    }
  });

  it('reports each press once, with start within 13 ms and duration within 26 ms', () => {
    const x = keySequence(['1', '1', '1', '#'], 100, 50, -10);
    const ev = detectDtmf(x);
    expect(digits(ev)).toBe('111#');
    ev.forEach((e, i) => {
      expect(Math.abs(e.startMs - (100 + i * 150))).toBeLessThanOrEqual(13);
      expect(Math.abs(e.durationMs - 100)).toBeLessThanOrEqual(26);
    });
  });

  it('separates repeats of one key by a 40 ms gap', () => {
    expect(digits(detectDtmf(keySequence(['3', '3', '3', '3'], 50, 40, -10)))).toBe('3333');
  });

  it('reports a 2 s press once, and bridges a 10 ms drop-out inside a press', () => {
    const long = keySequence(['0'], 2000, 50, -10);
    const ev = detectDtmf(long);
    expect(digits(ev)).toBe('0');
    expect(ev[0]!.durationMs).toBeGreaterThan(1970);
    const holed = keySequence(['8'], 200, 50, -10);
    holed.fill(0, 800 + 800, 800 + 880);
    expect(digits(detectDtmf(holed))).toBe('8');
  });

  it('emits dtmf.start while the key is held, then dtmf.digit on release', () => {
    const det = new DtmfDetector();
    const x = keySequence(['9'], 200, 100, -10);
    const seen: { ev: DtmfEvent; atMs: number }[] = [];
    for (let i = 0; i < x.length; i += 160) {
      const atMs = i / 8;
      for (const ev of det.process({
        samples: x.subarray(i, i + 160),
        sampleRate: 8000,
        timestampMs: atMs,
      })) {
        seen.push({ ev, atMs });
      }
    }
    expect(seen.map((s) => s.ev.type)).toEqual(['dtmf.start', 'dtmf.digit']);
    expect(seen[0]!.atMs).toBeLessThan(100 + 60); // validated within ~40 ms of the tone starting
    expect(seen[0]!.ev).toMatchObject({ digit: '9' });
    expect(seen[1]!.ev).toMatchObject({ digit: '9', type: 'dtmf.digit' });
  });

  it('gives the same presses whatever the frame size, and flush() ends a held key', () => {
    const x = keySequence([...'147*2580369#ABCD'] as DtmfDigit[], 45, 45, -15);
    const want = detectDtmf(x);
    for (const size of [80, 160, 240, 101, 1]) {
      const det = new DtmfDetector();
      const got: DtmfEvent[] = [];
      for (let i = 0; i < x.length; i += size) {
        got.push(...det.process({ samples: x.subarray(i, i + size), sampleRate: 8000, timestampMs: i / 8 }));
      }
      expect(got.filter((e) => e.type === 'dtmf.digit')).toEqual(want);
    }
    const det = new DtmfDetector();
    det.process({ samples: soxKey('D', 200, -10), sampleRate: 8000, timestampMs: 0 });
    expect(det.flush()).toMatchObject([{ type: 'dtmf.digit', digit: 'D' }]);
  });

  it('rejects frames at the wrong rate with AUDIO_BAD_RATE', () => {
    const det = new DtmfDetector({ sampleRate: 8000 });
    expect(() => det.process({ samples: new Int16Array(320), sampleRate: 16000, timestampMs: 0 })).toThrow(
      VoicebotError,
    );
  });
});

describe('DTMF detector: talk-off (no false alarms)', () => {
  const ENGLISH = [
    'Hello, thank you for calling. Please tell me your account number after the tone.',
    'The quick brown fox jumps over the lazy dog. One two three four five six seven eight nine zero.',
    'I would like to speak to an agent about my bill, please. Yes, that is correct.',
    'She sells sea shells by the sea shore. Peter Piper picked a peck of pickled peppers.',
    'Ooooooh, aaaaaah, eeeeee. Mmmmmm. Please hold while we transfer your call.',
  ];
  const MANDARIN = [
    '你好，欢迎致电。请在提示音后输入您的账号。',
    '我想查询我的账单。谢谢。一二三四五六七八九零。',
    '今天天气很好，我们去公园散步吧。',
  ];

  it.each([
    ['English male', 'en', ENGLISH],
    ['English female', 'en-us+f3', ENGLISH],
    ['Mandarin male', 'cmn', MANDARIN],
    ['Mandarin female', 'cmn+f2', MANDARIN],
  ])('%s espeak-ng speech, normal and clipped (+10 dB), 8 and 16 kHz: 0 false alarms', (_n, voice, texts) => {
    let seconds = 0;
    const hits: string[] = [];
    for (const [i, text] of (texts as string[]).entries()) {
      const wide = speak(text, 16000, dir, voice as string, `talk-${i}`);
      for (const rate of [8000, 16000] as const) {
        const speech = rate === 16000 ? wide : resample(wide, 16000, 8000);
        for (const gain of [1, 3.16]) {
          const x = applyGain(speech.slice(), gain);
          seconds += x.length / rate;
          hits.push(
            ...detectDtmf(x, { sampleRate: rate }).map((e) => `${e.digit}@${e.startMs}ms in "${text}"`),
          );
        }
      }
    }
    expect(seconds).toBeGreaterThan(20);
    expect(hits).toEqual([]);
  });

  const MUSIC: [string, string[]][] = [
    [
      'C major triad, sawtooth',
      [
        'synth',
        '1',
        'sawtooth',
        '261.63',
        'synth',
        '1',
        'sawtooth',
        'mix',
        '329.63',
        'synth',
        '1',
        'sawtooth',
        'mix',
        '392',
      ],
    ],
    [
      'A minor triad, square, 5th octave',
      [
        'synth',
        '1',
        'square',
        '880',
        'synth',
        '1',
        'square',
        'mix',
        '1046.5',
        'synth',
        '1',
        'square',
        'mix',
        '1318.5',
      ],
    ],
    [
      'F major triad, triangle',
      [
        'synth',
        '1',
        'triangle',
        '698.46',
        'synth',
        '1',
        'triangle',
        'mix',
        '880',
        'synth',
        '1',
        'triangle',
        'mix',
        '1046.5',
      ],
    ],
    [
      'plucked chord',
      [
        'synth',
        '1.5',
        'pluck',
        '%-9',
        'synth',
        '1.5',
        'pluck',
        'mix',
        '%-5',
        'synth',
        '1.5',
        'pluck',
        'mix',
        '%-2',
        'synth',
        '1.5',
        'pluck',
        'mix',
        '%3',
      ],
    ],
    [
      'A#5 + E6 + G6 sine triad',
      [
        'synth',
        '1',
        'sine',
        '932.33',
        'synth',
        '1',
        'sine',
        'mix',
        '1318.51',
        'synth',
        '1',
        'sine',
        'mix',
        '1567.98',
      ],
    ],
    ['sine sweep 300-3400 Hz', ['synth', '2', 'sine', '300-3400']],
    [
      'parallel sine sweeps (ratio 1.5)',
      ['synth', '2', 'sine', '500-1100', 'synth', '2', 'sine', 'mix', '750-1650'],
    ],
    ['exponential sine sweep 200-3800 Hz', ['synth', '2', 'sine', '200-3800']],
    [
      'G7 chord, sawtooth',
      [
        'synth',
        '1',
        'sawtooth',
        '392',
        'synth',
        '1',
        'sawtooth',
        'mix',
        '493.88',
        'synth',
        '1',
        'sawtooth',
        'mix',
        '587.33',
        'synth',
        '1',
        'sawtooth',
        'mix',
        '698.46',
      ],
    ],
    [
      'E minor triad, sine, 6th octave',
      [
        'synth',
        '1',
        'sine',
        '1318.51',
        'synth',
        '1',
        'sine',
        'mix',
        '1567.98',
        'synth',
        '1',
        'sine',
        'mix',
        '1975.53',
      ],
    ],
    ['tremolo organ note (A5 with harmonics)', ['synth', '1', 'square', '880', 'tremolo', '6', '40']],
    ['square sweep', ['synth', '2', 'square', '200-2000']],
    ['pink noise', ['synth', '1', 'pinknoise']],
    ['white noise', ['synth', '1', 'whitenoise']],
    ['dial tone 350+440 Hz', ['synth', '1', 'sine', '350', 'synth', '1', 'sine', 'mix', '440']],
    ['ringback 440+480 Hz', ['synth', '1', 'sine', '440', 'synth', '1', 'sine', 'mix', '480']],
    ['busy tone 480+620 Hz', ['synth', '1', 'sine', '480', 'synth', '1', 'sine', 'mix', '620']],
  ];

  it(`${MUSIC.length} music-like and call-progress signals at -3 and -20 dBFS: 0 false alarms`, () => {
    const hits: string[] = [];
    for (const [name, effects] of MUSIC) {
      for (const rate of [8000, 16000] as const) {
        const loud = synth(rate, [...effects, 'gain', '-n', '-3'], dir, 'music.raw');
        for (const peak of [-3, -20]) {
          const x = applyGain(loud, dbToGain(peak + 3), new Int16Array(loud.length));
          hits.push(
            ...detectDtmf(x, { sampleRate: rate }).map((e) => `${e.digit} in ${name} ${peak} dBFS ${rate}`),
          );
        }
      }
    }
    expect(hits).toEqual([]);
  });
});
