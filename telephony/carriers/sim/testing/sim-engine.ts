/**
 * For tests over real audio: an engine on loopback (loopbackBase: HMAC URL-token auth with a
 * fresh secret, silent logs) whose outbound legs go to a SimCarrier through its OutboundRegistry;
 * other legs are hung up. Extra HTTP routes (the agents API, a dialer host's) and config overrides as given.
 */
import type { Config } from '../../../../engine/config/schema.ts';
import { type Engine, startEngine } from '../../../../engine/engine.ts';
import type { RouteHandler } from '../../../../engine/http/server.ts';
import { loopbackBase } from '../../../../engine/session/testing/loopback-engine.ts';
import { OutboundRegistry } from '../../outbound-registry.ts';
import type { Persona } from '../persona.ts';
import { SimCarrier, type SimCarrierOptions } from '../sim-carrier.ts';

export interface SimEngineOptions extends Pick<SimCarrierOptions, 'seed' | 'ringTimeScale' | 'onTransfer'> {
  personas: Persona[];
  routes?: RouteHandler[];
  overrides?: Record<string, unknown>;
}

export interface SimEngine {
  engine: Engine;
  carrier: SimCarrier;
  registry: OutboundRegistry;
  config: Config;
  close(): Promise<void>;
}

export async function startSimEngine(o: SimEngineOptions): Promise<SimEngine> {
  const { config, log, metrics, token } = loopbackBase(o.overrides);
  const registry = new OutboundRegistry();
  const engine = await startEngine({
    config,
    log,
    metrics,
    handler: registry.wrap((leg) => leg.hangup('not expected')),
    ...(o.routes ? { routes: o.routes } : {}),
  });
  const carrier = new SimCarrier({
    engineUrl: engine.url,
    registry,
    personas: o.personas,
    ringTimeScale: o.ringTimeScale ?? 1,
    token: () => token(300),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.onTransfer ? { onTransfer: o.onTransfer } : {}),
  });
  return {
    engine,
    carrier,
    registry,
    config,
    close: async () => {
      await carrier.close();
      await engine.close();
    },
  };
}
