/**
 * Engine turn overhead: from the caller's end of speech detected (the recognizer's final handed
 * to the session) to the first frame of the bot's answer written to the socket, excluding
 * recognition and synthesis compute.
 *
 * Real WebSocket gateway (Twilio protocol), real CallSession, the voice-order dialog, the real
 * WebRTC VAD and deterministic NLU; sim callers play espeak-ng utterances through G.711 and
 * answer each question once its prompt has played. Recognition and synthesis are instant:
 * the scripted FakeAsr (its final is the caller's words, emitted on its own endpoint or the
 * session's flush, no decoding) and FakeTts (tones; its time to the first frame is measured
 * and subtracted). Timing probes (engine/session/testing/probes.ts) stamp each step:
 *
 *   final     the final reaches the session (end of speech detected)
 *   decide    final -> synthesis asked for: turn machine, NLU, dialog, session, playback queue;
 *             split into turn (final -> the words handed to the NLU: the turn machine) and
 *             answer (NLU -> synthesis asked for: NLU, dialog, session, playback queue)
 *   tts       synthesis asked for -> first frame (FakeTts; subtracted)
 *   pace      first frame handed to the leg -> written to the socket (at once when the call's
 *             outbound stream is idle, else its next 20 ms slot)
 *   overhead  final -> first frame written, minus tts
 *   afterTurn the session hands the words on (the turn machine has decided the caller's turn is
 *             over; it may hold a final while the caller could still go on) -> first frame
 *             written, minus tts: the engine's own work once the turn is over
 *   endToEnd  final -> first frame written, nothing subtracted (FakeTts computes next to nothing,
 *             but work the session does after asking for synthesis lands in tts: this is the
 *             honest bound when that happens)
 *   vadEndToWire  the VAD's end of speech -> first frame written (includes the recognizer's
 *             endpoint wait; voicebot_session_turn_latency_seconds measures about this)
 *
 * Slow turns (afterTurn >= 10 ms) are attributed: the garbage collector ran inside the turn
 * (PerformanceObserver 'gc'), or the event loop stalled (a 1 ms interval timer wakes late by
 * the turn's extra time: the process was descheduled or ran other work), or neither.
 *
 * The callers' espeak-ng utterances are made before the calls start: making one runs espeak-ng
 * and sox synchronously, which would stall this process's event loop (the engine's too) for
 * tens of ms in the middle of other calls' turns.
 *
 *   node --import tsx bench/session-turn-overhead.ts [--calls 8] [--items 10]
 */

import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebRtcVad } from '../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { FakeAsr } from '../asr-tts/testing/fake-asr.ts';
import { FakeTts } from '../asr-tts/testing/fake-tts.ts';
import type { TtsAdapter } from '../asr-tts/tts.ts';
import { DeterministicNlu } from '../dialogs/nlu/deterministic-nlu.ts';
import { describeLine } from '../dialogs/voice-order/cart.ts';
import { createRootLogger } from '../engine/log/logger.ts';
import { startProbedEngine } from '../engine/session/testing/probed-engine.ts';
import type { CallProbe } from '../engine/session/testing/probes.ts';
import { warmUpDialogs } from '../engine/session/warm-up.ts';
import { SimCaller } from '../fixtures/sim-caller/sim-caller.ts';
import { utterance } from './lib/caller-audio.ts';
import { catalog, orders, voiceOrderSpec } from './lib/voice-order.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

const USAGE = `Usage: node --import tsx bench/session-turn-overhead.ts [--calls N] [--items N] [--warmup N] [--dialog-warmup on|off]
  --calls N   concurrent calls (default 8)
  --items N   items each caller orders, one question pair each (default 10; about 2 turns per item)
  --warmup N  calls of 2 items each, one after the other, before the measured ones (default 1);
              their turns (the process's first run of each turn's code) are reported apart as cold
  --dialog-warmup on|off  the engine's start-up dialog warm-up (engine/session/warm-up.ts, as
              voicebot serve runs it with session.warmUp; default on)
Prints machine info and a JSON result (ms): overhead, afterTurn, endToEnd, decide (turn, answer), tts, pace, vadEndToWire
p50/p99/max, and what the slow turns (afterTurn >= 10 ms) overlapped (GC, event-loop stalls).
`;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '8' },
    items: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    'dialog-warmup': { type: 'string', default: 'on' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const nCalls = Number(values.calls);
const nItems = Number(values.items);
const nWarmup = Number(values.warmup);
const WARMUP_ITEMS = 2;
const dialogWarmUp = values['dialog-warmup'];
if (dialogWarmUp !== 'on' && dialogWarmUp !== 'off') {
  process.stderr.write(`session-turn-overhead: --dialog-warmup must be on or off\n\n${USAGE}`);
  process.exit(2);
}
if (!Number.isInteger(nWarmup) || nWarmup < 0 || nWarmup > 10) {
  process.stderr.write(`session-turn-overhead: --warmup must be a whole number 0..10\n\n${USAGE}`);
  process.exit(2);
}
for (const [name, n, max] of [
  ['calls', nCalls, 100],
  ['items', nItems, catalog.items.length],
] as const) {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(`session-turn-overhead: --${name} must be a whole number 1..${max}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** What each caller is saying now: the scripted recognizer returns it. */
const saying = new Map<string, string>();

/** FakeTts at its fastest rate: prompts play a third as long (the measured interval is unaffected). */
const fakeTts = new FakeTts();
const fastTts: TtsAdapter = {
  name: fakeTts.name,
  capabilities: fakeTts.capabilities,
  synthesize: (text, options, signal) => fakeTts.synthesize(text, { ...options, rate: 3 }, signal),
};

const se = await startProbedEngine({
  dialogFor: (info) => voiceOrderSpec(info.parameters),
  adaptersFor: (info) => {
    const sid = info.providerCallId ?? info.callId;
    // No grammar capability: the session sends none, so the final is always the words said
    // (what a question's grammar would accept is the persona bench's business, not this one's).
    const fake = new FakeAsr({ results: () => saying.get(sid) ?? '' });
    return {
      asr: {
        name: fake.name,
        capabilities: { ...fake.capabilities, grammar: false },
        stream: (options) => fake.stream(options),
      },
      tts: fastTts,
      createVad: () => WebRtcVad.create(),
    };
  },
});

// The engine's start-up warm-up of its dialog's turn path, as voicebot serve runs it.
const warmUpStart = performance.now();
const warmUpRuns =
  dialogWarmUp === 'on'
    ? warmUpDialogs({
        dialogs: [voiceOrderSpec({ elderly: 'false' })],
        nlu: new DeterministicNlu(),
        languages: ['en-US'],
        log: createRootLogger({ level: 'silent' }),
      })
    : [];
const warmUpMs = performance.now() - warmUpStart;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What caller `n` orders. */
function linesOf(n: number, items = nItems) {
  return catalog.items
    .slice(n % catalog.items.length)
    .concat(catalog.items)
    .slice(0, items)
    .map((item, i) => ({ itemId: item.id, quantity: 1 + ((n + i) % 4) }));
}

const ADDRESS = '40 Pine Street apartment 2B';

// Every caller utterance, made now (cached), not in the middle of other calls' turns.
for (const text of ['yes', 'no', ADDRESS]) utterance(text);
for (let n = 0; n < nCalls; n++)
  for (const line of linesOf(n)) utterance(describeLine(catalog, line, 'en-US'));
for (let n = 0; n < nWarmup; n++)
  for (const line of linesOf(n, WARMUP_ITEMS)) utterance(describeLine(catalog, line, 'en-US'));

/** One cooperative caller ordering `items` items, answering every question after its prompt. */
async function runCall(
  n: number,
  items = nItems,
  callSid = `CA-overhead-${n}`,
): Promise<{ probe: CallProbe; caller: SimCaller; turns: number }> {
  const c = new SimCaller({
    url: se.engine.url,
    protocol: 'twilio',
    token: se.token(),
    from: '+14155550100',
    to: '+15550100002',
    callSid,
    // Twilio passes caller and called numbers as stream <Parameter>s.
    customParameters: { elderly: 'false', from: '+14155550100', to: '+15550100002' },
  });
  await c.connect();
  const lines = linesOf(n, items);
  let next = 0;
  let seen = 0;
  let heardAtPrompt = 0;
  let answered = false;
  let turns = 0;
  const heardMs = () => c.heardSegments().reduce((ms, s) => ms + s.samples.length / 8, 0);
  const deadline = performance.now() + 60_000 + items * 30_000;
  while (!c.closeInfo && performance.now() < deadline) {
    const rec = se.call(callSid)?.session?.recorder.record;
    const prompts = rec?.transcript.filter((t) => t.side === 'bot') ?? [];
    const last = prompts.at(-1);
    if (last && prompts.length !== seen) {
      seen = prompts.length;
      heardAtPrompt = heardMs();
      answered = false;
    }
    // Answer once the prompt's audio has arrived and then stopped for 500 ms.
    const seg = c.heardSegments().at(-1);
    const quiet = seg ? c.now() - (seg.startMs + seg.samples.length / 8) : 0;
    if (!last || answered || heardMs() === heardAtPrompt || quiet < 500) {
      await sleep(20);
      continue;
    }
    answered = true;
    const node = last.promptId?.split('#')[0];
    const pending = lines[next];
    let text: string | null = null;
    if (node === 'askItem' && pending) text = describeLine(catalog, pending, 'en-US');
    else if (node === 'confirmItem') {
      text = 'yes';
      next++;
    } else if (node === 'anythingElse') text = next < lines.length ? 'yes' : 'no';
    else if (node === 'readBack' || node === 'confirmAddress' || node === 'confirmNewAddress') text = 'yes';
    // Asked only when the caller ID has no registered address.
    else if (node === 'askAddress') text = ADDRESS;
    if (text === null) continue;
    saying.set(callSid, text);
    await c.play(utterance(text).samples, text);
    turns++;
  }
  if (!c.closeInfo) await c.hangup();
  return { probe: se.call(callSid)!.probe, caller: c, turns };
}

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
/** GC pauses on the performance.now() timeline. */
const gcs: { at: number; ms: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ at: e.startTime, ms: e.duration });
});
gcObserver.observe({ entryTypes: ['gc'] });
/**
 * Event-loop stalls: a 1 ms timer that woke more than 5 ms late (from, to), with the CPU time
 * this process used meanwhile (about the stall's length: it was running code; far less: the
 * operating system ran other processes).
 */
const stalls: { from: number; to: number; cpuMs: number }[] = [];
let lastWake = performance.now();
let lastCpu = process.cpuUsage();
const stallTimer = setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  if (now - lastWake > 6) {
    const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    stalls.push({ from: lastWake, to: now, cpuMs });
  }
  lastWake = now;
  lastCpu = cpu;
}, 1);
// Warm-up calls, one at a time: the first time each kind of turn runs in this process.
const warmups = [];
for (let k = 0; k < nWarmup; k++) warmups.push(await runCall(k, WARMUP_ITEMS, `CA-overhead-warmup-${k}`));
loop.reset();
const load0 = loadavg()[0]!;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const runs = await Promise.all(
  Array.from({ length: nCalls }, (_, i) => sleep(i * 700).then(() => runCall(i))),
);
const wallS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
loop.disable();
gcObserver.disconnect();
clearInterval(stallTimer);

interface Turn {
  overhead: number;
  afterTurn: number;
  endToEnd: number;
  decide: number;
  turn: number;
  answer: number;
  tts: number;
  pace: number;
  vadEndToWire: number;
}

const SLOW_MS = 10;
const CAUSES = ['gc', 'busy', 'descheduled', 'none'] as const;
/**
 * What a slow turn's window overlapped: GC pauses, event-loop stalls (ms of each, and the CPU
 * time used during the stalls). Cause: GC when it paused >= 1 ms; else a stall of >= 5 ms,
 * 'busy' when the process was running code through most of it, 'descheduled' when it was not.
 */
function attribute(from: number, to: number, ttsMs: number) {
  const overlap = (a: number, b: number) => Math.max(0, Math.min(b, to) - Math.max(a, from));
  const gcMs = gcs.reduce((ms, g) => ms + overlap(g.at, g.at + g.ms), 0);
  let stallMs = 0;
  let stallCpuMs = 0;
  for (const st of stalls) {
    const o = overlap(st.from, st.to);
    if (o === 0) continue;
    stallMs += o;
    stallCpuMs += (st.cpuMs * o) / (st.to - st.from);
  }
  const cause: (typeof CAUSES)[number] =
    gcMs >= 1 ? 'gc' : stallMs < 5 ? 'none' : stallCpuMs >= stallMs / 2 ? 'busy' : 'descheduled';
  return {
    afterTurnMs: round(to - from - ttsMs, 1),
    gcMs: round(gcMs, 1),
    stallMs: round(stallMs, 1),
    stallCpuMs: round(stallCpuMs, 1),
    cause,
  };
}
type Slow = ReturnType<typeof attribute> & { turnOfRun: number; said: string };

/** The turns of these calls, each matched final -> words -> synthesis -> first frame written. */
function collect(calls: { probe: CallProbe }[]) {
  const turns: Turn[] = [];
  /** Each turn's time and words, for the first turns of the run in time order. */
  const timeline: { at: number; said: string; afterTurnMs: number }[] = [];
  const slow: Slow[] = [];
  let unmatched = 0;
  const allSaid = calls.flatMap(({ probe }) => probe.of('nlu').map((m) => m.at));
  for (const { probe } of calls) {
    // One turn per time the session handed the caller's words on (NLU, then the dialog).
    for (const said of probe.of('nlu')) {
      const final = probe.marks.findLast((m) => m.kind === 'asr.final' && m.text && m.at <= said.at);
      const start = probe.next('tts.start', said.at);
      const first = start && probe.next('tts.first', start.at);
      const wire = first && probe.next('wire.first', first.at);
      // The answer must be the next thing the session did (no other words in between).
      const later = probe.marks.find((m) => m.kind === 'nlu' && m.at > said.at);
      if (!final || !start || !first || !wire || (later && later.at < start.at)) {
        unmatched++;
        continue;
      }
      const vadEnd = probe.marks.findLast((m) => m.kind === 'vad.end' && m.at <= final.at);
      const tts = first.at - start.at;
      const overhead = wire.at - final.at - tts;
      if (wire.at - said.at - tts >= SLOW_MS) {
        // Which turn of the run (all calls, in time order) and what the caller said: a turn that
        // runs code for the first time in this process (lazy compilation, first use of a
        // grammar or of time-zone data) is slow once, not once per call.
        const nth = allSaid.filter((at) => at < said.at).length + 1;
        slow.push({ ...attribute(said.at, wire.at, tts), turnOfRun: nth, said: said.text ?? '' });
      }
      timeline.push({ at: said.at, said: said.text ?? '', afterTurnMs: round(wire.at - said.at - tts, 2) });
      turns.push({
        overhead,
        afterTurn: wire.at - said.at - tts,
        endToEnd: wire.at - final.at,
        decide: start.at - final.at,
        turn: said.at - final.at,
        answer: start.at - said.at,
        tts,
        pace: wire.at - first.at,
        vadEndToWire: vadEnd ? wire.at - vadEnd.at : Number.NaN,
      });
    }
  }

  return { turns, slow, unmatched, timeline: timeline.sort((a, b) => a.at - b.at) };
}
const { turns, slow, unmatched, timeline } = collect(runs);
/** The run's first turns in time order: with --warmup 0, the process's first run of each turn's code. */
const FIRST_TURNS = 8;
const cold = collect(warmups);

const stat = (k: keyof Turn, of = turns) => {
  const v = of.map((t) => t[k]).filter((x) => Number.isFinite(x));
  return {
    p50: round(percentile(v, 50), 2),
    p99: round(percentile(v, 99), 2),
    max: round(Math.max(...v), 2),
  };
};
const result = {
  bench: 'session-turn-overhead',
  machine: { ...machineInfo(), loadavg1mAtStart: round(load0, 2), loadavg1mAtEnd: round(loadavg()[0]!, 2) },
  setup: {
    transport: 'twilio (real WS gateway)',
    dialog: 'voice-order (elderly off)',
    vad: 'webrtc-vad',
    asr: 'FakeAsr (instant final)',
    tts: 'FakeTts rate 3 (time to first frame subtracted)',
    calls: nCalls,
    itemsPerCall: nItems,
  },
  turns: turns.length,
  unmatched,
  dialogWarmUp: {
    on: dialogWarmUp === 'on',
    ms: round(warmUpMs, 1),
    turns: warmUpRuns.reduce((n, r) => n + r.turns, 0),
  },
  cold: {
    calls: nWarmup,
    turns: cold.turns.length,
    afterTurnMs: stat('afterTurn', cold.turns),
    slow: cold.slow,
  },
  firstTurns: {
    n: Math.min(FIRST_TURNS, timeline.length),
    afterTurnMs: timeline.slice(0, FIRST_TURNS).map((t) => t.afterTurnMs),
    said: timeline.slice(0, FIRST_TURNS).map((t) => t.said),
    max: round(Math.max(...timeline.slice(0, FIRST_TURNS).map((t) => t.afterTurnMs)), 2),
  },
  ordersPlaced: runs.filter((r) =>
    orders.has(se.call(r.caller.callSid)?.session?.recorder.record.callId ?? ''),
  ).length,
  ms: {
    overhead: stat('overhead'),
    afterTurn: stat('afterTurn'),
    endToEnd: stat('endToEnd'),
    decide: stat('decide'),
    turn: stat('turn'),
    answer: stat('answer'),
    tts: stat('tts'),
    pace: stat('pace'),
    vadEndToWire: stat('vadEndToWire'),
  },
  target: { overheadP99Ms: 10, met: stat('overhead').p99 < 10, endToEndMet: stat('endToEnd').p99 < 10 },
  slowTurns: {
    count: slow.length,
    byCause: Object.fromEntries(CAUSES.map((c) => [c, slow.filter((x) => x.cause === c).length])),
    worst: [...slow].sort((a, b) => b.afterTurnMs - a.afterTurnMs).slice(0, 5),
  },
  process: {
    wallS: round(wallS, 1),
    cpuPctOfOneCore: round(((cpu.user + cpu.system) / 1e6 / wallS) * 100, 1),
    gcPauses: {
      count: gcs.filter((g) => g.at >= t0).length,
      totalMs: round(
        gcs.filter((g) => g.at >= t0).reduce((ms, g) => ms + g.ms, 0),
        1,
      ),
    },
    eventLoopDelayMs: {
      p50: round(loop.percentile(50) / 1e6, 2),
      p99: round(loop.percentile(99) / 1e6, 2),
      max: round(loop.max / 1e6, 2),
    },
    cores: cpus().length,
  },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
await se.close();
