/**
 * What a process needs to dial a campaign, built from the config: the session runner on the
 * embedded speech engines (espeak-ng, pocketsphinx, WebRTC VAD, the deterministic NLU) and the
 * carrier (`sim`, `twilio` or `sip`), and for transfer campaigns the agent pool over the
 * engine's agent registry. Used by `voicebot campaign start` and `voicebot serve`.
 * The engine must run `registry.wrap(handler)` so answered legs reach the dialer; a Twilio
 * carrier also needs `twilioStatusRoute` mounted on the engine (EngineOptions.routes).
 */
import { fileURLToPath } from 'node:url';
import { EspeakTts } from '../../../asr-tts/providers/espeak/espeak-tts.ts';
import { PocketsphinxAsr } from '../../../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { WebRtcVad } from '../../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import { mintToken } from '../../../telephony/auth/hmac-token.ts';
import type { Carrier } from '../../../telephony/carriers/carrier.ts';
import type { OutboundRegistry } from '../../../telephony/carriers/outbound-registry.ts';
import { loadPersonas } from '../../../telephony/carriers/sim/persona.ts';
import { SimCarrier } from '../../../telephony/carriers/sim/sim-carrier.ts';
import type { SimTransfer } from '../../../telephony/carriers/sim/sim-transfer.ts';
import { SipCarrier } from '../../../telephony/carriers/sip/sip-carrier.ts';
import { TwilioCarrier } from '../../../telephony/carriers/twilio/twilio-carrier.ts';
import type { AgentRegistry } from '../../agents/registry.ts';
import type { Config } from '../../config/schema.ts';
import type { Engine } from '../../engine.ts';
import { VoicebotError } from '../../errors.ts';
import type { RouteHandler } from '../../http/server.ts';
import type { Logger } from '../../log/logger.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import type { CampaignStore } from '../store/types.ts';
import { RegistryAgentPool } from './agent-pool.ts';
import { sessionRunner } from './session-runner.ts';
import type { RunCall } from './types.ts';

export const CARRIERS = ['sim', 'twilio', 'sip'] as const;
export type CarrierName = (typeof CARRIERS)[number];

export interface CampaignRunner {
  runCall: RunCall;
  close(): Promise<void>;
}

/** The session runner on the embedded speech engines; the recognizer is warmed up first. */
export async function createCampaignRunner(
  config: Config,
  deps: { log: Logger; metrics: Metrics },
): Promise<CampaignRunner> {
  const asr = new PocketsphinxAsr();
  await asr.warmUp();
  const runCall = sessionRunner({
    callsDir: config.session.callsDir,
    recordAudio: config.session.recordAudio,
    asr,
    tts: new EspeakTts(),
    createVad: () => WebRtcVad.create(),
    nlu: new DeterministicNlu(),
    log: deps.log,
    metrics: deps.metrics,
    timings: {
      maxCallMs: config.session.maxCallMs,
      minSpeechMs: config.session.minSpeechMs,
      backchannelMaxMs: config.session.backchannelMaxMs,
    },
  });
  return { runCall, close: async () => asr.close?.() };
}

/**
 * The dialer's agents for a campaign with `transfer`: a pool over `registry` (the engine's, the
 * one its agents API serves) limited to the transfer queue. Undefined for bot-only campaigns.
 * Throws CONFIG_INVALID when no configured agent takes calls from the queue (nobody could ever
 * be dialed).
 */
export async function agentPoolFor(
  store: CampaignStore,
  campaignId: string,
  registry: AgentRegistry,
): Promise<RegistryAgentPool | undefined> {
  const transfer = (await store.getCampaign(campaignId))?.campaign.transfer;
  if (!transfer) return undefined;
  const pool = new RegistryAgentPool(registry, { queue: transfer.queue });
  if (pool.size() === 0) {
    pool.close();
    throw new VoicebotError(
      'CONFIG_INVALID',
      `campaign ${campaignId} transfers to queue "${transfer.queue}" but no agent in the config takes that queue: add agents (config \`agents\`, with queues: [${transfer.queue}] or no queues)`,
      { campaignId, queue: transfer.queue },
    );
  }
  return pool;
}

export interface CarrierSetup {
  name: CarrierName;
  config: Config;
  engine: Engine;
  registry: OutboundRegistry;
  /** A gateway URL token for sim calls (default: minted with auth.tokenSecret, if any). */
  token?: () => string;
  seed?: number;
  ringTimeScale?: number;
  /** Sim carrier: sees each transfer the bot asks for (where the callee was routed). */
  onSimTransfer?: (t: SimTransfer) => void;
  log?: Logger;
}

/** Builds the carrier; throws CONFIG_INVALID naming the missing setting. */
export function createCarrier(s: CarrierSetup): Carrier {
  const { config } = s;
  const missing = (what: string) =>
    new VoicebotError('CONFIG_INVALID', `carrier ${s.name}: ${what}`, { carrier: s.name });
  if (s.name === 'sim') {
    const secret = config.auth.tokenSecret;
    const token = s.token ?? (secret ? () => mintToken(secret, { ttlS: 300 }) : undefined);
    if (!token && config.auth.mode !== 'none') {
      throw missing(
        'the simulated callees need a gateway token: set VOICEBOT_TOKEN_SECRET (auth.tokenSecret)',
      );
    }
    const dir =
      config.campaigns.personasDir ?? fileURLToPath(new URL('../../../fixtures/personas', import.meta.url));
    return new SimCarrier({
      engineUrl: s.engine.url,
      registry: s.registry,
      personas: loadPersonas(dir),
      seed: s.seed ?? 1,
      ringTimeScale: s.ringTimeScale ?? 1,
      ...(token ? { token } : {}),
      ...(s.onSimTransfer ? { onTransfer: s.onSimTransfer } : {}),
      ...(s.log ? { log: s.log } : {}),
    });
  }
  if (s.name === 'twilio') {
    const { twilioAccountSid } = config.campaigns;
    const authToken = config.auth.twilioAuthToken;
    if (!twilioAccountSid) throw missing('set TWILIO_ACCOUNT_SID (campaigns.twilioAccountSid)');
    if (!authToken) throw missing('set TWILIO_AUTH_TOKEN (auth.twilioAuthToken)');
    if (!config.publicUrl)
      throw missing('set VOICEBOT_PUBLIC_URL, the https URL Twilio reaches this engine at');
    const base = new URL(config.publicUrl);
    const stream = new URL('/twilio', base);
    stream.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    return new TwilioCarrier({
      apiBaseUrl: config.gateway.twilioApiBaseUrl,
      accountSid: twilioAccountSid,
      authToken,
      streamUrl: stream.toString(),
      statusCallbackUrl: new URL('/twilio/status', base).toString(),
      registry: s.registry,
      ...(s.log ? { log: s.log } : {}),
    });
  }
  if (!s.engine.sip) throw missing('the SIP edge is off: set VOICEBOT_SIP_ENABLED=true (sip.enabled)');
  return new SipCarrier({
    ua: s.engine.sip,
    target: config.campaigns.sipTarget,
    registry: s.registry,
    ...(s.log ? { log: s.log } : {}),
  });
}

/** The HTTP route the carrier needs on the engine (Twilio's status callbacks), or null. */
export function carrierRoute(carrier: Carrier, config: Config): RouteHandler | null {
  return carrier instanceof TwilioCarrier ? carrier.statusRoute(config.publicUrl) : null;
}
