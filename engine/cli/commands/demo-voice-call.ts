/**
 * The demo caller's view of a voice call: waits for what the bot says (the session's transcript)
 * and for its audio to reach the caller's ear, and speaks espeak-ng utterances through the
 * G.711 phone channel. Every wait ends at the demo's deadline or when the call ends, with an
 * error that says what was awaited and what the bot said last.
 */

import type { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import { phoneChannel, speak } from '../../../fixtures/speech/generate.ts';
import type { CallEventEntry, TranscriptEntry } from '../../calls/call-record.ts';
import type { CallSession } from '../../session/session.ts';
import { waitFor } from '../../testing/wait-for.ts';

/** A bot prompt as the caller meets it: its text and when it was said, on the caller's clock. */
export interface HeardPrompt {
  text: string;
  callerAtMs: number;
}

/** Audio quieter than this long after a prompt means the caller has heard it out. */
const QUIET_MS = 400;
/** Samples below this (about -40 dBFS) are silence at the end of an utterance. */
const SILENT = 300;

export class DemoCall {
  private seenBotLines = 0;

  constructor(
    readonly caller: SimCaller,
    private readonly session: () => CallSession | undefined,
    /** performance.now() by which the whole demo must be over. */
    private readonly deadline: number,
  ) {}

  /** The session's transcript so far. */
  transcript(): TranscriptEntry[] {
    return this.session()?.recorder.record.transcript ?? [];
  }

  events(): CallEventEntry[] {
    return this.session()?.recorder.record.events ?? [];
  }

  /** ms to add to a call record time to get the caller's clock (0 before the session exists). */
  recordToCallerMs(): number {
    const s = this.session();
    return s ? performance.now() - s.recorder.now() - this.caller.startedAt : 0;
  }

  /** Polls `check` until it returns a value; throws at the deadline or when the call has ended. */
  until<T>(what: string, check: () => T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
    return waitFor(check, {
      what,
      timeoutMs: Math.max(0, Math.min(this.deadline - performance.now(), timeoutMs)),
      stopIf: () => {
        const closed = this.caller.closeInfo;
        return closed ? `the call ended (closed by ${closed.by})` : undefined;
      },
      detail: () => this.lastWords(),
    });
  }

  /**
   * Waits for the bot's next prompt matching `re` (prompts before it are passed over), then, with
   * `heard: 'all'`, for its audio to have played out at the caller.
   */
  async prompt(re: RegExp, heard: 'all' | 'said' = 'all'): Promise<HeardPrompt> {
    const p = await this.until(`the bot to say ${re}`, () => this.saidAlready(re));
    if (heard === 'all') await this.heardOut(p);
    return p;
  }

  /** The bot's next prompt matching `re` if it has been said already (prompts before it are passed over). */
  saidAlready(re: RegExp): HeardPrompt | undefined {
    const bot = this.transcript().filter((t) => t.side === 'bot');
    const i = bot.findIndex((t, n) => n >= this.seenBotLines && re.test(t.text));
    if (i < 0) return undefined;
    this.seenBotLines = i + 1;
    return { text: bot[i]!.text, callerAtMs: bot[i]!.atMs + this.recordToCallerMs() };
  }

  /** ms of bot audio the caller has heard since `p` was said. */
  heardMs(p: HeardPrompt): number {
    const now = this.caller.now();
    let ms = 0;
    for (const s of this.caller.heardSegments()) {
      if (s.arrivedMs < p.callerAtMs || s.startMs > now) continue;
      ms += Math.min((s.samples.length * 1000) / this.caller.sampleRate, now - s.startMs);
    }
    return ms;
  }

  /** Waits until `ms` of the prompt's audio has played at the caller. */
  heardFor(p: HeardPrompt, ms: number): Promise<true> {
    return this.until(`${ms} ms of "${p.text}" to play`, () => this.heardMs(p) >= ms);
  }

  /** Waits until the prompt's audio has started and the line has then been quiet for a moment. */
  heardOut(p: HeardPrompt): Promise<true> {
    return this.until(`"${p.text}" to play out`, () => {
      const seg = this.caller.heardSegments().at(-1);
      if (!seg || seg.arrivedMs < p.callerAtMs) return false;
      const endMs = seg.startMs + (seg.samples.length * 1000) / this.caller.sampleRate;
      return this.caller.now() - endMs > QUIET_MS;
    });
  }

  /** Speaks `text` (espeak-ng at `wpm` words a minute, through G.711); resolves once sent. */
  say(text: string, wpm = 130): Promise<void> {
    const voice = phoneChannel(speak(text, 'en-us', wpm));
    // espeak-ng ends with silence of its own: cut it, so that the caller's speech end (where
    // response times start) is the end of its voice; the line carries silence between words.
    let end = voice.length;
    while (end > 0 && Math.abs(voice[end - 1]!) < SILENT) end--;
    return this.caller.play(voice.subarray(0, Math.min(voice.length, end + 8 * 50)), text);
  }

  /** Waits for a call record event of `type` after the caller-clock time `afterMs`. */
  event(type: string, afterMs: number, timeoutMs = 10_000): Promise<CallEventEntry> {
    return this.until(
      `the engine's ${type} event`,
      () => this.events().find((e) => e.type === type && e.atMs + this.recordToCallerMs() >= afterMs),
      timeoutMs,
    );
  }

  /** Waits for the bot to end the call. */
  async botHangsUp(timeoutMs = 30_000): Promise<void> {
    const closed = await waitFor(() => this.caller.closeInfo, {
      what: 'the bot to hang up',
      timeoutMs: Math.max(0, Math.min(this.deadline - performance.now(), timeoutMs)),
      detail: () => this.lastWords(),
    });
    if (closed.by !== 'bot') throw new Error('the call was closed by the caller, not the bot');
  }

  private lastWords(): string {
    const said = this.transcript()
      .filter((t) => t.side === 'bot')
      .slice(-2)
      .map((t) => `"${t.text}"`);
    return said.length ? `; the bot's last words: ${said.join(', ')}` : '; the bot has said nothing';
  }
}
