/** Sample rates the engine handles internally. Telephony is 8 kHz; wideband speech is 16 kHz. */
export type SampleRate = 8000 | 16000;

export const FRAME_MS = 20;

/** One chunk of mono PCM16 audio. `timestampMs` is the media time of the first sample. */
export interface AudioFrame {
  samples: Int16Array;
  sampleRate: SampleRate;
  timestampMs: number;
}

export function samplesPerFrame(sampleRate: SampleRate, frameMs = FRAME_MS): number {
  return (sampleRate * frameMs) / 1000;
}

export function frameDurationMs(frame: AudioFrame): number {
  return (frame.samples.length * 1000) / frame.sampleRate;
}

export function isSampleRate(n: number): n is SampleRate {
  return n === 8000 || n === 16000;
}

/** Splits continuous PCM into 20 ms frames; the last partial frame is zero-padded. */
export function* toFrames(
  samples: Int16Array,
  sampleRate: SampleRate,
  startMs = 0,
  frameMs = FRAME_MS,
): Generator<AudioFrame> {
  const n = samplesPerFrame(sampleRate, frameMs);
  for (let i = 0, t = startMs; i < samples.length; i += n, t += frameMs) {
    let chunk = samples.subarray(i, i + n);
    if (chunk.length < n) {
      const padded = new Int16Array(n);
      padded.set(chunk);
      chunk = padded;
    }
    yield { samples: chunk, sampleRate, timestampMs: t };
  }
}
