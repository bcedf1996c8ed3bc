import { afterEach, describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../errors.ts';
import type { CampaignInput } from '../model.ts';
import { abandonConformance } from './conformance-abandon.ts';
import type { CampaignStore, NewContact } from './types.ts';

/**
 * The one behaviour every CampaignStore backend must have. A backend's test file calls
 * `storeConformance` with a factory that makes a fresh, empty database per test and can open
 * it again (to check that results survive a restart).
 */
export interface StoreHarness {
  /** Opens (again) the same database; migrations run on open. */
  open(): Promise<CampaignStore>;
  /** Removes the database after the test. */
  destroy(): Promise<void>;
}

const T0 = Date.parse('2026-06-10T14:00:00Z');
const LEASE = 60_000;

export function campaignInput(id: string, over: Partial<CampaignInput> = {}): CampaignInput {
  return { id, name: `Campaign ${id}`, scriptId: 'reminder', callerId: '+14155550100', ...over };
}

export function contact(e164: string, line?: number, importId = 'imp-1'): NewContact {
  return {
    e164,
    zones: ['America/New_York'],
    subdivision: null,
    variables: { name: `N${e164.slice(-4)}`, line: String(line ?? 0) },
    importId,
    sourceLine: line ?? null,
  };
}

function numbers(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `+1212555${String(1000 + from + i).padStart(4, '0')}`);
}

export function storeConformance(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`CampaignStore conformance: ${name}`, () => {
    const opened: CampaignStore[] = [];
    let harness: StoreHarness | undefined;

    async function fresh(): Promise<CampaignStore> {
      harness = await makeHarness();
      const s = await harness.open();
      opened.push(s);
      return s;
    }

    async function reopen(): Promise<CampaignStore> {
      const s = await harness!.open();
      opened.push(s);
      return s;
    }

    async function running(store: CampaignStore, id: string, count: number): Promise<void> {
      await store.createCampaign(campaignInput(id), T0);
      await store.setCampaignStatus(id, 'running');
      await store.addContacts(
        id,
        numbers(count).map((e, i) => contact(e, i + 2)),
        T0,
      );
    }

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      await harness?.destroy();
      harness = undefined;
    });

    it('records migrations once, by version, and re-running them changes nothing', async () => {
      const store = await fresh();
      expect(await store.appliedMigrations()).toEqual([1, 2]);
      expect(await store.migrate()).toEqual([]);
      await store.close();
      const again = await reopen();
      expect(await again.appliedMigrations()).toEqual([1, 2]);
    });

    it('creates, reads, lists campaigns and changes their status', async () => {
      const store = await fresh();
      const created = await store.createCampaign(campaignInput('a', { compliance: 'US' }), T0);
      expect(created.status).toBe('draft');
      await store.createCampaign(campaignInput('b'), T0 + 1);
      const a = await store.getCampaign('a');
      expect(a?.campaign.compliance).toBe('US');
      expect(a?.campaign.window.start).toBe(9 * 60);
      expect(a?.createdAtMs).toBe(T0);
      expect((await store.listCampaigns()).map((c) => c.campaign.id)).toEqual(['a', 'b']);
      await store.setCampaignStatus('a', 'paused');
      expect((await store.getCampaign('a'))?.status).toBe('paused');
      expect(await store.getCampaign('nope')).toBeNull();
      await expect(store.setCampaignStatus('nope', 'running')).rejects.toMatchObject({
        code: 'CAMPAIGN_NOT_FOUND',
      });
      await expect(store.createCampaign(campaignInput('a'), T0)).rejects.toMatchObject({
        code: 'CAMPAIGN_EXISTS',
      });
      const bad = await store.createCampaign({ ...campaignInput('c'), callerId: '12' }, T0).catch((e) => e);
      expect(isVoicebotError(bad) && bad.code).toBe('CAMPAIGN_INVALID');
      expect(bad.message).toContain('callerId');
    });

    it('adds contacts, keeping variables and zones, and reports numbers already in the campaign', async () => {
      const store = await fresh();
      await store.createCampaign(campaignInput('a'), T0);
      await store.createCampaign(campaignInput('b'), T0);
      const first = await store.addContacts(
        'a',
        numbers(3).map((e, i) => contact(e, i + 2)),
        T0,
      );
      expect(first).toEqual({ inserted: 3, duplicates: [] });
      const [n0, n1, n2] = numbers(3);
      const second = await store.addContacts(
        'a',
        [
          contact(n1!, 10, 'imp-2'),
          contact('+12125559999', 11, 'imp-2'),
          contact('+12125559999', 12, 'imp-2'),
        ],
        T0,
      );
      expect(second.inserted).toBe(1);
      expect(second.duplicates).toEqual([
        { index: 0, e164: n1, importId: 'imp-1', sourceLine: 3 },
        { index: 2, e164: '+12125559999', importId: 'imp-2', sourceLine: 11 },
      ]);
      expect((await store.addContacts('b', [contact(n0!, 2)], T0)).inserted).toBe(1);
      const listed = await store.listContacts('a');
      expect(listed.map((c) => c.e164)).toEqual([n0, n1, n2, '+12125559999']);
      expect(listed[0]).toMatchObject({
        campaignId: 'a',
        zones: ['America/New_York'],
        variables: { name: `N${n0!.slice(-4)}`, line: '2' },
        status: 'pending',
        nextAttemptAtMs: T0,
        attemptCount: 0,
        sourceLine: 2,
      });
      const page = await store.listContacts('a', { afterId: listed[1]!.id, limit: 1 });
      expect(page.map((c) => c.e164)).toEqual([n2]);
      expect(await store.getContact(listed[0]!.id)).toEqual(listed[0]);
      expect(await store.contactCounts('a')).toEqual({ pending: 4, leased: 0, done: 0, total: 4 });
      await expect(store.addContacts('zz', [contact(n0!)], T0)).rejects.toMatchObject({
        code: 'CAMPAIGN_NOT_FOUND',
      });
    });

    it('keeps a DNC list (file entries, API, opt-outs) and never claims a number on it', async () => {
      const store = await fresh();
      await running(store, 'a', 5);
      const [n0, n1, n2] = numbers(3);
      expect(
        await store.addDnc(
          [
            { e164: n0!, source: 'file:dnc.csv' },
            { e164: n0!, source: 'api' },
          ],
          T0,
        ),
      ).toBe(1);
      expect(await store.dncMatches([n0!, n1!])).toEqual(new Set([n0]));
      const claims = await store.claimDue('a', T0, 10, LEASE, 'w1');
      expect(claims.map((c) => c.contact.e164).sort()).toEqual(numbers(4, 1).sort());
      // An opt-out during a call goes on the list at once, in the same transaction as the result.
      const c1 = claims.find((c) => c.contact.e164 === n1)!;
      expect(
        await store.recordResult(c1.attemptId, {
          disposition: 'opt-out',
          endedAtMs: T0 + 5000,
          nextAttemptAtMs: null,
          countsAsAttempt: true,
        }),
      ).toEqual({ status: 'recorded' });
      expect(await store.dncMatches([n1!])).toEqual(new Set([n1]));
      expect(await store.dncCount()).toBe(2);
      // A number added while its contact is pending again is skipped by the next claim.
      const c2 = claims.find((c) => c.contact.e164 === n2)!;
      await store.recordResult(c2.attemptId, {
        disposition: 'busy',
        endedAtMs: T0 + 1000,
        nextAttemptAtMs: T0 + 2000,
        countsAsAttempt: true,
      });
      await store.addDnc([{ e164: n2!, source: 'api', reason: 'asked by email' }], T0 + 1500);
      expect(await store.claimDue('a', T0 + 10_000, 10, LEASE, 'w1')).toEqual([]);
      expect(await store.removeDnc(n2!)).toBe(true);
      expect((await store.claimDue('a', T0 + 10_000, 10, LEASE, 'w1')).map((c) => c.contact.e164)).toEqual([
        n2,
      ]);
    });

    it('claims only due contacts of a running campaign, each once, up to the limit', async () => {
      const store = await fresh();
      await running(store, 'a', 5);
      await store.createCampaign(campaignInput('later'), T0);
      await store.addContacts('later', [contact('+12125550001')], T0 + 60_000);
      await store.setCampaignStatus('later', 'running');
      expect(await store.claimDue('later', T0, 10, LEASE, 'w1')).toEqual([]);
      expect(await store.claimDue('later', T0 + 60_000, 10, LEASE, 'w1')).toHaveLength(1);

      await store.setCampaignStatus('a', 'paused');
      expect(await store.claimDue('a', T0, 10, LEASE, 'w1')).toEqual([]);
      await store.setCampaignStatus('a', 'running');
      const first = await store.claimDue('a', T0, 3, LEASE, 'w1');
      expect(first).toHaveLength(3);
      expect(first[0]).toMatchObject({ attemptNo: 1, leaseUntilMs: T0 + LEASE });
      expect(first[0]!.contact).toMatchObject({
        status: 'leased',
        leaseOwner: 'w1',
        leaseUntilMs: T0 + LEASE,
      });
      const second = await store.claimDue('a', T0 + 1, 10, LEASE, 'w2');
      expect(second).toHaveLength(2);
      const ids = [...first, ...second].map((c) => c.contact.id);
      expect(new Set(ids).size).toBe(5);
      expect(await store.claimDue('a', T0 + 2, 10, LEASE, 'w3')).toEqual([]);
      expect(await store.contactCounts('a')).toMatchObject({ leased: 5, pending: 0 });
      const attempts = await store.listAttempts(first[0]!.contact.id);
      expect(attempts).toEqual([
        expect.objectContaining({
          id: first[0]!.attemptId,
          workerId: 'w1',
          disposition: null,
          startedAtMs: T0,
        }),
      ]);
    });

    it('gives concurrent claimers disjoint contacts', async () => {
      const store = await fresh();
      await running(store, 'a', 60);
      const batches = await Promise.all(
        Array.from({ length: 6 }, (_, w) => store.claimDue('a', T0, 15, LEASE, `w${w}`)),
      );
      const ids = batches.flat().map((c) => c.contact.id);
      expect(ids).toHaveLength(60);
      expect(new Set(ids).size).toBe(60);
    });

    it('reclaims a contact whose lease expired, closing the lost attempt as lease-expired', async () => {
      const store = await fresh();
      await running(store, 'a', 1);
      const [claim] = await store.claimDue('a', T0, 1, LEASE, 'w1');
      expect(await store.claimDue('a', T0 + LEASE - 1, 1, LEASE, 'w2')).toEqual([]);
      expect(await store.extendLease(claim!.attemptId, 'w1', T0 + 2 * LEASE)).toBe(true);
      expect(await store.extendLease(claim!.attemptId, 'w2', T0 + 3 * LEASE)).toBe(false);
      expect(await store.claimDue('a', T0 + LEASE, 1, LEASE, 'w2')).toEqual([]);
      const [again] = await store.claimDue('a', T0 + 2 * LEASE, 1, LEASE, 'w2');
      expect(again).toMatchObject({ attemptNo: 2 });
      expect(again!.contact).toMatchObject({
        leaseOwner: 'w2',
        attemptCount: 1,
        lastDisposition: 'lease-expired',
      });
      // The first worker comes back too late: its result is refused, the new attempt's is kept.
      const late = {
        disposition: 'answered' as const,
        endedAtMs: T0,
        nextAttemptAtMs: null,
        countsAsAttempt: true,
      };
      expect(await store.recordResult(claim!.attemptId, late)).toEqual({ status: 'expired' });
      expect(await store.extendLease(claim!.attemptId, 'w1', T0 + 9 * LEASE)).toBe(false);
      expect(await store.recordResult(again!.attemptId, late)).toEqual({ status: 'recorded' });
      const attempts = await store.listAttempts(again!.contact.id);
      expect(attempts.map((a) => [a.attemptNo, a.workerId, a.disposition])).toEqual([
        [1, 'w1', 'lease-expired'],
        [2, 'w2', 'answered'],
      ]);
    });

    it('records each result exactly once and moves the contact on', async () => {
      const store = await fresh();
      await running(store, 'a', 2);
      const [c1, c2] = await store.claimDue('a', T0, 2, LEASE, 'w1');
      const busy = {
        disposition: 'busy' as const,
        endedAtMs: T0 + 9000,
        nextAttemptAtMs: T0 + 20 * 60_000,
        countsAsAttempt: true,
        data: { sip: 486 },
      };
      expect(await store.recordResult(c1!.attemptId, busy)).toEqual({ status: 'recorded' });
      expect(await store.recordResult(c1!.attemptId, { ...busy, disposition: 'answered' })).toEqual({
        status: 'duplicate',
        disposition: 'busy',
      });
      expect(await store.recordResult('no-such-attempt', busy)).toEqual({ status: 'unknown_attempt' });
      const congested = {
        disposition: 'congestion' as const,
        endedAtMs: T0 + 1,
        nextAttemptAtMs: T0 + 2,
        countsAsAttempt: false,
      };
      await store.recordResult(c2!.attemptId, congested);
      expect(await store.getContact(c1!.contact.id)).toMatchObject({
        status: 'pending',
        nextAttemptAtMs: T0 + 20 * 60_000,
        attemptCount: 1,
        lastDisposition: 'busy',
        leaseOwner: null,
        leaseUntilMs: null,
      });
      expect(await store.getContact(c2!.contact.id)).toMatchObject({
        attemptCount: 0,
        lastDisposition: 'congestion',
      });
      expect(await store.listAttempts(c1!.contact.id)).toEqual([
        expect.objectContaining({
          disposition: 'busy',
          endedAtMs: T0 + 9000,
          countsAsAttempt: true,
          data: { sip: 486 },
        }),
      ]);
      // Due again at its next time; a final result finishes it.
      expect(await store.claimDue('a', T0 + 60_000, 5, LEASE, 'w1')).toHaveLength(1);
      // c2's lease (taken just above) has expired by now too, so both come back.
      const due = await store.claimDue('a', T0 + 20 * 60_000, 5, LEASE, 'w1');
      expect(due).toHaveLength(2);
      const c1b = due.find((c) => c.contact.id === c1!.contact.id);
      expect(c1b).toMatchObject({ attemptNo: 2 });
      await store.recordResult(c1b!.attemptId, {
        disposition: 'answered',
        endedAtMs: T0 + 21 * 60_000,
        nextAttemptAtMs: null,
        countsAsAttempt: true,
      });
      expect(await store.getContact(c1!.contact.id)).toMatchObject({ status: 'done', attemptCount: 2 });
      const later = await store.claimDue('a', T0 + 99 * 60_000, 5, LEASE, 'w1');
      expect(later.map((c) => c.contact.id)).toEqual([c2!.contact.id]); // c1 is done; c2's lease expired
    });

    it('lists attempts on one number across campaigns (for per-callee limits)', async () => {
      const store = await fresh();
      await running(store, 'a', 1);
      await running(store, 'b', 1);
      await store.claimDue('a', T0, 1, LEASE, 'w1');
      await store.claimDue('b', T0 + 1000, 1, LEASE, 'w1');
      const [n0] = numbers(1);
      expect((await store.attemptsForNumber(n0!, T0)).map((a) => a.campaignId)).toEqual(['a', 'b']);
      expect((await store.attemptsForNumber(n0!, T0 + 1)).map((a) => a.campaignId)).toEqual(['b']);
    });

    abandonConformance(fresh, running, T0);

    it('keeps everything across a restart', async () => {
      const store = await fresh();
      await running(store, 'a', 3);
      const [c1] = await store.claimDue('a', T0, 1, LEASE, 'w1');
      await store.recordResult(c1!.attemptId, {
        disposition: 'answered',
        endedAtMs: T0 + 1,
        nextAttemptAtMs: null,
        countsAsAttempt: true,
        data: { answer: 'yes' },
      });
      const [open] = await store.claimDue('a', T0 + 2, 1, LEASE, 'w1');
      await store.addDnc([{ e164: '+12125550000', source: 'api' }], T0);
      await store.close();
      const after = await reopen();
      expect((await after.getCampaign('a'))?.status).toBe('running');
      expect(await after.contactCounts('a')).toEqual({ pending: 1, leased: 1, done: 1, total: 3 });
      expect((await after.listAttempts(c1!.contact.id))[0]).toMatchObject({
        disposition: 'answered',
        data: { answer: 'yes' },
      });
      expect(await after.dncCount()).toBe(1);
      // The open attempt is still owned and can still be finished exactly once.
      const r = {
        disposition: 'no-answer' as const,
        endedAtMs: T0 + 3,
        nextAttemptAtMs: T0 + 10,
        countsAsAttempt: true,
      };
      expect(await after.recordResult(open!.attemptId, r)).toEqual({ status: 'recorded' });
      expect(await after.recordResult(open!.attemptId, r)).toMatchObject({ status: 'duplicate' });
    });
  });
}
