/**
 * Embedded TTS: the espeak-ng program (Debian package `espeak-ng`), its 22050 Hz output resampled
 * in-process to the requested rate (RationalResampler; an earlier sox pipe cost one more process
 * and ~100 ms of first audio). Text goes in on stdin (never as an argument), audio is streamed
 * out as 20 ms frames while espeak-ng is still speaking, and aborting the signal kills it.
 *
 * Chosen over the npm WASM builds after measuring (docs/speech.md): the program gives its first
 * audio in ~110 ms and streams, the WASM build (espeak-ng 1.0.2) returns only a whole file after
 * 0.7-1.5 s per call; both ship cmn.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { VoicebotError } from '../../../engine/errors.ts';
import type { Language } from '../../asr.ts';
import { FrameChunker } from '../../frame-chunker.ts';
import type { SynthesizeOptions, TtsAdapter, TtsCapabilities } from '../../tts.ts';
import { validateSynthesis } from '../../tts-options.ts';
import { RationalResampler } from './rational-resampler.ts';

/** espeak-ng voices per language; the first is the default. `+f3` etc. are espeak variants. */
export const ESPEAK_VOICES: Record<Language, string[]> = {
  'en-US': ['en-us', 'en-us+f3', 'en-us+m3', 'en-gb', 'en-gb+f2'],
  'zh-CN': ['cmn', 'cmn+f3', 'cmn+m3'],
};

/** espeak-ng's default speed, in words per minute, used for rate 1. */
const BASE_WPM = 175;

export interface EspeakTtsOptions {
  /** Program path, for tests and unusual installs. */
  espeakPath?: string;
  /** Pitch 0..99 (espeak default 50). */
  pitch?: number;
}

export class EspeakTts implements TtsAdapter {
  readonly name = 'espeak-ng';
  readonly capabilities: TtsCapabilities = {
    streaming: true,
    languages: ['en-US', 'zh-CN'],
    voices: Object.values(ESPEAK_VOICES).flat(),
    sampleRates: [8000, 16000],
  };
  readonly #opts: EspeakTtsOptions;

  constructor(opts: EspeakTtsOptions = {}) {
    this.#opts = opts;
  }

  async *synthesize(
    text: string,
    options: SynthesizeOptions,
    signal?: AbortSignal,
  ): AsyncIterable<AudioFrame> {
    validateSynthesis(this.name, this.capabilities, text, options);
    const voices = ESPEAK_VOICES[options.language];
    const voice = options.voice ?? voices[0]!;
    if (!voices.includes(voice)) {
      throw new VoicebotError(
        'TTS_BAD_REQUEST',
        `espeak-ng: voice ${voice} does not speak ${options.language}`,
        {
          voice,
          language: options.language,
        },
      );
    }
    if (signal?.aborted) return;
    const wpm = Math.max(80, Math.min(450, Math.round(BASE_WPM * (options.rate ?? 1))));
    const args = ['-v', voice, '-s', String(wpm), '-b', '1', '--stdout'];
    if (this.#opts.pitch !== undefined) args.push('-p', String(this.#opts.pitch));
    const espeak = spawn(this.#opts.espeakPath ?? 'espeak-ng', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const failure = watch([espeak]);
    espeak.stdin.on('error', () => {});
    espeak.stdin.end(text);
    const kill = () => {
      if (espeak.exitCode === null) espeak.kill('SIGKILL');
      espeak.stdout.destroy();
    };
    signal?.addEventListener('abort', kill, { once: true });
    const chunker = new FrameChunker(options.sampleRate);
    let header: Buffer | undefined = Buffer.alloc(0);
    let resampler: RationalResampler | undefined;
    let odd: number | undefined;
    try {
      for await (const chunk of espeak.stdout as AsyncIterable<Buffer>) {
        if (signal?.aborted) return;
        let bytes = chunk;
        if (header) {
          header = Buffer.concat([header, chunk]);
          if (header.length < WAV_HEADER_BYTES) continue;
          resampler = new RationalResampler(readEspeakRate(header), options.sampleRate);
          bytes = header.subarray(WAV_HEADER_BYTES);
          header = undefined;
        }
        if (odd !== undefined) {
          bytes = Buffer.concat([Buffer.of(odd), bytes]);
          odd = undefined;
        }
        if (bytes.length % 2 === 1) {
          odd = bytes[bytes.length - 1];
          bytes = bytes.subarray(0, bytes.length - 1);
        }
        const samples = new Int16Array(bytes.length / 2);
        for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
        for (const f of chunker.push(resampler!.process(samples))) {
          yield f;
          if (signal?.aborted) return;
        }
      }
      const err = await failure;
      if (err) throw err;
      if (resampler) for (const f of chunker.push(resampler.flush())) yield f;
      const last = chunker.flush();
      if (last && !signal?.aborted) yield last;
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    } finally {
      signal?.removeEventListener('abort', kill);
      kill();
    }
  }
}

/** espeak-ng --stdout writes a canonical 44-byte WAV header (PCM16 mono) with an open length. */
const WAV_HEADER_BYTES = 44;

function readEspeakRate(h: Buffer): number {
  const ok =
    h.toString('latin1', 0, 4) === 'RIFF' &&
    h.toString('latin1', 8, 12) === 'WAVE' &&
    h.toString('latin1', 36, 40) === 'data' &&
    h.readUInt16LE(20) === 1 &&
    h.readUInt16LE(22) === 1 &&
    h.readUInt16LE(34) === 16;
  if (!ok) {
    throw new VoicebotError(
      'TTS_FAILED',
      'espeak-ng wrote an unexpected WAV header (expected PCM16 mono, 44 bytes)',
      {
        header: h.subarray(0, WAV_HEADER_BYTES).toString('hex'),
      },
    );
  }
  return h.readUInt32LE(24);
}

/** Resolves when all processes exit: undefined if all succeeded, else the first failure as an error. */
function watch(procs: ChildProcess[]): Promise<VoicebotError | undefined> {
  return Promise.all(
    procs.map(
      (p) =>
        new Promise<VoicebotError | undefined>((resolve) => {
          let stderr = '';
          p.stderr?.on('data', (d: Buffer) => {
            if (stderr.length < 2000) stderr += d.toString();
          });
          p.on('error', (err: NodeJS.ErrnoException) => {
            const program = p.spawnfile;
            resolve(
              err.code === 'ENOENT'
                ? new VoicebotError(
                    'SPEECH_ENGINE_MISSING',
                    `${program} is not installed (not found on PATH)`,
                    {
                      program,
                    },
                  )
                : new VoicebotError('TTS_FAILED', `${program} could not start: ${err.message}`, { program }),
            );
          });
          p.on('close', (code, sig) => {
            if (code === 0 || sig === 'SIGKILL') resolve(undefined);
            else
              resolve(
                new VoicebotError(
                  'TTS_FAILED',
                  `${p.spawnfile} exited with ${code ?? sig}: ${stderr.trim()}`,
                  {
                    program: p.spawnfile,
                  },
                ),
              );
          });
        }),
    ),
  ).then((results) => results.find((r) => r !== undefined));
}
