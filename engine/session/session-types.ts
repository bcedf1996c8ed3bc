/**
 * What a call session is built from: the dialog it runs (DialogSpec) and the services it uses
 * (SessionDeps). Kept apart from session.ts so the handler, the dialers and the benches can
 * name them without the runtime.
 */
import type { AnyStateMachine } from 'xstate';
import type { AsrAdapter, Language } from '../../asr-tts/asr.ts';
import type { TtsAdapter } from '../../asr-tts/tts.ts';
import type { Vad } from '../../asr-tts/vad.ts';
import type { Catalog } from '../../dialogs/nlu/catalog.ts';
import type { Nlu } from '../../dialogs/nlu/types.ts';
import type { AgentSource } from '../agents/source.ts';
import type { CallRecordSink } from '../calls/call-record.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { TurnTimings } from './turn-machine.ts';

export interface DialogSpec {
  /** Name in logs and records (e.g. 'voice-order'). */
  name: string;
  machine: AnyStateMachine;
  input?: unknown;
  /** Catalog for `menu` expectations of the NLU. */
  catalog?: Catalog;
  language?: Language;
}

export interface SessionDeps {
  asr: AsrAdapter;
  tts: TtsAdapter;
  createVad: (sampleRate: 8000 | 16000) => Vad | Promise<Vad>;
  nlu: Nlu;
  /** Where transfers get an agent: the AgentRegistry (inbound), or a campaign's dialer pool. */
  agents: AgentSource;
  /** Call parameters added under the leg's own (a campaign contact's variables). */
  parameters?: Record<string, string>;
  sink?: CallRecordSink;
  log: Logger;
  metrics: Metrics;
  timings?: Partial<TurnTimings>;
  recordAudio?: boolean;
  clock?: Clock;
}
