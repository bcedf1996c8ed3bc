/**
 * Barge-in reaction: from the caller's speech onset in the audio to the `clear` reaching the
 * caller, while the bot is talking.
 *
 * Real WebSocket gateway (Twilio protocol), real CallSession and turn machine with its default
 * false-trigger guards, real espeak-ng prompts (so the echo gate sees real bot levels), the WebRTC
 * VAD or the energy VAD; the recognizer is the scripted FakeAsr returning the words the caller
 * said (so short utterances are judged by their real words, at no decoding cost). Sim callers
 * play espeak-ng utterances through G.711 (several voices and rates; clean or over continuous
 * pink line noise at 20 or 10 dB SNR) 0.5-3 s into a fresh announcement: 80% are sentences that
 * must barge in, 20% backchannels ("uh-huh", "yeah"...) that must not. The onset is the first
 * loud 5 ms window of the clean utterance, placed on the caller's send timeline.
 *
 * Per configuration (VAD x guard): reaction p50/p99/max, split into the VAD's own decision
 * (onset -> the VAD's speech start; the caller input may report the onset before it, and the
 * next part is then negative), the turn machine's guard (-> clear sent) and delivery (-> at the
 * caller); per SNR; the slowest trials; missed barge-ins, backchannels that barged in, clears
 * with no trial running (line noise), per call-minute.
 *
 *   node --import tsx bench/session-barge-in.ts [--trials 25] [--calls 4] [--vads webrtc,energy]
 *        [--guards default,off] [--snrs clean,20,10] [--seed 1]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { EspeakTts } from '../asr-tts/providers/espeak/espeak-tts.ts';
import { WebRtcVad } from '../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { FakeAsr } from '../asr-tts/testing/fake-asr.ts';
import type { Vad } from '../asr-tts/vad.ts';
import { EnergyVad } from '../engine/audio/vad-energy.ts';
import { startProbedEngine } from '../engine/session/testing/probed-engine.ts';
import { DEFAULT_TURN_TIMINGS, type TurnTimings } from '../engine/session/turn-machine.ts';
import { SimCaller } from '../fixtures/sim-caller/sim-caller.ts';
import { rngFor } from '../telephony/carriers/sim/rng.ts';
import { lineNoise, mixed, SPEECH_RMS, utterance } from './lib/caller-audio.ts';
import { talkDialog } from './lib/talk-dialog.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const USAGE = `Usage: node --import tsx bench/session-barge-in.ts [options]
  --trials N      trials per call (default 25)
  --calls N       concurrent calls per configuration (default 4; SNR cycles clean, 20 dB, 10 dB)
  --vads LIST     webrtc, energy (default both)
  --guards LIST   default (minSpeechMs ${DEFAULT_TURN_TIMINGS.minSpeechMs}, backchannelMaxMs ${DEFAULT_TURN_TIMINGS.backchannelMaxMs}),
                  min (minSpeechMs only: backchannelMaxMs = minSpeechMs), off (both 0) (default: default,off)
  --snrs LIST     line SNRs the calls cycle through: clean, 20, 10 (default all three)
  --seed N        seed for delays, phrases, voices (default 1)
Prints machine info and a JSON result per configuration (ms).
`;

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '25' },
    calls: { type: 'string', default: '4' },
    vads: { type: 'string', default: 'webrtc,energy' },
    guards: { type: 'string', default: 'default,off' },
    seed: { type: 'string', default: '1' },
    snrs: { type: 'string', default: 'clean,20,10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
function bad(message: string): never {
  process.stderr.write(`session-barge-in: ${message}\n\n${USAGE}`);
  process.exit(2);
}
const count = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) bad(`--${name} ${raw}: expected a whole number above 0`);
  return n;
};
const trialsPerCall = count('trials', values.trials);
const nCalls = count('calls', values.calls);
const seed = count('seed', values.seed);

const VADS: Record<string, () => Vad | Promise<Vad>> = {
  webrtc: () => WebRtcVad.create(),
  energy: () => new EnergyVad(),
};
const GUARDS: Record<string, Partial<TurnTimings>> = {
  default: {},
  min: { backchannelMaxMs: DEFAULT_TURN_TIMINGS.minSpeechMs },
  off: { minSpeechMs: 0, backchannelMaxMs: 0 },
};
const vads = values.vads.split(',').map((s) => s.trim());
const guards = values.guards.split(',').map((s) => s.trim());
for (const v of vads) if (!VADS[v]) bad(`--vads: unknown VAD "${v}" (webrtc, energy)`);
for (const g of guards) if (!GUARDS[g]) bad(`--guards: unknown guard "${g}" (default, min, off)`);

const SENTENCES = [
  'I would like two pizzas please',
  'can I talk to a person',
  'no wait, I want to change my order',
  'hold on, that is not right',
  'two loaves of bread and some milk',
  'excuse me, I have a question',
];
const BACKCHANNELS = ['uh-huh', 'yeah', 'mm-hmm', 'okay'];
const VOICES = ['en-us', 'en-gb', 'en-us+f3', 'en-us+m3'];
const RATES = [130, 160, 190];
const SNRS: (number | null)[] = values.snrs.split(',').map((s) => {
  const v = s.trim();
  if (v === 'clean') return null;
  if (!/^\d+$/.test(v)) bad(`--snrs: "${v}" is not clean or a whole number of dB`);
  return Number(v);
});

interface Trial {
  kind: 'speech' | 'backchannel';
  text: string;
  /** The bot was talking when the caller's speech began (else the trial does not count). */
  talking: boolean;
  snrDb: number | null;
  voice: string;
  wpm: number;
  /** ms from onset, or null when no clear came. */
  reaction: number | null;
  vadDecision: number | null;
  guard: number | null;
  delivery: number | null;
  /** The prompt went on after the clear (paused and resumed), not cut. */
  resumed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runConfig(vadName: string, guardName: string) {
  const saying = new Map<string, string>();
  const noiseRms = new Map<string, number>();
  const tts = new EspeakTts();
  const se = await startProbedEngine({
    dialogFor: () => ({ name: 'talk', machine: talkDialog, language: 'en-US' }),
    timings: GUARDS[guardName]!,
    adaptersFor: (info) => {
      const sid = info.providerCallId ?? info.callId;
      return {
        asr: new FakeAsr({
          results: () => saying.get(sid) ?? '',
          speechRms: Math.max(300, 2.5 * (noiseRms.get(sid) ?? 0)),
        }),
        tts,
        createVad: VADS[vadName]!,
      };
    },
  });

  async function runCall(n: number) {
    const rng = rngFor(seed, `${vadName}:${guardName}:${n}`);
    const snrDb = SNRS[n % SNRS.length]!;
    const callSid = `CA-barge-${vadName}-${guardName}-${n}`;
    noiseRms.set(callSid, snrDb === null ? 0 : SPEECH_RMS / 10 ** (snrDb / 20));
    const c = new SimCaller({ url: se.engine.url, protocol: 'twilio', token: se.token(), callSid });
    await c.connect();
    // The caller's line: continuous noise (noisy calls) with the utterances mixed into it.
    const noise = snrDb === null ? null : lineNoise(4000, snrDb, n);
    const toSay: { samples: Int16Array; label: string }[] = [];
    let feeding = true;
    const feeder = (async () => {
      let chunk = 0;
      while (feeding && !c.closeInfo) {
        const next = toSay.shift();
        if (next) await c.play(noise ? mixed(next.samples, noise) : next.samples, next.label);
        else if (noise) {
          const i = chunk++ % 20;
          await c.play(noise.subarray(i * 1600, (i + 1) * 1600), 'noise');
        } else await sleep(10);
      }
    })();
    const resumes = () =>
      se.call(callSid)?.session?.recorder.record.events.filter((e) => e.type === 'barge_in.resume').length ??
      0;
    const prompts = () =>
      se.call(callSid)?.session?.recorder.record.transcript.filter((t) => t.side === 'bot').length ?? 0;
    const heardMs = () => c.heardSegments().reduce((ms, s) => ms + s.samples.length / 8, 0);
    const trials: Trial[] = [];
    const windows: [number, number][] = [];
    let promptsBefore = 0;
    for (let k = 0; k < trialsPerCall && !c.closeInfo; k++) {
      // A fresh announcement, 0.5-3 s into it.
      const until = performance.now() + 30_000;
      while (prompts() <= promptsBefore && performance.now() < until) await sleep(10);
      const ref = heardMs();
      const delay = 500 + rng() * 2500;
      while (heardMs() - ref < delay && performance.now() < until) await sleep(5);
      if (performance.now() >= until) break;
      const kind = rng() < 0.8 ? 'speech' : 'backchannel';
      const text =
        kind === 'speech'
          ? SENTENCES[Math.floor(rng() * SENTENCES.length)]!
          : BACKCHANNELS[Math.floor(rng() * BACKCHANNELS.length)]!;
      const voice = VOICES[Math.floor(rng() * VOICES.length)]!;
      const wpm = RATES[Math.floor(rng() * RATES.length)]!;
      const u = utterance(text, { voice, wpm, leadMs: 200, tailMs: 200 });
      saying.set(callSid, text);
      const label = `trial-${k}`;
      const resumesBefore = resumes();
      // The frame index the utterance starts at on the caller's stream (= the session's media time).
      let firstFrame = -1;
      const onEvent = (e: { type: string; label?: unknown }) => {
        if (e.type === 'caller.speech.start' && e.label === label) firstFrame = c.frameCounts().sent;
      };
      c.on('event', onEvent);
      toSay.push({ samples: u.samples, label });
      const started = await c.waitFor('caller.speech.start', {
        timeoutMs: 5000,
        match: (e) => e.label === label,
      });
      c.off('event', onEvent);
      const probe = se.call(callSid)!.probe;
      // The onset: when the frame holding the first loud sample reached the session.
      const onsetMediaMs = (firstFrame + Math.floor(u.onset / 160)) * 20;
      const waitUntil = performance.now() + 2000;
      while (!probe.arrivals.has(onsetMediaMs) && performance.now() < waitUntil) await sleep(5);
      const onsetAt = probe.arrivals.get(onsetMediaMs) ?? Number.NaN;
      const endAt = c.startedAt + started.atMs + u.samples.length / 8;
      windows.push([onsetAt - 200, endAt + 3000]);
      // Was the bot talking at the onset (a line-noise barge-in may have cut it already)?
      const onsetCallerMs = onsetAt - c.startedAt;
      const talking = c
        .heardSegments()
        .some((seg) => seg.startMs <= onsetCallerMs && seg.startMs + seg.samples.length / 8 >= onsetCallerMs);
      const clear = await c
        .waitFor('bot.clear', { afterMs: started.atMs, timeoutMs: u.samples.length / 8 + 3000 })
        .catch(() => null);
      const clearAt = clear ? c.startedAt + clear.atMs : null;
      // Let the turn end (the recognizer's final) before the words change; the VAD's own start
      // may come after the clear (the caller input reports the onset first).
      await sleep(Math.max(0, endAt - performance.now()) + 1500);
      const vadStart = probe.next('vad.start', onsetAt - 100);
      const serverClear = probe.next('clear', onsetAt - 100);
      trials.push({
        kind,
        text,
        talking,
        snrDb,
        voice,
        wpm,
        reaction: clearAt === null ? null : clearAt - onsetAt,
        vadDecision: vadStart ? vadStart.at - onsetAt : null,
        guard: vadStart && serverClear && clearAt !== null ? serverClear.at - vadStart.at : null,
        delivery: serverClear && clearAt !== null ? clearAt - serverClear.at : null,
        resumed: resumes() > resumesBefore,
      });
      saying.set(callSid, '');
      promptsBefore = prompts();
    }
    feeding = false;
    await feeder;
    const clears = c.events.filter((e) => e.type === 'bot.clear').map((e) => c.startedAt + e.atMs);
    const stray = clears.filter((t) => !windows.some(([a, b]) => t >= a && t <= b)).length;
    const minutes = c.now() / 60_000;
    if (!c.closeInfo) await c.hangup();
    return { trials, stray, minutes, snrDb };
  }

  const runs = await Promise.all(
    Array.from({ length: nCalls }, (_, i) => sleep(i * 400).then(() => runCall(i))),
  );
  await se.close();
  const held = runs.flatMap((r) => r.trials);
  const all = held.filter((t) => t.talking);
  const speech = all.filter((t) => t.kind === 'speech');
  const hits = speech.filter((t) => t.reaction !== null && t.reaction >= 0);
  const pct = (v: (number | null)[]) => {
    const xs = v.filter((x): x is number => x !== null);
    return {
      p50: round(percentile(xs, 50), 0),
      p99: round(percentile(xs, 99), 0),
      max: round(Math.max(...xs), 0),
    };
  };
  const bySnr = Object.fromEntries(
    SNRS.map((snr) => {
      const t = hits.filter((x) => x.snrDb === snr);
      const calls = runs.filter((r) => r.snrDb === snr);
      const minutes = calls.reduce((n, r) => n + r.minutes, 0);
      return [
        snr === null ? 'clean' : `${snr}dB`,
        {
          trials: t.length,
          reactionMs: pct(t.map((x) => x.reaction)),
          strayClearsPerMin: minutes > 0 ? round(calls.reduce((n, r) => n + r.stray, 0) / minutes, 2) : null,
        },
      ];
    }),
  );
  return {
    vad: vadName,
    guard: guardName,
    timings: { ...DEFAULT_TURN_TIMINGS, ...GUARDS[guardName] },
    speechTrials: speech.length,
    trialsBotAlreadyQuiet: held.length - all.length,
    reactionMs: pct(hits.map((t) => t.reaction)),
    splitMs: {
      vadDecision: pct(hits.map((t) => t.vadDecision)),
      guardToClearSent: pct(hits.map((t) => t.guard)),
      clearDelivery: pct(hits.map((t) => t.delivery)),
    },
    bySnr,
    slowest: [...hits]
      .sort((a, b) => (b.reaction ?? 0) - (a.reaction ?? 0))
      .slice(0, 5)
      .map((t) => ({
        reaction: round(t.reaction ?? 0, 0),
        vadDecision: t.vadDecision === null ? null : round(t.vadDecision, 0),
        guard: t.guard === null ? null : round(t.guard, 0),
        snrDb: t.snrDb,
        voice: t.voice,
        wpm: t.wpm,
        text: t.text,
      })),
    missed: speech.length - hits.length,
    clearBeforeOnset: speech.filter((t) => t.reaction !== null && t.reaction < 0).length,
    backchannelTrials: all.length - speech.length,
    backchannelBargeIns: all.filter((t) => t.kind === 'backchannel' && t.reaction !== null).length,
    backchannelsResumed: all.filter((t) => t.kind === 'backchannel' && t.reaction !== null && t.resumed)
      .length,
    speechResumed: speech.filter((t) => t.resumed).length,
    strayClears: runs.reduce((n, r) => n + r.stray, 0),
    callMinutes: round(
      runs.reduce((n, r) => n + r.minutes, 0),
      1,
    ),
    target: {
      p50: 120,
      p99: 200,
      met: pct(hits.map((t) => t.reaction)).p50 <= 120 && pct(hits.map((t) => t.reaction)).p99 <= 200,
    },
  };
}

const load0 = loadavg()[0]!;
const results = [];
for (const v of vads) {
  for (const g of guards) {
    const t = performance.now();
    results.push(await runConfig(v, g));
    process.stderr.write(
      `session-barge-in: ${v} / ${g} done in ${Math.round((performance.now() - t) / 1000)} s\n`,
    );
  }
}
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'session-barge-in',
      machine: { ...machineInfo(), loadavg1mAtStart: round(load0, 2) },
      setup: {
        transport: 'twilio (real WS gateway)',
        tts: 'espeak-ng',
        asr: 'FakeAsr (the words said)',
        callsPerConfig: nCalls,
        trialsPerCall,
        voices: VOICES,
        wpm: RATES,
        snrDb: SNRS,
        echo: 'none looped back',
      },
      results,
    },
    null,
    2,
  )}\n`,
);
