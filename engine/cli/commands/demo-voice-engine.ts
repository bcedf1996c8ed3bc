/**
 * The engine of the voice demo: the gateway on a free loopback port (random token secret) with
 * every call routed to the voice-order dialog on the embedded defaults (fixture catalog and
 * customer directory, espeak-ng TTS, pocketsphinx ASR, WebRTC VAD, deterministic NLU, the
 * session's turn timings from the default config), one agent for transfers, orders appended to
 * <outDir>/orders.jsonl and call records (JSON + dual-channel WAV) written to <outDir>/calls.
 * The NLU is observed so the demo can show what each recognized answer meant.
 */
import { join } from 'node:path';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import { PocketsphinxAsr } from '../../../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { WebRtcVad } from '../../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import type { Nlu, NluContext, NluResult } from '../../../dialogs/nlu/types.ts';
import { type AgentConfig, AgentRegistry } from '../../agents/registry.ts';
import { FileCallSink } from '../../calls/file-sink.ts';
import { type Engine, startEngine } from '../../engine.ts';
import { DialogRegistry } from '../../session/dialog-registry.ts';
import { createSessionHandler } from '../../session/handler.ts';
import type { CallSession } from '../../session/session.ts';
import { loopbackBase } from '../../session/testing/loopback-engine.ts';

/** One NLU reading: the recognized words, what was expected, what they meant. */
export interface NluReading {
  /** performance.now() of the parse. */
  at: number;
  text: string;
  expected: string;
  result: NluResult;
}

/** An NLU that reports every reading of the one it wraps. */
class ObservedNlu implements Nlu {
  constructor(
    private readonly inner: Nlu,
    private readonly onReading: (r: NluReading) => void,
  ) {}

  parse(text: string, context: NluContext): NluResult {
    const result = this.inner.parse(text, context);
    this.onReading({ at: performance.now(), text, expected: context.expected ?? 'free', result });
    return result;
  }
}

export interface VoiceDemoEngine {
  engine: Engine;
  registry: DialogRegistry;
  callsDir: string;
  sessions: CallSession[];
  readings: NluReading[];
  token(): string;
  close(): Promise<void>;
}

export const DEMO_AGENT: AgentConfig = {
  id: 'ann',
  name: 'Ann',
  target: 'sip:ann@pbx.example',
  languages: ['en-US'],
};

export interface VoiceDemoEngineOptions {
  /**
   * Load the recognizer's open-vocabulary model before the call: a caller with no number the
   * customer directory knows speaks its address, the one answer decoded without a grammar. Loaded
   * on first use instead, it took seconds on a busy machine, and the bot's no-input re-prompt
   * ("Sorry, I didn't hear anything") came over an address the caller had given.
   */
  preloadLm?: boolean;
}

export async function startVoiceDemoEngine(
  outDir: string,
  options: VoiceDemoEngineOptions = {},
): Promise<VoiceDemoEngine> {
  const { config, log, metrics, token } = loopbackBase();
  const registry = new DialogRegistry({ ordersFile: join(outDir, 'orders.jsonl') });
  const dialog = registry.get('voice-order');
  if (!dialog) throw new Error('the voice-order dialog is missing from the dialog registry');
  const callsDir = join(outDir, 'calls');
  const asr = new PocketsphinxAsr({ preloadLm: options.preloadLm ?? false });
  // The recognizer's start-up (seconds on a busy machine) must not eat the call.
  await asr.warmUp();
  const sessions: CallSession[] = [];
  const readings: NluReading[] = [];
  const { session } = config;
  const handler = createSessionHandler({
    dialogFor: () => ({ ...dialog, language: 'en-US' }),
    asr,
    tts: new EspeakTts(),
    createVad: () => WebRtcVad.create(),
    nlu: new ObservedNlu(new DeterministicNlu(), (r) => readings.push(r)),
    agents: new AgentRegistry([DEMO_AGENT]),
    sink: new FileCallSink(callsDir),
    log,
    metrics,
    timings: {
      maxCallMs: session.maxCallMs,
      minSpeechMs: session.minSpeechMs,
      backchannelMaxMs: session.backchannelMaxMs,
      endpointSilenceMs: session.endpointSilenceMs,
    },
    recordAudio: true,
    onSession: (s) => sessions.push(s),
  });
  const engine = await startEngine({ config, handler, log, metrics });
  return {
    engine,
    registry,
    callsDir,
    sessions,
    readings,
    token: () => token(),
    async close() {
      await engine.close();
      await asr.close?.();
    },
  };
}
