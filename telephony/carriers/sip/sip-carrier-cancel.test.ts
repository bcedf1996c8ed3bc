/**
 * Giving up a ringing SIP call (RFC 3261 §9.1) against sipp as the callee: the dialer's abort
 * signal and the carrier's close() send CANCEL once a provisional response has come (before
 * one the CANCEL waits for it; with no response at all Timer B ends the attempt), the 487 and
 * a 200 that crosses the CANCEL (ACK + BYE) are handled, RTP ports are released, and a dialer
 * aborted mid-ring records `no-answer` with code `canceled`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Dialer } from '../../../engine/campaigns/dialer/dialer.ts';
import { exportResults } from '../../../engine/campaigns/export/results-export.ts';
import { SqliteCampaignStore } from '../../../engine/campaigns/store/sqlite-store.ts';
import {
  newYorkContact,
  seedRunningCampaign,
} from '../../../engine/campaigns/store/testing/running-campaign.ts';
import { freeUdpPort, requireBinary, sippScenario, sippTemplate } from '../../sip/testing/peers.ts';
import { placeCall } from '../../sip/uac.ts';
import { SipUserAgent } from '../../sip/user-agent.ts';
import { SipCarrier } from './sip-carrier.ts';
import { originateRequest as request, type SippCallee, sippCallee } from './testing/sipp-callee.ts';

requireBinary('sipp', 'sip-tester');

let callee: SippCallee | undefined;
let lone: SipUserAgent | undefined;
afterEach(async () => {
  await callee?.close();
  callee = undefined;
  await lone?.close();
  lone = undefined;
});
async function calleeFor(args: string[], t1Ms = 100) {
  callee = await sippCallee(args, { t1Ms, timeoutMs: 15_000 });
  return callee;
}

const abortAfter = (ms: number) => {
  const c = new AbortController();
  setTimeout(() => c.abort(), ms);
  return c.signal;
};

describe('sip carrier: CANCEL when the attempt is given up', () => {
  it('abort while ringing: CANCEL, 487 -> no-answer "canceled", long before the ring timeout', async () => {
    const { carrier, registry, ua, passed } = await calleeFor(['-sf', sippScenario('uas-no-answer.xml')]);
    const r = await carrier.originate(request({ signal: abortAfter(600) }));
    expect(r).toMatchObject({ status: 'unanswered', disposition: 'no-answer', code: 'canceled' });
    expect(r.status === 'unanswered' && r.detail).toContain('487');
    expect(r.ringMs).toBeGreaterThanOrEqual(550);
    expect(r.ringMs).toBeLessThan(3000);
    await passed(); // sipp saw the CANCEL and the ACK for its 487
    expect(ua.ports.inUse).toBe(0);
    expect(ua.activeCalls).toBe(0);
    expect(registry.pendingCount()).toBe(0);
  }, 20_000);

  it('abort before any provisional response: the CANCEL waits for the 180 (RFC 3261 §9.1)', async () => {
    // T1 500 ms: sipp stays silent for 900 ms, so our INVITE is retransmitted once only.
    const scenario = sippTemplate('uas-late-ringing.template.xml', { delayMs: '900' });
    const { carrier, ua, passed } = await calleeFor(['-sf', scenario], 500);
    const r = await carrier.originate(request({ signal: abortAfter(150) }));
    expect(r).toMatchObject({ disposition: 'no-answer', code: 'canceled' });
    expect(r.ringMs).toBeGreaterThanOrEqual(850);
    await passed(); // a CANCEL sent before the 180 would have failed the scenario
    expect(ua.ports.inUse).toBe(0);
  }, 20_000);

  it('a 200 that crosses the CANCEL is ACKed and hung up with BYE; no leg reaches the handler', async () => {
    const { carrier, registry, inbound, ua, passed } = await calleeFor([
      '-sf',
      sippScenario('uas-cancel-race.xml'),
    ]);
    const r = await carrier.originate(request({ signal: abortAfter(500) }));
    expect(r).toMatchObject({ status: 'unanswered', disposition: 'no-answer', code: 'canceled' });
    expect(r.status === 'unanswered' && r.detail).toContain('answered after CANCEL');
    await passed(); // sipp got the ACK for its 200 and our BYE
    expect(inbound).toEqual([]);
    expect(registry.pendingCount()).toBe(0);
    expect(ua.ports.inUse).toBe(0);
    expect(ua.dialogs.size).toBe(0);
  }, 20_000);

  it('no response at all: the abort cannot CANCEL, Timer B ends it (T1 20 ms -> 1.28 s)', async () => {
    const ua = await SipUserAgent.start({ port: 0, timers: { t1Ms: 20 } });
    lone = ua;
    const silent = await freeUdpPort();
    const carrier = new SipCarrier({ ua, target: `sip:{to}@127.0.0.1:${silent}` });
    const r = await carrier.originate(request({ signal: abortAfter(100) }));
    expect(r).toMatchObject({ disposition: 'no-answer', code: 'canceled' });
    expect(r.status === 'unanswered' && r.detail).toContain('Timer B');
    expect(r.ringMs).toBeGreaterThanOrEqual(1200);
    expect(ua.ports.inUse).toBe(0);
  }, 10_000);

  it('an already aborted signal places no call', async () => {
    const { carrier, ua } = await calleeFor(['-sf', sippScenario('uas-no-answer.xml')]);
    const c = new AbortController();
    c.abort();
    expect(await carrier.originate(request({ signal: c.signal }))).toMatchObject({
      code: 'canceled',
      ringMs: 0,
    });
    expect(ua.ports.inUse).toBe(0);
  }, 10_000);

  it('carrier.close() cancels ringing calls -> no-answer "closed"', async () => {
    const { carrier, ua, passed } = await calleeFor(['-sf', sippScenario('uas-no-answer.xml')]);
    const pending = carrier.originate(request());
    await new Promise((r) => setTimeout(r, 500));
    await carrier.close();
    expect(await pending).toMatchObject({ disposition: 'no-answer', code: 'closed' });
    await passed();
    expect(ua.ports.inUse).toBe(0);
    await expect(carrier.originate(request())).rejects.toMatchObject({ code: 'CARRIER_CLOSED' });
  }, 20_000);

  it('the user agent shutting down gives ringing calls up (CANCEL) and frees their ports', async () => {
    const { port, ua: agent, peer } = await calleeFor(['-sf', sippScenario('uas-no-answer.xml')]);
    const pending = placeCall(agent, { to: `sip:+15550002222@127.0.0.1:${port}`, ringTimeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    await agent.close();
    expect(await pending).toMatchObject({ disposition: 'no-answer', status: 0, cancelled: 'shutdown' });
    expect(agent.ports.inUse).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    peer.stop(); // it waits for an ACK that the closed agent will never send
    expect((await peer.done).stdout).toMatch(/----> CANCEL\s+1 /);
  }, 20_000);

  it('a dialer aborted while its call rings records no-answer with code canceled', async () => {
    const { carrier, ua, passed } = await calleeFor(['-sf', sippScenario('uas-no-answer.xml')]);
    const store = await SqliteCampaignStore.open(':memory:');
    await seedRunningCampaign(
      store,
      {
        id: 'ring',
        name: 'ring',
        scriptId: 'appointment-reminder',
        callerId: '+14155550100',
        trunks: [{ name: 'sip', cps: 10, maxConcurrent: 1 }],
      },
      [newYorkContact('+12125550123')],
      Date.now(),
    );
    const dialer = new Dialer({
      store,
      campaignId: 'ring',
      workerId: 'w',
      carrier,
      ringTimeoutMs: 20_000,
      tickMs: 50,
      runCall: async () => ({ disposition: 'answered' }),
      onEvent: (e) => {
        if (e.type === 'call.dialing') setTimeout(() => dialer.abort(), 700);
      },
    });
    const summary = await dialer.run();
    expect(summary.results).toEqual({ 'no-answer': 1 });
    const rows = await store.contactCounts('ring');
    expect(rows).toMatchObject({ total: 1 });
    let json = '';
    for await (const chunk of exportResults(store, 'ring', 'json')) json += chunk;
    expect(JSON.parse(json)[0]).toMatchObject({ disposition: 'no-answer', attempts: 1 });
    await store.close();
    await passed();
    expect(ua.ports.inUse).toBe(0);
  }, 20_000);
});
