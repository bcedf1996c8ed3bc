/**
 * Double talk through the session's echo gate, offline: the caller starts talking while the bot
 * is talking, and nothing of the bot leaks back (no echo at all). How long after the caller's
 * speech onset does the VAD decide speech started, with the gate (as the session runs it: the
 * bot's outgoing audio as the reference) and without it? This is the first part of the
 * barge-in reaction (bench/session-barge-in.ts).
 *
 * Bot: an espeak-ng announcement (EspeakTts, as the session plays it). Caller: espeak-ng
 * sentences through G.711 (4 sentences x 3 voices x 4 start points into the announcement).
 *
 *   node --import tsx bench/session-double-talk.ts
 */
import { EspeakTts } from '../asr-tts/providers/espeak/espeak-tts.ts';
import { WebRtcVad } from '../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import type { Vad } from '../asr-tts/vad.ts';
import { EnergyVad } from '../engine/audio/vad-energy.ts';
import { EchoGate } from '../engine/session/echo-gate.ts';
import { utterance } from './lib/caller-audio.ts';
import { ANNOUNCEMENTS } from './lib/talk-dialog.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('Usage: node --import tsx bench/session-double-talk.ts\n');
  process.exit(0);
}

const tts = new EspeakTts();
const parts: Int16Array[] = [];
for await (const f of tts.synthesize(ANNOUNCEMENTS[0]!, { language: 'en-US', sampleRate: 8000 }))
  parts.push(f.samples);
const bot = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((at, p) => {
  bot.set(p, at);
  return at + p.length;
}, 0);

const SENTENCES = [
  'I would like two pizzas please',
  'can I talk to a person',
  'hold on, that is not right',
  'excuse me, I have a question',
];
const VOICES = ['en-us', 'en-gb', 'en-us+f3'];
const STARTS_MS = [800, 1700, 2600, 4100];
const VADS: Record<string, () => Promise<Vad>> = {
  webrtc: () => WebRtcVad.create(),
  energy: async () => new EnergyVad(),
};

const results = [];
for (const [name, make] of Object.entries(VADS)) {
  for (const gated of [true, false]) {
    const decisions: number[] = [];
    let missed = 0;
    for (const text of SENTENCES) {
      for (const voice of VOICES) {
        for (const startMs of STARTS_MS) {
          const u = utterance(text, { voice, wpm: 160, leadMs: 200, tailMs: 200 });
          const gate = new EchoGate();
          gate.played(bot, 8000, 0);
          // As in a call, the gate has heard the (silent) line since the bot started talking.
          for (let t = 0; t < startMs; t += 20) gate.isEcho(new Int16Array(160), t);
          const vad = await make();
          let decided: number | null = null;
          for (let i = 0; i * 160 < u.samples.length && decided === null; i++) {
            const frame = u.samples.subarray(i * 160, i * 160 + 160);
            const heard =
              gated && gate.isEcho(frame, startMs + i * 20) ? new Int16Array(frame.length) : frame;
            const events = vad.process({ samples: heard, sampleRate: 8000, timestampMs: i * 20 });
            if (events.some((e) => e.type === 'vad.speech_start')) decided = (i + 1) * 20 - u.onset / 8;
          }
          vad.close?.();
          if (decided === null) missed++;
          else decisions.push(decided);
        }
      }
    }
    results.push({
      vad: name,
      echoGate: gated,
      trials: decisions.length + missed,
      missed,
      decisionMs: {
        p50: round(percentile(decisions, 50), 0),
        p90: round(percentile(decisions, 90), 0),
        max: round(Math.max(...decisions), 0),
      },
    });
  }
}
process.stdout.write(
  `${JSON.stringify({ bench: 'session-double-talk', machine: machineInfo(), results }, null, 2)}\n`,
);
