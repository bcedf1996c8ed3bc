/**
 * The steady noise floor of the caller's line: the mean power of the background (hiss, hum,
 * traffic) that is there whether anybody talks or not. Minimum statistics: the power of each
 * frame, smoothed over `SMOOTH` frames, is kept as the minimum of each `SUB_FRAMES` sub-window;
 * the floor is the least of the last `SUBS` sub-windows (about 3 s) times `BIAS` (the minimum of
 * a noise's smoothed power sits below its mean). Speech and echo have pauses, so they do not
 * raise it; a louder steady noise is followed within about 3 s, a quieter one at once.
 * Pure: no I/O, powers are given (`HighPassPower` makes them from frames).
 */

/** Corner of the high-pass before the power (as the VADs: the rumble of line noise is not speech). */
const HP_HZ = 200;
/** Frames averaged before the minimum (3 x 20 ms). */
const SMOOTH = 3;
/** Frames per sub-window (500 ms at 20 ms). */
const SUB_FRAMES = 25;
/** Sub-windows kept (3 s). */
const SUBS = 6;
/**
 * Mean / minimum of the 60 ms smoothed power of steady noise over 3 s, about 0.8 dB for
 * high-passed pink and white noise: the estimate is then within 0.2 dB of the mean (brown
 * noise, whose level wanders more slowly: 1.1-1.5 dB under). Measured on the noise fixtures and
 * the benches' pink line noise; engine/session/noise-floor.test.ts checks it.
 */
export const NOISE_FLOOR_BIAS = 1.2;

export class NoiseFloor {
  private readonly recent: number[] = [];
  private readonly subMins: number[] = [];
  private subMin = Number.POSITIVE_INFINITY;
  private subFrames = 0;

  /** One frame's mean power (sample units squared). */
  push(power: number): void {
    this.recent.push(power);
    if (this.recent.length > SMOOTH) this.recent.shift();
    if (this.recent.length === SMOOTH) {
      const smoothed = this.recent.reduce((s, p) => s + p, 0) / SMOOTH;
      if (smoothed < this.subMin) this.subMin = smoothed;
    }
    if (++this.subFrames >= SUB_FRAMES) {
      this.subMins.push(this.subMin);
      if (this.subMins.length > SUBS) this.subMins.shift();
      this.subMin = Number.POSITIVE_INFINITY;
      this.subFrames = 0;
    }
  }

  /** Estimated mean power of the steady noise; 0 until a first minimum is known. */
  get power(): number {
    let min = this.subMin;
    for (const m of this.subMins) if (m < min) min = m;
    return Number.isFinite(min) ? min * NOISE_FLOOR_BIAS : 0;
  }

  /** True once a whole sub-window has been heard. */
  get known(): boolean {
    return this.subMins.length > 0;
  }
}

/** Mean power of each frame after a first-order 200 Hz high-pass (state carried across frames). */
export class HighPassPower {
  private x = 0;
  private y = 0;

  of(samples: Int16Array, sampleRate: number): number {
    if (samples.length === 0) return 0;
    const pole = Math.exp((-2 * Math.PI * HP_HZ) / sampleRate);
    let px = this.x;
    let py = this.y;
    let sum = 0;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] ?? 0;
      py = pole * (py + x - px);
      px = x;
      sum += py * py;
    }
    this.x = px;
    this.y = py;
    return sum / samples.length;
  }
}
