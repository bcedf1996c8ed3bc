import { Pacer, type PacingOptions } from './pacer.ts';
import { TokenBucket } from './token-bucket.ts';

/**
 * A discrete-event simulation of agent-aware pacing in virtual time (pure, seeded): calls are
 * placed as the Pacer says, ring and end as human / machine / busy / no answer, a person
 * answered needs a free agent within `maxWaitMs` after AMD or the call is abandoned, agents
 * talk exp(AHT) and wrap up. Used by bench/dialer-predictive.ts and the pacing tests.
 */
export interface SimOptions {
  agents: number;
  contacts: number;
  pacing: PacingOptions;
  seed?: number;
  mix?: { human: number; machine: number; busy: number; noAnswer: number };
  ahtMs?: number;
  wrapMs?: number;
  amdMs?: number;
  maxWaitMs?: number;
  ringTimeoutMs?: number;
  cps?: number;
}

export interface SimResult {
  agents: number;
  mode: string;
  dials: number;
  humans: number;
  abandoned: number;
  abandonRate: number;
  /** Talk time / (agents x time until the last dial). */
  occupancy: number;
  finalLevel: number;
  hours: number;
}

/** mulberry32: small, seeded, good enough for a simulation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Ev = { at: number; seq: number; run: () => void };

export function simulatePacing(o: SimOptions): SimResult {
  const rand = rng(o.seed ?? 1);
  const mix = o.mix ?? { human: 0.2, machine: 0.15, busy: 0.1, noAnswer: 0.55 };
  const aht = o.ahtMs ?? 180_000;
  const wrap = o.wrapMs ?? 10_000;
  const amd = o.amdMs ?? 2500;
  const maxWait = o.maxWaitMs ?? 2000;
  const ringTimeout = o.ringTimeoutMs ?? 25_000;
  const pacer = new Pacer(o.pacing);
  const bucket = new TokenBucket(o.cps ?? 5);
  const events: Ev[] = [];
  let seq = 0;
  let now = 0;
  const at = (t: number, run: () => void) => {
    events.push({ at: t, seq: seq++, run });
  };
  let ready = o.agents;
  let inFlight = 0;
  let left = o.contacts;
  let dials = 0;
  let talkMs = 0;
  let lastDialAt = 0;
  const queue: { since: number; done: boolean }[] = [];

  const freeAgent = () => {
    const next = queue.shift();
    if (next) {
      next.done = true;
      inFlight--;
      connect();
    } else ready++;
  };
  const connect = () => {
    pacer.recordHuman();
    const talk = -Math.log(1 - rand()) * aht;
    talkMs += talk;
    at(now + talk + wrap, freeAgent);
  };
  const human = () => {
    if (ready > 0) {
      ready--;
      inFlight--;
      connect();
      return;
    }
    const w = { since: now, done: false };
    queue.push(w);
    at(now + maxWait, () => {
      if (w.done) return;
      queue.splice(queue.indexOf(w), 1);
      inFlight--;
      pacer.recordHuman();
      pacer.recordDrop();
    });
  };
  const dial = () => {
    dials++;
    left--;
    inFlight++;
    lastDialAt = now;
    const r = rand();
    const answerAt = now + 5000 + rand() * 15_000;
    if (r < mix.human) at(answerAt + amd, human);
    else if (r < mix.human + mix.machine) at(answerAt + amd, () => inFlight--);
    else if (r < mix.human + mix.machine + mix.busy) at(now + 2000 + rand() * 2000, () => inFlight--);
    else at(now + ringTimeout, () => inFlight--);
  };
  const pace = () => {
    let n = pacer.linesToDial(ready, inFlight);
    while (n > 0 && left > 0 && bucket.tryTake(now)) {
      dial();
      n--;
    }
  };
  const tick = () => {
    pacer.sample(now, { agents: o.agents, ready, waiting: queue.length });
    pace();
    if (left > 0 || inFlight > 0) at(now + 200, tick);
  };
  at(0, tick);
  while (events.length > 0) {
    let best = 0;
    for (let i = 1; i < events.length; i++) {
      const e = events[i]!;
      const b = events[best]!;
      if (e.at < b.at || (e.at === b.at && e.seq < b.seq)) best = i;
    }
    const ev = events[best]!;
    events[best] = events[events.length - 1]!;
    events.pop();
    now = ev.at;
    ev.run();
  }
  const s = pacer.state();
  const span = Math.max(1, lastDialAt);
  return {
    agents: o.agents,
    mode: o.pacing.mode,
    dials,
    humans: s.humans,
    abandoned: s.drops,
    abandonRate: s.dropRate,
    occupancy: Math.min(1, talkMs / (o.agents * span)),
    finalLevel: s.level,
    hours: span / 3_600_000,
  };
}
