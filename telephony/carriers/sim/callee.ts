/**
 * The callee's side of a simulated call: drives a SimCaller connected to the engine as the
 * persona would behave. A machine plays its greeting and beep, then "records" until the bot
 * hangs up; a human says its greeting, then answers each bot prompt (speech or keys) once the
 * bot has gone quiet, then stays silent until the bot hangs up or its patience runs out.
 */
import type { Language } from '../../../asr-tts/asr.ts';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import type { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import type { Persona } from './persona.ts';

const RATE = 8000;

/** espeak-ng audio at 8 kHz, synthesised once per (language, voice, speed, text). */
export class SpeechCache {
  private readonly tts = new EspeakTts();
  private readonly cache = new Map<string, Promise<Int16Array>>();

  get(text: string, language: Language, voice: string, wpm: number): Promise<Int16Array> {
    const key = `${language}|${voice}|${wpm}|${text}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.render(text, language, voice, wpm);
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  private async render(text: string, language: Language, voice: string, wpm: number): Promise<Int16Array> {
    const chunks: Int16Array[] = [];
    let n = 0;
    for await (const f of this.tts.synthesize(text, { language, voice, rate: wpm / 175, sampleRate: RATE })) {
      chunks.push(f.samples);
      n += f.samples.length;
    }
    const out = new Int16Array(n);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export function beep(hz: number, ms: number, amplitude = 12_000): Int16Array {
  const n = Math.round((ms * RATE) / 1000);
  const ramp = Math.min(40, n >> 2); // 5 ms fades, no clicks
  return Int16Array.from({ length: n }, (_, i) => {
    const env = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    return Math.round(amplitude * env * Math.sin((2 * Math.PI * hz * i) / RATE));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** When the bot's audio heard so far ends on the caller's timeline (ms), 0 before any. */
function botAudioEndMs(caller: SimCaller): number {
  let end = 0;
  for (const s of caller.heardSegments()) end = Math.max(end, s.startMs + (s.samples.length * 1000) / RATE);
  return end;
}

/** Waits until bot audio that ends after `afterMs` has been followed by `gapMs` of quiet. */
async function botPrompt(
  caller: SimCaller,
  afterMs: number,
  gapMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted && caller.connected) {
    const end = botAudioEndMs(caller);
    if (end > afterMs && caller.now() - end >= gapMs) return true;
    await sleep(50, signal);
  }
  return false;
}

export interface CalleeScript {
  caller: SimCaller;
  persona: Persona;
  kind: 'human' | 'machine';
  speech: SpeechCache;
  /** Aborted when the carrier closes. */
  signal: AbortSignal;
}

/** Runs the persona on a connected caller until the call ends; always hangs up at the end. */
export async function runCallee({ caller, persona, kind, speech, signal }: CalleeScript): Promise<void> {
  const closed = new AbortController();
  void caller.closed().then(() => closed.abort());
  const stop = AbortSignal.any([signal, closed.signal]);
  try {
    if (kind === 'machine') {
      const vm = persona.voicemail!;
      const greeting = await speech.get(
        vm.greeting,
        persona.language,
        vm.voice ?? persona.voice,
        persona.wpm,
      );
      await caller.silence(vm.delayMs);
      await caller.play(greeting, 'voicemail-greeting');
      await caller.play(beep(vm.beepHz, vm.beepMs), 'beep');
      await sleep(vm.recordMs, stop);
      return;
    }
    const h = persona.human;
    const started = caller.now();
    const greeting = await speech.get(h.greeting, persona.language, persona.voice, persona.wpm);
    await caller.silence(h.delayMs);
    // A prompt that answers what the callee said ends after the callee started saying it.
    let spokeAt = 0;
    await caller.play(greeting, 'greeting');
    for (const reply of h.replies) {
      const deadline = AbortSignal.any([
        stop,
        AbortSignal.timeout(Math.max(0, Math.round(h.maxCallMs - (caller.now() - started)))),
      ]);
      if (!(await botPrompt(caller, spokeAt, h.promptGapMs, deadline))) return;
      spokeAt = caller.now();
      if ('say' in reply) {
        await caller.play(await speech.get(reply.say, persona.language, persona.voice, persona.wpm), 'reply');
      } else if ('dtmf' in reply) {
        for (const key of reply.dtmf) {
          caller.dtmf(key);
          await sleep(150, stop);
        }
      } else {
        await caller.silence(reply.silenceMs);
      }
    }
    await sleep(Math.max(0, h.maxCallMs - (caller.now() - started)), stop);
  } finally {
    if (caller.connected) await caller.hangup();
  }
}
