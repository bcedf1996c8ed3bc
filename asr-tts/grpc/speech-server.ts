/**
 * A gRPC server speaking NVIDIA Riva's two streaming services (RivaSpeechRecognition/
 * StreamingRecognize and RivaSpeechSynthesis/SynthesizeOnline), backed by any AsrAdapter and
 * TtsAdapter (normally the embedded engines), so speech can run on a separate machine and any
 * Riva client — including voicebot's own Riva adapters — can use it.
 *
 * Bad input gets a precise gRPC status: INVALID_ARGUMENT for a first message that is not a config,
 * an unsupported encoding/rate/language, audio with a split sample or empty text; each call is
 * isolated, so one bad client never affects another.
 */
import * as grpc from '@grpc/grpc-js';
import { type AudioFrame, isSampleRate, type SampleRate, samplesPerFrame } from '../../engine/audio/frame.ts';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../engine/audio/g711.ts';
import { int16ToBytes } from '../../engine/audio/pcm.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { AsrAdapter, AsrEvent, Grammar, Language, RecognizeOptions, RecognizeStream } from '../asr.ts';
import type { TtsAdapter } from '../tts.ts';
import {
  GRAMMAR_KEY,
  type RivaEncoding,
  type RivaStreamingRequest,
  type RivaStreamingResponse,
  type RivaSynthesizeRequest,
  type RivaSynthesizeResponse,
  rivaServices,
} from './riva-proto.ts';
import { parseSsml } from './ssml.ts';
import { grpcStatusForError } from './status-map.ts';

export interface SpeechServerOptions {
  /** Serves RivaSpeechRecognition when given. */
  asr?: AsrAdapter;
  /** Serves RivaSpeechSynthesis when given. */
  tts?: TtsAdapter;
  log?: Logger;
}

export interface SpeechServer {
  /** Binds and starts; returns the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting calls, lets running calls finish for up to `graceMs`, then cancels them. */
  shutdown(graceMs?: number): Promise<void>;
}

class BadRequest extends Error {}

function parseGrammar(json: string): Grammar {
  let g: unknown;
  try {
    g = JSON.parse(json);
  } catch {
    throw new BadRequest(`custom_configuration.${GRAMMAR_KEY} is not JSON`);
  }
  const kind = (g as { kind?: unknown } | null)?.kind;
  if (kind === 'yesno') return { kind };
  if (kind === 'digits') {
    const { minLength, maxLength } = g as { minLength?: unknown; maxLength?: unknown };
    const ok = (n: unknown) => n === undefined || (Number.isInteger(n) && (n as number) > 0);
    if (!ok(minLength) || !ok(maxLength))
      throw new BadRequest(`custom_configuration.${GRAMMAR_KEY}: digits lengths must be positive integers`);
    return {
      kind,
      ...(minLength === undefined ? {} : { minLength: minLength as number }),
      ...(maxLength === undefined ? {} : { maxLength: maxLength as number }),
    };
  }
  if (kind === 'phrases') {
    const phrases = (g as { phrases?: unknown }).phrases;
    if (
      Array.isArray(phrases) &&
      phrases.length > 0 &&
      phrases.every((p) => typeof p === 'string' && p.trim())
    )
      return { kind, phrases: phrases as string[] };
    throw new BadRequest(`custom_configuration.${GRAMMAR_KEY}: phrases must be a non-empty list of strings`);
  }
  throw new BadRequest(`custom_configuration.${GRAMMAR_KEY}: kind must be yesno, digits or phrases`);
}

function isLanguage(s: string): s is Language {
  return s === 'en-US' || s === 'zh-CN';
}

function checkLanguage(code: string, supported: readonly Language[], what: string): Language {
  if (!isLanguage(code) || !supported.includes(code))
    throw new BadRequest(
      `${what}: language_code '${code}' is not served here; use one of ${supported.join(', ')}`,
    );
  return code;
}

function checkRate(rate: number, what: string): SampleRate {
  if (!isSampleRate(rate))
    throw new BadRequest(`${what}: sample rate ${rate} is not supported; use 8000 or 16000`);
  return rate;
}

export function createSpeechServer(options: SpeechServerOptions): SpeechServer {
  const { asr, tts, log } = options;
  const server = new grpc.Server();
  const { asrService, ttsService } = rivaServices();
  const active = new Set<() => void>();

  if (asr)
    server.addService(asrService, {
      StreamingRecognize: (call: grpc.ServerDuplexStream<RivaStreamingRequest, RivaStreamingResponse>) =>
        recognize(call, asr, active, log),
    });
  if (tts)
    server.addService(ttsService, {
      SynthesizeOnline: (call: grpc.ServerWritableStream<RivaSynthesizeRequest, RivaSynthesizeResponse>) =>
        synthesize(call, tts, active, log),
    });

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
          err ? reject(err) : resolve(bound),
        );
      }),
    shutdown: (graceMs = 2000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          for (const stop of active) stop();
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function fail(
  call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
  code: number,
  details: string,
) {
  call.emit('error', { code, details });
}

function recognize(
  call: grpc.ServerDuplexStream<RivaStreamingRequest, RivaStreamingResponse>,
  asr: AsrAdapter,
  active: Set<() => void>,
  log: Logger | undefined,
): void {
  let stream: RecognizeStream | undefined;
  let encoding: RivaEncoding = 'LINEAR_PCM';
  let rate: SampleRate = 16000;
  let frameLen = 320;
  let pending = new Int16Array(0);
  let timelineMs = 0;
  let words = false;
  let finished = false;
  let audioMs = 0;
  const stop = () => {
    if (finished) return;
    finished = true;
    stream?.close();
    fail(call, grpc.status.UNAVAILABLE, 'speech server shutting down');
  };
  active.add(stop);
  const finish = (code?: number, details?: string) => {
    if (finished) return;
    finished = true;
    active.delete(stop);
    stream?.close();
    if (code === undefined) call.end();
    else fail(call, code, details ?? '');
  };

  const pushSamples = (samples: Int16Array, final: boolean) => {
    let buf = samples;
    if (pending.length > 0) {
      buf = new Int16Array(pending.length + samples.length);
      buf.set(pending);
      buf.set(samples, pending.length);
    }
    let i = 0;
    for (; i + frameLen <= buf.length; i += frameLen) {
      const frame: AudioFrame = {
        samples: buf.slice(i, i + frameLen),
        sampleRate: rate,
        timestampMs: timelineMs,
      };
      timelineMs += 20;
      stream?.push(frame);
    }
    pending = buf.slice(i);
    if (final && pending.length > 0) {
      const last = new Int16Array(frameLen);
      last.set(pending);
      stream?.push({ samples: last, sampleRate: rate, timestampMs: timelineMs });
      timelineMs += 20;
      pending = new Int16Array(0);
    }
  };

  const pump = async (s: RecognizeStream) => {
    try {
      for await (const ev of s) {
        if (finished) return;
        const res = toResponse(ev, words, audioMs);
        if (res) call.write(res);
        if (ev.type === 'asr.error') {
          return finish(ev.retryable ? grpc.status.UNAVAILABLE : grpc.status.INVALID_ARGUMENT, ev.message);
        }
      }
      finish();
    } catch (err) {
      log?.warn({ err }, 'recognizer failed');
      finish(grpcStatusForError(err), err instanceof Error ? err.message : String(err));
    }
  };

  call.on('data', (req: RivaStreamingRequest) => {
    if (finished) return;
    try {
      if (!stream) {
        const sc = req.streaming_config;
        if (req.streaming_request !== 'streaming_config' || !sc?.config)
          throw new BadRequest(
            'the first StreamingRecognizeRequest must carry streaming_config (and no audio)',
          );
        const c = sc.config;
        encoding = c.encoding;
        if (encoding !== 'LINEAR_PCM' && encoding !== 'MULAW' && encoding !== 'ALAW')
          throw new BadRequest(
            `streaming_config: encoding ${encoding} is not supported; use LINEAR_PCM, MULAW or ALAW`,
          );
        rate = checkRate(c.sample_rate_hertz, 'streaming_config');
        if (encoding !== 'LINEAR_PCM' && rate !== 8000)
          throw new BadRequest(`streaming_config: ${encoding} must be 8000 Hz, got ${rate}`);
        if ((c.audio_channel_count ?? 1) > 1)
          throw new BadRequest('streaming_config: only mono audio (audio_channel_count 1) is supported');
        const language = checkLanguage(c.language_code, asr.capabilities.languages, 'streaming_config');
        frameLen = samplesPerFrame(rate);
        words = c.enable_word_time_offsets === true;
        const hints = (c.speech_contexts ?? []).flatMap((ctx) => ctx.phrases);
        const opts: RecognizeOptions = { language, interimResults: sc.interim_results };
        if (hints.length > 0) opts.hints = hints;
        const grammarJson = c.custom_configuration?.[GRAMMAR_KEY];
        if (grammarJson) {
          if (!asr.capabilities.grammar)
            throw new BadRequest(
              `${asr.name} does not take grammars; drop custom_configuration.${GRAMMAR_KEY}`,
            );
          opts.grammar = parseGrammar(grammarJson);
        }
        const stopMs = c.endpointing_config?.stop_history;
        if (stopMs !== undefined && stopMs !== null && stopMs > 0) opts.endpointSilenceMs = stopMs;
        stream = asr.stream(opts);
        void pump(stream);
        return;
      }
      if (req.streaming_request !== 'audio_content')
        throw new BadRequest('streaming_config may only be sent once, as the first message');
      const bytes = req.audio_content ?? Buffer.alloc(0);
      let samples: Int16Array;
      if (encoding === 'MULAW') samples = mulawDecode(bytes);
      else if (encoding === 'ALAW') samples = alawDecode(bytes);
      else {
        if (bytes.length % 2 !== 0)
          throw new BadRequest(`audio_content has an odd byte count (${bytes.length}): LINEAR_PCM is 16-bit`);
        samples = new Int16Array(bytes.length / 2);
        for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      }
      audioMs += (samples.length * 1000) / rate;
      pushSamples(samples, false);
    } catch (err) {
      if (err instanceof BadRequest) return finish(grpc.status.INVALID_ARGUMENT, err.message);
      log?.warn({ err }, 'recognize request failed');
      finish(grpcStatusForError(err), err instanceof Error ? err.message : String(err));
    }
  });
  call.on('end', () => {
    if (finished) return;
    if (!stream) return finish(grpc.status.INVALID_ARGUMENT, 'the stream ended before any streaming_config');
    pushSamples(new Int16Array(0), true);
    stream.end();
  });
  call.on('cancelled', () => {
    finished = true;
    active.delete(stop);
    stream?.close();
  });
  call.on('error', () => {
    finished = true;
    active.delete(stop);
    stream?.close();
  });
}

function toResponse(ev: AsrEvent, words: boolean, audioMs: number): RivaStreamingResponse | undefined {
  const audio_processed = audioMs / 1000;
  if (ev.type === 'asr.interim') {
    return {
      results: [
        {
          alternatives: [{ transcript: ev.text, confidence: 0, words: [] }],
          is_final: false,
          stability: ev.stability ?? 0.5,
          audio_processed,
        },
      ],
    };
  }
  if (ev.type === 'asr.final') {
    return {
      results: [
        {
          alternatives: [
            {
              transcript: ev.text,
              confidence: ev.confidence,
              words: words
                ? (ev.words ?? []).map((w) => ({
                    word: w.word,
                    start_time: Math.round(w.startMs),
                    end_time: Math.round(w.endMs),
                    confidence: w.confidence ?? ev.confidence,
                  }))
                : [],
            },
          ],
          is_final: true,
          stability: 1,
          audio_processed,
        },
      ],
    };
  }
  return undefined;
}

async function synthesize(
  call: grpc.ServerWritableStream<RivaSynthesizeRequest, RivaSynthesizeResponse>,
  tts: TtsAdapter,
  active: Set<() => void>,
  log: Logger | undefined,
): Promise<void> {
  const abort = new AbortController();
  const stop = () => {
    abort.abort();
    fail(call, grpc.status.UNAVAILABLE, 'speech server shutting down');
  };
  active.add(stop);
  call.on('cancelled', () => abort.abort());
  try {
    const req = call.request;
    const { text, rate } = parseSsml(req.text ?? '');
    if (!text.trim()) throw new BadRequest('SynthesizeSpeechRequest.text is empty');
    const encoding = req.encoding === 'ENCODING_UNSPECIFIED' ? 'LINEAR_PCM' : req.encoding;
    if (encoding !== 'LINEAR_PCM' && encoding !== 'MULAW' && encoding !== 'ALAW')
      throw new BadRequest(`encoding ${encoding} is not supported; use LINEAR_PCM, MULAW or ALAW`);
    const sampleRate = checkRate(req.sample_rate_hz || 16000, 'SynthesizeSpeechRequest');
    if (encoding !== 'LINEAR_PCM' && sampleRate !== 8000)
      throw new BadRequest(`${encoding} must be 8000 Hz, got ${sampleRate}`);
    const language = checkLanguage(
      req.language_code || 'en-US',
      tts.capabilities.languages,
      'SynthesizeSpeechRequest',
    );
    const voice = req.voice_name || undefined;
    if (voice && tts.capabilities.voices.length > 0 && !tts.capabilities.voices.includes(voice))
      throw new BadRequest(
        `voice_name '${voice}' is unknown; available: ${tts.capabilities.voices.join(', ')}`,
      );
    const frames = tts.synthesize(
      text,
      { language, sampleRate, rate, ...(voice ? { voice } : {}) },
      abort.signal,
    );
    for await (const frame of frames) {
      if (abort.signal.aborted) break;
      const audio =
        encoding === 'MULAW'
          ? Buffer.from(mulawEncode(frame.samples))
          : encoding === 'ALAW'
            ? Buffer.from(alawEncode(frame.samples))
            : Buffer.from(int16ToBytes(frame.samples));
      if (!call.write({ audio }))
        await new Promise((r) => {
          call.once('drain', r);
          abort.signal.addEventListener('abort', r, { once: true });
        });
    }
    if (!abort.signal.aborted) call.end();
  } catch (err) {
    if (abort.signal.aborted) return;
    if (err instanceof BadRequest) fail(call, grpc.status.INVALID_ARGUMENT, err.message);
    else {
      log?.warn({ err }, 'synthesis failed');
      fail(call, grpcStatusForError(err), err instanceof Error ? err.message : String(err));
    }
  } finally {
    active.delete(stop);
  }
}
