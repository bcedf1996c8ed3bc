/**
 * Double talk through the session's caller input, offline: the caller starts talking while the
 * bot is talking, on a clean or noisy line, with or without the bot's echo looped back. How long
 * after the caller's speech onset is the start reported (CallerInput: echo gate, onset, VAD, as
 * the session runs it, the bot's outgoing audio as the reference)? This is the first part of the
 * barge-in reaction (bench/session-barge-in.ts); the turn machine pauses the bot once 100 ms
 * is heard (a start reported with 60 ms heard: 40 ms later). And how often do the line noise
 * and the echo alone, under the bot, report a start (a false barge-in)?
 *
 * Bot: two espeak-ng announcements (EspeakTts, as the session plays them), 800 ms apart; the
 * caller talks into the second (the gate has learned the line by then). Caller: espeak-ng
 * sentences through G.711 (6 sentences x 4 voices x 3 rates, 0.6-3.1 s into it) over continuous
 * pink line noise from 2 s before the bot starts.
 *
 *   node --import tsx bench/session-double-talk.ts [--snrs clean,20,10] [--echo none,-10]
 *        [--vads webrtc,energy] [--onset-ms 60]
 */
import { parseArgs } from 'node:util';
import { EspeakTts } from '../asr-tts/providers/espeak/espeak-tts.ts';
import { concat } from '../asr-tts/testing/speech-audio.ts';
import { WebRtcVad } from '../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import type { Vad } from '../asr-tts/vad.ts';
import { EnergyVad } from '../engine/audio/vad-energy.ts';
import { CallerInput } from '../engine/session/caller-input.ts';
import { lineNoise, mixed, utterance } from './lib/caller-audio.ts';
import { ANNOUNCEMENTS } from './lib/talk-dialog.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const USAGE = `Usage: node --import tsx bench/session-double-talk.ts [options]
  --snrs LIST     line: clean and/or SNRs in dB (default clean,20,10)
  --echo LIST     the bot looped back: none and/or dB (default none,-10; 100 ms delay)
  --vads LIST     webrtc, energy (default both)
  --onset-ms N    CallerInput onsetMs (default 60; 0: the VAD alone)
Prints machine info and a JSON result per VAD x echo x SNR (ms).
`;
const { values } = parseArgs({
  options: {
    snrs: { type: 'string', default: 'clean,20,10' },
    echo: { type: 'string', default: 'none,-10' },
    vads: { type: 'string', default: 'webrtc,energy' },
    'onset-ms': { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
function bad(message: string): never {
  process.stderr.write(`session-double-talk: ${message}\n\n${USAGE}`);
  process.exit(2);
}
const list = (name: string, raw: string, none: string) =>
  raw.split(',').map((s) => {
    const v = s.trim();
    if (v === none) return null;
    if (!/^-?\d+$/.test(v)) bad(`--${name}: "${v}" is not ${none} or a whole number of dB`);
    return Number(v);
  });
const snrs = list('snrs', values.snrs, 'clean');
const echoes = list('echo', values.echo, 'none');
const onsetMs = Number(values['onset-ms']);
if (!Number.isInteger(onsetMs) || onsetMs < 0)
  bad(`--onset-ms ${values['onset-ms']}: expected a whole number`);
const VADS: Record<string, () => Vad | Promise<Vad>> = {
  webrtc: () => WebRtcVad.create(),
  energy: () => new EnergyVad(),
};
const vads = values.vads.split(',').map((s) => s.trim());
for (const v of vads) if (!VADS[v]) bad(`--vads: unknown VAD "${v}" (webrtc, energy)`);

const tts = new EspeakTts();
async function say(text: string): Promise<Int16Array> {
  const parts: Int16Array[] = [];
  for await (const f of tts.synthesize(text, { language: 'en-US', sampleRate: 8000 })) parts.push(f.samples);
  return concat(...parts);
}
const first = await say(ANNOUNCEMENTS[1]!);
const second = await say(ANNOUNCEMENTS[0]!);
const GAP_MS = 800;
const bot = new Int16Array(first.length + GAP_MS * 8 + second.length);
bot.set(first, 0);
bot.set(second, first.length + GAP_MS * 8);
const SECOND_MS = first.length / 8 + GAP_MS;
const PRE_MS = 2000;
const ECHO_DELAY_MS = 100;

const SENTENCES = [
  'I would like two pizzas please',
  'can I talk to a person',
  'no wait, I want to change my order',
  'hold on, that is not right',
  'two loaves of bread and some milk',
  'excuse me, I have a question',
];
const VOICES = ['en-us', 'en-gb', 'en-us+f3', 'en-us+m3'];
const RATES = [130, 160, 190];

/** The caller's line: noise from t=0, the bot's echo from PRE_MS (+ delay), `caller` at `atMs`. */
function line(snrDb: number | null, echoDb: number | null, seed: number, caller?: Int16Array, atMs = 0) {
  const total = (PRE_MS + bot.length / 8 + 500) * 8;
  const out = new Int16Array(total);
  if (echoDb !== null) {
    const g = 10 ** (echoDb / 20);
    const from = (PRE_MS + ECHO_DELAY_MS) * 8;
    for (let i = 0; i < bot.length; i++) out[from + i] = Math.round(bot[i]! * g);
  }
  if (caller) {
    for (let i = 0; i < caller.length && atMs * 8 + i < total; i++) {
      out[atMs * 8 + i] = Math.max(-32768, Math.min(32767, out[atMs * 8 + i]! + caller[i]!));
    }
  }
  return snrDb === null ? out : mixed(out, lineNoise(4000, snrDb, seed));
}

/** Feeds the line through a fresh CallerInput; the start edges (frame end time when reported). */
async function listen(vadName: string, samples: Int16Array) {
  const input = new CallerInput(await VADS[vadName]!(), { onsetMs });
  input.echo.played(bot, 8000, PRE_MS);
  const starts: { reportedMs: number }[] = [];
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    const t = i / 8;
    const edges = input.push({ samples: samples.subarray(i, i + 160), sampleRate: 8000, timestampMs: t }, t);
    for (const e of edges) if (e.type === 'start') starts.push({ reportedMs: t + 20 });
  }
  input.close();
  return { starts, input };
}

const results = [];
for (const vadName of vads) {
  for (const echoDb of echoes) {
    for (const snrDb of snrs) {
      const decisions: number[] = [];
      let missed = 0;
      let early = 0;
      let k = 0;
      for (const text of SENTENCES) {
        for (const voice of VOICES) {
          for (const wpm of RATES) {
            const startMs = 600 + ((k * 397) % 2500);
            const u = utterance(text, { voice, wpm, leadMs: 200, tailMs: 200 });
            const at = PRE_MS + SECOND_MS + startMs;
            const { starts } = await listen(vadName, line(snrDb, echoDb, k++, u.samples, at));
            const onset = at + u.onset / 8;
            const after = starts.filter(
              (s) => s.reportedMs >= onset - 20 && s.reportedMs >= PRE_MS + SECOND_MS,
            );
            early += starts.filter(
              (s) => s.reportedMs < onset - 20 && s.reportedMs >= PRE_MS + SECOND_MS,
            ).length;
            if (after[0]) decisions.push(after[0].reportedMs - onset);
            else missed++;
          }
        }
      }
      // The line alone (noise and echo, nobody talking): starts while the announcements play
      // (and the 800 ms between them), per minute.
      let falseStarts = 0;
      for (let r = 0; r < 4; r++) {
        const { starts } = await listen(vadName, line(snrDb, echoDb, 100 + r));
        falseStarts += starts.filter(
          (s) => s.reportedMs > PRE_MS && s.reportedMs < PRE_MS + bot.length / 8 + 600,
        ).length;
      }
      const botMinutes = (4 * bot.length) / 8 / 60_000;
      results.push({
        vad: vadName,
        echoDb,
        snrDb,
        trials: decisions.length + missed,
        missed,
        startsBeforeOnset: early,
        reportedMs: {
          p50: round(percentile(decisions, 50), 0),
          p90: round(percentile(decisions, 90), 0),
          p99: round(percentile(decisions, 99), 0),
          max: round(Math.max(...decisions), 0),
        },
        lineAloneStartsPerBotMinute: round(falseStarts / botMinutes, 2),
      });
    }
  }
}
process.stdout.write(
  `${JSON.stringify({ bench: 'session-double-talk', machine: machineInfo(), onsetMs, echoDelayMs: ECHO_DELAY_MS, results }, null, 2)}\n`,
);
