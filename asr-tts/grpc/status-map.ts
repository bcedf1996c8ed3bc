/**
 * Maps gRPC status codes to voicebot's stable speech error codes and back. Transient transport
 * failures are retryable; a refused request (bad argument, auth, unknown method) is not.
 */
import { status } from '@grpc/grpc-js';
import { type ErrorCode, VoicebotError } from '../../engine/errors.ts';

export type SpeechKind = 'asr' | 'tts';

export function codeForGrpcStatus(kind: SpeechKind, code: number): ErrorCode {
  const asr = kind === 'asr';
  switch (code) {
    case status.UNAVAILABLE:
    case status.RESOURCE_EXHAUSTED:
      return asr ? 'ASR_UNAVAILABLE' : 'TTS_UNAVAILABLE';
    case status.DEADLINE_EXCEEDED:
      return asr ? 'ASR_TIMEOUT' : 'TTS_TIMEOUT';
    case status.INVALID_ARGUMENT:
    case status.FAILED_PRECONDITION:
    case status.OUT_OF_RANGE:
    case status.UNIMPLEMENTED:
    case status.NOT_FOUND:
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return asr ? 'ASR_BAD_REQUEST' : 'TTS_BAD_REQUEST';
    default:
      return asr ? 'ASR_FAILED' : 'TTS_FAILED';
  }
}

/** A VoicebotError for a failed gRPC call; details keep the gRPC code and the server's message. */
export function errorFromGrpc(
  kind: SpeechKind,
  err: { code?: number; details?: string; message?: string },
  address: string,
): VoicebotError {
  const grpcCode = err.code ?? status.UNKNOWN;
  const code = codeForGrpcStatus(kind, grpcCode);
  const what = kind === 'asr' ? 'recognizer' : 'synthesizer';
  const detail = err.details || err.message || 'no details';
  return new VoicebotError(code, `${what} at ${address} failed: ${status[grpcCode] ?? grpcCode}: ${detail}`, {
    address,
    grpcCode: status[grpcCode] ?? grpcCode,
  });
}

/** The gRPC status a server answers with for a VoicebotError raised by its backing engine. */
export function grpcStatusForError(err: unknown): number {
  if (!(err instanceof VoicebotError)) return status.INTERNAL;
  if (err.code.endsWith('_BAD_REQUEST') || err.code.startsWith('AUDIO_')) return status.INVALID_ARGUMENT;
  if (err.code.endsWith('_TIMEOUT')) return status.DEADLINE_EXCEEDED;
  if (err.code.endsWith('_UNAVAILABLE') || err.code === 'SPEECH_CIRCUIT_OPEN') return status.UNAVAILABLE;
  return status.INTERNAL;
}

/**
 * Channel options for speech clients: after the server went away, reconnect attempts back off
 * from 100 ms up to `maxBackoffMs` (gRPC's default cap is 120 s, far too long for a call).
 */
export function channelOptions(maxBackoffMs = 1000): Record<string, number> {
  return {
    'grpc.initial_reconnect_backoff_ms': Math.min(100, maxBackoffMs),
    'grpc.max_reconnect_backoff_ms': maxBackoffMs,
  };
}
