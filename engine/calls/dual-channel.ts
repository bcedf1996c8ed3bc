/**
 * Dual-channel call recording: the caller on the left channel, the bot on the right, on one
 * timeline. Caller audio is appended as it arrives (the line streams continuously); bot audio
 * is placed where it starts playing, and what a barge-in flushed is cut off again.
 * `wav()` writes a 16-bit stereo WAV. Pure, in memory; bounded by `maxMs` (default 30 min).
 */

export class DualChannelRecorder {
  private left: Int16Array;
  private right: Int16Array;
  private leftLen = 0;
  private rightLen = 0;
  private readonly maxSamples: number;

  constructor(
    readonly sampleRate: number,
    maxMs = 30 * 60_000,
  ) {
    this.maxSamples = Math.round((maxMs * sampleRate) / 1000);
    this.left = new Int16Array(sampleRate * 10);
    this.right = new Int16Array(sampleRate * 10);
  }

  private grow(buf: Int16Array, need: number): Int16Array {
    if (need <= buf.length) return buf;
    const next = new Int16Array(Math.min(this.maxSamples, Math.max(need, buf.length * 2)));
    next.set(buf);
    return next;
  }

  /** The caller's next frame. */
  caller(samples: Int16Array): void {
    const n = Math.min(samples.length, this.maxSamples - this.leftLen);
    if (n <= 0) return;
    this.left = this.grow(this.left, this.leftLen + n);
    this.left.set(samples.subarray(0, n), this.leftLen);
    this.leftLen += n;
  }

  /** Bot audio that starts playing `atMs` after the call started. */
  bot(samples: Int16Array, atMs: number): void {
    const at = Math.max(0, Math.round((atMs * this.sampleRate) / 1000));
    const n = Math.min(samples.length, this.maxSamples - at);
    if (n <= 0) return;
    this.right = this.grow(this.right, at + n);
    this.right.set(samples.subarray(0, n), at);
    this.rightLen = Math.max(this.rightLen, at + n);
  }

  /** Playback flushed `atMs` after the call started: bot audio after it never played. */
  cut(atMs: number): void {
    const at = Math.max(0, Math.round((atMs * this.sampleRate) / 1000));
    if (at < this.rightLen) {
      this.right.fill(0, at, this.rightLen);
      this.rightLen = at;
    }
  }

  /** Samples per channel. */
  get length(): number {
    return Math.max(this.leftLen, this.rightLen);
  }

  channels(): { left: Int16Array; right: Int16Array } {
    const n = this.length;
    const left = new Int16Array(n);
    left.set(this.left.subarray(0, Math.min(n, this.leftLen)));
    const right = new Int16Array(n);
    right.set(this.right.subarray(0, Math.min(n, this.rightLen)));
    return { left, right };
  }

  wav(): Uint8Array {
    const { left, right } = this.channels();
    const n = left.length;
    const out = new Uint8Array(44 + n * 4);
    const v = new DataView(out.buffer);
    const ascii = (at: number, s: string): void => {
      for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
    };
    ascii(0, 'RIFF');
    v.setUint32(4, out.length - 8, true);
    ascii(8, 'WAVE');
    ascii(12, 'fmt ');
    v.setUint32(16, 16, true);
    v.setUint16(20, 1, true);
    v.setUint16(22, 2, true);
    v.setUint32(24, this.sampleRate, true);
    v.setUint32(28, this.sampleRate * 4, true);
    v.setUint16(32, 4, true);
    v.setUint16(34, 16, true);
    ascii(36, 'data');
    v.setUint32(40, n * 4, true);
    for (let i = 0; i < n; i++) {
      v.setInt16(44 + i * 4, left[i] ?? 0, true);
      v.setInt16(46 + i * 4, right[i] ?? 0, true);
    }
    return out;
  }
}
