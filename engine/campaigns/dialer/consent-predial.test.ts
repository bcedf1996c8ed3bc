import { afterEach, describe, expect, it } from 'vitest';
import { campaignStatus } from '../api/status.ts';
import { resultRecords } from '../export/results-export.ts';
import type { CampaignInput } from '../model.ts';
import { campaignInput } from '../store/conformance.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import type { CampaignStore } from '../store/types.ts';
import { VirtualClock } from './clock.ts';
import { Dialer } from './dialer.ts';
import { VirtualCarrier, waitForHangup } from './testing/virtual-carrier.ts';

/** Marketing calls under a consent profile: callees without recorded consent are never dialed. */

const T0 = Date.parse('2026-06-10T14:00:00Z'); // Wednesday 10:00 in New York
const CONSENT: Record<string, string | undefined> = {
  '+12125551000': 'yes',
  '+12125551001': '2026-05-01',
  '+12125551002': 'no',
  '+12125551003': undefined, // no consent column value
  '+12125551004': '2026-07-01', // dated after the call: not consent yet (a direct store write)
};
let store: CampaignStore;
afterEach(async () => store?.close());

async function dialAll(over: Partial<CampaignInput>) {
  store = await SqliteCampaignStore.open(':memory:');
  await store.createCampaign(
    campaignInput('c', { trunks: [{ name: 't', cps: 5, maxConcurrent: 5 }], ...over }),
    T0,
  );
  await store.setCampaignStatus('c', 'running');
  await store.addContacts(
    'c',
    Object.entries(CONSENT).map(([e164, consent]) => ({
      e164,
      zones: ['America/New_York'],
      subdivision: null,
      variables: consent === undefined ? {} : ({ consent } as Record<string, string>),
    })),
    T0,
  );
  const clock = new VirtualClock(T0);
  const carrier = new VirtualCarrier(clock, () => ({ kind: 'answer', ringMs: 2000, talkMs: 10_000 }));
  const dialer = new Dialer({
    store,
    campaignId: 'c',
    workerId: 'w',
    carrier,
    clock,
    exitWhenDone: true,
    runCall: async (leg, ctx) => {
      await waitForHangup(leg, clock, 60_000, ctx.signal);
      return { disposition: 'answered' };
    },
  });
  let done = false;
  void dialer.run().then(() => {
    done = true;
  });
  await clock.run(() => done, 3_600_000);
  return carrier.log.map((r) => r.to).sort();
}

describe('consent before dialing', () => {
  it('a US marketing campaign dials only callees with recorded consent; the rest end not-dialed, no_consent', async () => {
    const dialed = await dialAll({ compliance: 'US', purpose: 'marketing' });
    expect(dialed).toEqual(['+12125551000', '+12125551001']);
    const records = new Map<string, Record<string, unknown>>();
    for await (const r of resultRecords(store, 'c')) records.set(r.e164, r);
    for (const e164 of ['+12125551002', '+12125551003', '+12125551004']) {
      expect(records.get(e164)).toMatchObject({
        status: 'done',
        disposition: 'not-dialed',
        reason: 'no_consent',
        attempts: 0,
      });
      const contact = (await store.listContacts('c')).find((c) => c.e164 === e164)!;
      expect((await store.listAttempts(contact.id)).map((a) => a.disposition)).toEqual(['not-dialed']);
    }
    expect(records.get('+12125551000')).toMatchObject({ disposition: 'answered', reason: null });
    const status = await campaignStatus(store, 'c', T0);
    expect(status).toMatchObject({
      purpose: 'marketing',
      notDialed: { no_consent: 3 },
      byDisposition: { answered: 2, 'not-dialed': 3 },
    });
  });

  it.each([
    ['informational under US rules', { compliance: 'US' as const }],
    [
      'marketing under UK rules (no consent rule)',
      { compliance: 'UK' as const, purpose: 'marketing' as const },
    ],
  ])('%s: everyone is dialed', async (_name, over) => {
    expect(await dialAll(over)).toEqual(Object.keys(CONSENT).sort());
  });

  it('CN marketing needs consent too', async () => {
    expect(
      await dialAll({ compliance: 'CN', purpose: 'marketing', window: { start: '00:00', end: '24:00' } }),
    ).toEqual(['+12125551000', '+12125551001']);
  });
});
