/**
 * Goertzel single-bin power, shared by the tone detectors (voicemail beep, SIT). Pure.
 * A pure tone of amplitude A at the bin's frequency over n samples gives power ~ (A n / 2)^2
 * while the window's energy (sum of squares) is ~ A^2 n / 2, so `2 * power / (n * energy)` is
 * the share of the window's energy at that frequency (~1 for a clean tone).
 */

/** The recurrence coefficient 2 cos(2 pi f / rate). */
export function goertzelCoeff(frequencyHz: number, sampleRate: number): number {
  return 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
}

/** Power of one frequency bin over the first `n` samples of `window`. */
export function goertzelPower(window: ArrayLike<number>, coeff: number, n = window.length): number {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = window[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** Sum of squares and mean |sample| of the first `n` samples. */
export function windowLevel(
  window: ArrayLike<number>,
  n = window.length,
): { energy: number; meanAbs: number } {
  let energy = 0;
  let absSum = 0;
  for (let i = 0; i < n; i++) {
    const v = window[i]!;
    energy += v * v;
    absSum += Math.abs(v);
  }
  return { energy, meanAbs: n === 0 ? 0 : absSum / n };
}

/** Share (0..1) of the window's energy at a bin of the given power. */
export function toneShare(power: number, n: number, energy: number): number {
  return energy === 0 ? 0 : (2 * power) / (n * energy);
}
