/**
 * An engine on a loopback port whose dialog sessions run with the speech adapters a benchmark
 * chooses, each call with its own timing probe (probes.ts) and, optionally, its own adapters
 * (a scripted recognizer that knows what this caller is saying). Calls are found by the
 * platform's call id (the sim caller's callSid).
 */
import type { AsrAdapter } from '../../../asr-tts/asr.ts';
import type { TtsAdapter } from '../../../asr-tts/tts.ts';
import type { Vad } from '../../../asr-tts/vad.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import type { CallInfo } from '../../../telephony/call-leg.ts';
import { type AgentConfig, AgentRegistry } from '../../agents/registry.ts';
import { type Engine, startEngine } from '../../engine.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { createSessionHandler } from '../handler.ts';
import type { CallSession, DialogSpec } from '../session.ts';
import type { TurnTimings } from '../turn-machine.ts';
import { loopbackBase } from './loopback-engine.ts';
import { CallProbe, probeAsr, probeLeg, probeNlu, probeTts, probeVad } from './probes.ts';

export interface CallAdapters {
  asr: AsrAdapter;
  tts: TtsAdapter;
  createVad: (rate: 8000 | 16000) => Vad | Promise<Vad>;
}

export interface ProbedEngineOptions {
  dialogFor: (info: CallInfo) => DialogSpec | null;
  /** The adapters of one call (called once per call, with its info). */
  adaptersFor: (info: CallInfo) => CallAdapters;
  agents?: AgentConfig[];
  timings?: Partial<TurnTimings>;
}

export interface ProbedCall {
  probe: CallProbe;
  session?: CallSession;
  /** Resolves when the session has ended. */
  ended: Promise<void>;
}

export interface ProbedEngine {
  engine: Engine;
  metrics: Metrics;
  agents: AgentRegistry;
  token(): string;
  /** The call of a platform call id (callSid), once its leg has started. */
  call(providerCallId: string): ProbedCall | undefined;
  close(): Promise<void>;
}

export async function startProbedEngine(options: ProbedEngineOptions): Promise<ProbedEngine> {
  const { config, log, metrics, token } = loopbackBase();
  const agents = new AgentRegistry(options.agents ?? []);
  const nlu = new DeterministicNlu();
  const calls = new Map<string, ProbedCall>();
  const engine = await startEngine({
    config,
    log,
    metrics,
    handler: (leg) => {
      const probe = new CallProbe();
      probeLeg(leg, probe);
      const adapters = options.adaptersFor(leg.info);
      const call: ProbedCall = { probe, ended: Promise.resolve() };
      calls.set(leg.info.providerCallId ?? leg.info.callId, call);
      const handler = createSessionHandler({
        dialogFor: options.dialogFor,
        asr: probeAsr(adapters.asr, probe),
        tts: probeTts(adapters.tts, probe),
        createVad: probeVad(adapters.createVad, probe),
        nlu: probeNlu(nlu, probe),
        agents,
        log,
        metrics,
        ...(options.timings ? { timings: options.timings } : {}),
        onSession: (s) => {
          call.session = s;
        },
      });
      call.ended = Promise.resolve(handler(leg));
      return call.ended;
    },
  });
  return {
    engine,
    metrics,
    agents,
    token: () => token(3600),
    call: (id) => calls.get(id),
    close: () => engine.close(),
  };
}
