/**
 * An engine on a loopback port running dialog sessions with the embedded speech engines
 * (espeak-ng TTS, pocketsphinx ASR, WebRTC VAD) and the deterministic NLU, writing call records
 * into a fresh temporary folder: what the session end-to-end tests start.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import { PocketsphinxAsr } from '../../../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { WebRtcVad } from '../../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import type { CallInfo } from '../../../telephony/call-leg.ts';
import { type AgentConfig, AgentRegistry } from '../../agents/registry.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import { FileCallSink, safeFileName } from '../../calls/file-sink.ts';
import { type Engine, startEngine } from '../../engine.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { createSessionHandler } from '../handler.ts';
import type { CallSession, DialogSpec } from '../session.ts';
import type { TurnTimings } from '../turn-machine.ts';
import { loopbackBase } from './loopback-engine.ts';

export interface SessionEngineOptions {
  dialogFor: (info: CallInfo) => DialogSpec | null;
  agents?: AgentConfig[];
  timings?: Partial<TurnTimings>;
  recordAudio?: boolean;
}

export interface SessionEngine {
  engine: Engine;
  agents: AgentRegistry;
  metrics: Metrics;
  callsDir: string;
  sessions: CallSession[];
  token(): string;
  /** The stored record of a call (by the platform's call id), waiting for it to be written. */
  record(providerCallId: string, timeoutMs?: number): Promise<CallRecord>;
  close(): Promise<void>;
}

export async function startSessionEngine(options: SessionEngineOptions): Promise<SessionEngine> {
  const { config, log, metrics, token } = loopbackBase();
  const agents = new AgentRegistry(options.agents ?? []);
  const callsDir = mkdtempSync(join(tmpdir(), 'voicebot-calls-'));
  // The production pool size (one worker per core, pool-size.ts): with one worker, six calls'
  // audio queued behind it and finals came 5-12 s after the speech.
  const asr = new PocketsphinxAsr();
  // Start the recognizer's workers now: its start-up (seconds on a busy machine) must not eat a call.
  await asr.warmUp();
  const tts = new EspeakTts();
  const sessions: CallSession[] = [];
  const handler = createSessionHandler({
    dialogFor: options.dialogFor,
    asr,
    tts,
    createVad: () => WebRtcVad.create(),
    nlu: new DeterministicNlu(),
    agents,
    sink: new FileCallSink(callsDir),
    log,
    metrics,
    ...(options.timings ? { timings: options.timings } : {}),
    recordAudio: options.recordAudio ?? false,
    onSession: (s) => sessions.push(s),
  });
  const engine = await startEngine({ config, handler, log, metrics });
  return {
    engine,
    agents,
    metrics,
    callsDir,
    sessions,
    token: () => token(),
    async record(providerCallId, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const session = sessions.find((s) => s.recorder.record.providerCallId === providerCallId);
        const file = join(callsDir, `${safeFileName(session?.recorder.record.callId ?? '-')}.json`);
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as CallRecord;
        } catch {
          if (Date.now() > until) {
            throw new Error(`no call record ${file}; so far: ${JSON.stringify(session?.recorder.record)}`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
    async close() {
      await engine.close();
      await asr.close?.();
      if (!process.env.KEEP_CALLS) rmSync(callsDir, { recursive: true, force: true });
    },
  };
}
