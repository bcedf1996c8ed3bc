/**
 * Loads the condensed Riva protos (protos/riva/proto/*.proto) with @grpc/proto-loader and exposes
 * the two service constructors plus the message shapes voicebot reads and writes. Field names stay
 * in the wire's snake_case (keepCase) so they read exactly like the .proto files.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_DIR = fileURLToPath(new URL('./protos/', import.meta.url));

export type RivaEncoding = 'ENCODING_UNSPECIFIED' | 'LINEAR_PCM' | 'FLAC' | 'MULAW' | 'OGGOPUS' | 'ALAW';

export interface RivaEndpointingConfig {
  start_history?: number;
  start_threshold?: number;
  stop_history?: number;
  stop_threshold?: number;
  stop_history_eou?: number;
  stop_threshold_eou?: number;
}

export interface RivaRecognitionConfig {
  encoding: RivaEncoding;
  sample_rate_hertz: number;
  language_code: string;
  max_alternatives?: number;
  speech_contexts?: { phrases: string[]; boost: number }[];
  audio_channel_count?: number;
  enable_word_time_offsets?: boolean;
  enable_automatic_punctuation?: boolean;
  model?: string;
  verbatim_transcripts?: boolean;
  custom_configuration?: Record<string, string>;
  endpointing_config?: RivaEndpointingConfig | null;
}

export interface RivaStreamingRequest {
  streaming_config?: { config: RivaRecognitionConfig; interim_results: boolean } | null;
  audio_content?: Buffer;
  streaming_request?: 'streaming_config' | 'audio_content';
  id?: { value: string } | null;
}

export interface RivaWordInfo {
  start_time: number;
  end_time: number;
  word: string;
  confidence: number;
}

export interface RivaAlternative {
  transcript: string;
  confidence: number;
  words: RivaWordInfo[];
}

export interface RivaStreamingResult {
  alternatives: RivaAlternative[];
  is_final: boolean;
  stability: number;
  channel_tag?: number;
  audio_processed: number;
}

export interface RivaStreamingResponse {
  results: RivaStreamingResult[];
}

export interface RivaSynthesizeRequest {
  text: string;
  language_code: string;
  encoding: RivaEncoding;
  sample_rate_hz: number;
  voice_name: string;
  custom_dictionary?: string;
  id?: { value: string } | null;
}

export interface RivaSynthesizeResponse {
  audio: Buffer;
  meta?: { text: string; processed_text: string; predicted_durations: number[] } | null;
}

export interface RivaServices {
  asrService: grpc.ServiceDefinition;
  ttsService: grpc.ServiceDefinition;
  AsrClient: grpc.ServiceClientConstructor;
  TtsClient: grpc.ServiceClientConstructor;
}

let cached: RivaServices | undefined;

/** Loads (once per process) the Riva ASR and TTS service definitions. */
export function rivaServices(): RivaServices {
  if (cached) return cached;
  const def = protoLoader.loadSync(['riva/proto/riva_asr.proto', 'riva/proto/riva_tts.proto'], {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    nvidia: {
      riva: {
        asr: { RivaSpeechRecognition: grpc.ServiceClientConstructor };
        tts: { RivaSpeechSynthesis: grpc.ServiceClientConstructor };
      };
    };
  };
  const AsrClient = pkg.nvidia.riva.asr.RivaSpeechRecognition;
  const TtsClient = pkg.nvidia.riva.tts.RivaSpeechSynthesis;
  cached = { AsrClient, TtsClient, asrService: AsrClient.service, ttsService: TtsClient.service };
  return cached;
}

/** Riva speaks BCP-47 codes; these are the two voicebot languages. */
export const LANGUAGE_CODES = ['en-US', 'zh-CN'] as const;

/** custom_configuration key carrying a voicebot Grammar as JSON (an extension; Riva ignores it). */
export const GRAMMAR_KEY = 'voicebot_grammar';
