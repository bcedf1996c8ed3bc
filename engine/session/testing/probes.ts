/**
 * Timing probes for session benchmarks: wrappers around the speech adapters (and the leg's
 * pacer tick) that stamp, on one call's timeline (performance.now()), the moments the session
 * itself never reports: the VAD deciding speech started or ended, the recognizer's final being
 * handed over, synthesis asked for and its first frame, the first frame of a burst written to
 * the socket; and when each caller frame reached the session. The wrapped adapters behave exactly like the inner ones; nothing in the session
 * changes.
 */
import type { AsrAdapter, AsrEvent, RecognizeOptions, RecognizeStream } from '../../../asr-tts/asr.ts';
import type { SynthesizeOptions, TtsAdapter } from '../../../asr-tts/tts.ts';
import type { Vad } from '../../../asr-tts/vad.ts';
import type { Nlu } from '../../../dialogs/nlu/types.ts';
import type { CallLeg } from '../../../telephony/call-leg.ts';
import type { AudioFrame } from '../../audio/frame.ts';

export type ProbeKind =
  | 'vad.start'
  | 'vad.end'
  | 'asr.flush'
  | 'asr.final'
  | 'nlu'
  | 'tts.start'
  | 'tts.first'
  | 'wire.first'
  | 'clear';

export interface ProbeMark {
  kind: ProbeKind;
  /** performance.now() when it happened. */
  at: number;
  /** VAD events: the media time (ms of caller audio) the detector put on the boundary. */
  mediaMs?: number;
  text?: string;
}

/** One call's marks, in the order they happened. */
export class CallProbe {
  readonly marks: ProbeMark[] = [];
  /** Set by a synthesis start; the next frame written to the socket is stamped `wire.first`. */
  private awaitingWire = false;
  /** When each caller frame reached the session (performance.now()), by its media time in ms. */
  readonly arrivals = new Map<number, number>();

  mark(kind: ProbeKind, extra: Omit<ProbeMark, 'kind' | 'at'> = {}): void {
    this.marks.push({ kind, at: performance.now(), ...extra });
    if (kind === 'tts.start') this.awaitingWire = true;
  }

  /** A frame went onto the socket. */
  wrote(): void {
    if (!this.awaitingWire) return;
    this.awaitingWire = false;
    this.mark('wire.first');
  }

  of(kind: ProbeKind): ProbeMark[] {
    return this.marks.filter((m) => m.kind === kind);
  }

  /** The first mark of `kind` at or after `at`. */
  next(kind: ProbeKind, at: number): ProbeMark | undefined {
    return this.marks.find((m) => m.kind === kind && m.at >= at);
  }
}

export function probeVad(make: (rate: 8000 | 16000) => Vad | Promise<Vad>, probe: CallProbe) {
  return async (rate: 8000 | 16000): Promise<Vad> => {
    const inner = await make(rate);
    return {
      name: inner.name,
      get speaking() {
        return inner.speaking;
      },
      process(frame: AudioFrame) {
        probe.arrivals.set(frame.timestampMs, performance.now());
        const events = inner.process(frame);
        for (const e of events)
          probe.mark(e.type === 'vad.speech_start' ? 'vad.start' : 'vad.end', { mediaMs: e.atMs });
        return events;
      },
      reset: () => inner.reset(),
      close: () => inner.close?.(),
    };
  };
}

/** Stamps `asr.flush` when the session forces a final and `asr.final` as each final is handed over. */
export function probeAsr(inner: AsrAdapter, probe: CallProbe): AsrAdapter {
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    stream(options: RecognizeOptions): RecognizeStream {
      const s = inner.stream(options);
      return {
        push: (frame) => s.push(frame),
        flush: () => {
          probe.mark('asr.flush');
          s.flush();
        },
        end: () => s.end(),
        close: () => s.close(),
        async *[Symbol.asyncIterator](): AsyncIterator<AsrEvent> {
          for await (const e of s) {
            if (e.type === 'asr.final') probe.mark('asr.final', { text: e.text });
            yield e;
          }
        },
      };
    },
  };
}

/** Stamps `nlu` as the session hands the caller's words to the NLU (then to the dialog). */
export function probeNlu(inner: Nlu, probe: CallProbe): Nlu {
  return {
    parse(text, context) {
      probe.mark('nlu', { text });
      return inner.parse(text, context);
    },
  };
}

/** Stamps `tts.start` when a prompt is asked for and `tts.first` as its first frame is handed over. */
export function probeTts(inner: TtsAdapter, probe: CallProbe): TtsAdapter {
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    async *synthesize(text: string, options: SynthesizeOptions, signal?: AbortSignal) {
      probe.mark('tts.start', { text });
      let first = true;
      for await (const frame of inner.synthesize(text, options, signal)) {
        if (first) probe.mark('tts.first', { text });
        first = false;
        yield frame;
      }
    },
  };
}

/**
 * Stamps the leg's outbound side: `wire.first` when the first frame after a synthesis start
 * leaves (on a pacer tick, or at once from an idle stream), `clear` when playback is flushed.
 * Wraps the instance's own methods (the pacer, and the leg itself for a frame it writes at once,
 * call `onTick()` on the leg object), so the transport code runs unchanged.
 */
export function probeLeg(leg: CallLeg & { onTick?: (slotAt?: number) => void }, probe: CallProbe): void {
  const tick = leg.onTick?.bind(leg);
  if (tick) {
    leg.onTick = (slotAt?: number) => {
      const before = leg.queuedMs();
      tick(slotAt);
      if (leg.queuedMs() < before) probe.wrote();
    };
  }
  const clear = leg.clear.bind(leg);
  leg.clear = () => {
    probe.mark('clear');
    clear();
  };
}
