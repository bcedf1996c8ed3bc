/**
 * One prompt's audio as synthesized, and how much of it the caller has heard: the pieces handed
 * to the leg with the wall time each starts playing. Pure: times are given.
 */

interface Piece {
  from: number;
  to: number;
  startMs: number;
}

const BLOCK_MS = 20;

export class PromptTrack {
  private chunks: Int16Array[] = [];
  private length = 0;
  /** Samples handed to the leg (or, after a cut, heard). */
  private sent = 0;
  private pieces: Piece[] = [];
  /** Synthesis has finished: `length` is the whole prompt. */
  synthesized = false;

  constructor(
    readonly promptId: string,
    readonly mark: string,
    private readonly sampleRate: number,
  ) {}

  append(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.chunks.push(samples.slice());
    this.length += samples.length;
  }

  /** Samples not yet handed to the leg, recorded as starting to play at `startMs`. */
  takeUnsent(startMs: number): Int16Array {
    const out = this.slice(this.sent, this.length);
    if (out.length > 0) this.pieces.push({ from: this.sent, to: this.length, startMs });
    this.sent = this.length;
    return out;
  }

  /** The leg was cleared at `nowMs`: what had not played yet counts as not sent. */
  cutAt(nowMs: number): void {
    // Nothing of it played since the last cut: the place stays where the pieces began.
    let heard = this.pieces[0]?.from ?? this.sent;
    for (const p of this.pieces) {
      if (p.startMs >= nowMs) continue;
      heard = Math.max(
        heard,
        Math.min(p.to, p.from + Math.floor(((nowMs - p.startMs) * this.sampleRate) / 1000)),
      );
    }
    this.sent = heard;
    this.pieces = [];
  }

  /** Every sample was synthesized and has been heard (after a cut) or handed out. */
  get finished(): boolean {
    return this.synthesized && this.sent >= this.length;
  }

  /** Where a resumed prompt starts: `back` samples before the cut, at the quietest block up to `search` before that. */
  rewind(back: number, search: number): void {
    if (this.sent === 0) return;
    const target = Math.max(0, this.sent - back);
    const block = (this.sampleRate * BLOCK_MS) / 1000;
    let best = target;
    let bestPower = Number.POSITIVE_INFINITY;
    for (let at = target; at >= Math.max(0, target - search); at -= block) {
      const p = power(this.slice(at, Math.min(this.length, at + block)));
      if (p < bestPower) {
        bestPower = p;
        best = at;
      }
    }
    this.sent = best;
  }

  /** Samples heard (or handed out) so far: the resume point. */
  get position(): number {
    return this.sent;
  }

  private slice(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, to - from));
    let at = 0;
    for (const c of this.chunks) {
      const lo = Math.max(from - at, 0);
      const hi = Math.min(to - at, c.length);
      if (hi > lo) out.set(c.subarray(lo, hi), at + lo - from);
      at += c.length;
      if (at >= to) break;
    }
    return out;
  }
}

function power(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return samples.length === 0 ? 0 : sum / samples.length;
}
