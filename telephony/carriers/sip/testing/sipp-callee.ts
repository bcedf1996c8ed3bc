/**
 * Test fixture for the sip carrier: a SIP user agent on loopback whose carrier calls sipp
 * (Debian sip-tester) playing the callee with a given scenario. Test-only.
 */
import { expect } from 'vitest';
import { freeUdpPort, startSipp } from '../../../sip/testing/peers.ts';
import { SipUserAgent } from '../../../sip/user-agent.ts';
import type { OriginateRequest } from '../../carrier.ts';
import { OutboundRegistry } from '../../outbound-registry.ts';
import { SipCarrier } from '../sip-carrier.ts';

export interface SippCallee {
  ua: SipUserAgent;
  carrier: SipCarrier;
  registry: OutboundRegistry;
  /** Call ids of legs that reached the inbound handler (none should). */
  inbound: string[];
  /** sipp's SIP port on 127.0.0.1. */
  port: number;
  peer: ReturnType<typeof startSipp>;
  /** Waits for sipp to finish and expects its scenario to have passed (exit 0). */
  passed(): Promise<void>;
  close(): Promise<void>;
}

/** Starts sipp with `args` (scenario first) and a user agent + carrier aimed at it. */
export async function sippCallee(
  args: string[],
  options: { cwd?: string; t1Ms?: number; timeoutMs?: number } = {},
): Promise<SippCallee> {
  const inbound: string[] = [];
  const registry = new OutboundRegistry();
  const ua = await SipUserAgent.start({
    port: 0,
    timers: { t1Ms: options.t1Ms ?? 100 },
    onCall: registry.wrap((leg) => {
      inbound.push(leg.info.callId);
      leg.hangup('not expected');
    }),
  });
  const port = await freeUdpPort();
  const media = await freeUdpPort();
  const peer = startSipp([...args, '-i', '127.0.0.1', '-p', String(port), '-mp', String(media), '-m', '1'], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    timeoutMs: options.timeoutMs ?? 20_000,
  });
  await new Promise((r) => setTimeout(r, 400)); // let sipp bind
  return {
    ua,
    carrier: new SipCarrier({ ua, target: `sip:{to}@127.0.0.1:${port}`, registry }),
    registry,
    inbound,
    port,
    peer,
    async passed() {
      const run = await peer.done;
      expect(run.code, run.stdout + run.stderr).toBe(0);
    },
    async close() {
      peer.stop();
      await ua.close();
    },
  };
}

let n = 0;

/** An originate request to +15550002222 with a fresh attempt id. */
export function originateRequest(extra: Partial<OriginateRequest> = {}): OriginateRequest {
  return {
    campaignId: 'c1',
    attemptId: `a${++n}`,
    to: '+15550002222',
    from: '+15550001111',
    ringTimeoutMs: 10_000,
    amd: { mode: 'engine' },
    ...extra,
  };
}
