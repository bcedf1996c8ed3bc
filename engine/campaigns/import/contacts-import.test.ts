import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../metrics/metrics.ts';
import { campaignInput } from '../store/conformance.ts';
import { SqliteCampaignStore } from '../store/sqlite-store.ts';
import { pgHarness, requirePostgres } from '../store/testing/pg-harness.ts';
import type { CampaignStore } from '../store/types.ts';
import { importContacts, type RejectedRow } from './contacts-import.ts';
import { importDnc } from './dnc-import.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../fixtures/contacts/${name}`, import.meta.url));
const T0 = Date.parse('2026-06-10T14:00:00Z');

const backends: [string, () => Promise<{ store: CampaignStore; destroy: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'voicebot-import-'));
      const store = await SqliteCampaignStore.open(join(dir, 'c.db'));
      return { store, destroy: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async () => {
      await requirePostgres();
      const h = pgHarness('imp');
      const store = await h.open();
      return { store, destroy: () => h.destroy() };
    },
  ],
];

describe.each(backends)('contact import on %s', (_name, make) => {
  let store: CampaignStore;
  let destroy: () => Promise<void>;

  beforeAll(async () => {
    ({ store, destroy } = await make());
    await store.createCampaign(campaignInput('us', { compliance: 'US' }), T0);
    await store.createCampaign(campaignInput('bad'), T0);
    await store.createCampaign(campaignInput('world', { defaultRegion: 'GB' }), T0);
    await store.createCampaign(campaignInput('mkt', { compliance: 'US', purpose: 'marketing' }), T0);
    await store.createCampaign(campaignInput('info', { compliance: 'US' }), T0);
  });
  afterAll(async () => {
    await store.close();
    await destroy();
  });

  it('imports a clean list with its variables, zones and subdivisions', async () => {
    const s = await importContacts({ store, campaignId: 'us', source: fixture('good.csv'), nowMs: T0 });
    expect(s).toMatchObject({ rowsRead: 8, imported: 8, rejected: 0 });
    const rows = await store.listContacts('us');
    const byNumber = new Map(rows.map((r) => [r.e164, r]));
    expect(byNumber.get('+12125550142')).toMatchObject({
      zones: ['America/New_York'],
      subdivision: null,
      variables: { first_name: 'Ada', appointment: '2026-07-01 09:30', amount: '120.50' },
      sourceLine: 2,
      nextAttemptAtMs: T0,
    });
    expect(byNumber.get('+13055550117')?.subdivision).toBe('US-FL');
    expect(byNumber.get('+18505550199')).toMatchObject({
      subdivision: 'US-FL',
      zones: ['America/New_York', 'America/Chicago'],
    });
    expect(byNumber.get('+17205550177')?.variables).toEqual({
      first_name: 'Hopper, Grace M.',
      appointment: '2026-07-04 15:30',
      amount: '1,000.00',
    });
    expect(byNumber.get('+16135550144')?.zones).toEqual(['America/Toronto']);
  });

  it('reports every row of a list imported twice as already in the campaign', async () => {
    const s = await importContacts({ store, campaignId: 'us', source: fixture('good.csv'), nowMs: T0 });
    expect(s).toMatchObject({ rowsRead: 8, imported: 0, rejected: 8 });
    expect(s.byReason.duplicate_in_campaign).toBe(8);
    expect(s.samples[0]!.detail).toContain('already in campaign us');
  });

  it('imports a DNC file and reports its unreadable lines', async () => {
    const s = await importDnc({
      store,
      source: fixture('dnc.csv'),
      sourceName: 'file:dnc.csv',
      defaultRegion: 'US',
    });
    expect(s).toMatchObject({ rowsRead: 4, added: 3, alreadyListed: 0, rejected: 1 });
    expect(s.samples[0]).toMatchObject({ line: 4, pii: { raw: 'not-a-number' } });
    expect(await store.dncMatches(['+12025550190', '+12125550199', '+442079460999'])).toEqual(
      new Set(['+12025550190', '+12125550199', '+442079460999']),
    );
  });

  it('rejects each bad row with its line and reason, and drops none', async () => {
    const rejects: RejectedRow[] = [];
    const metrics = new Metrics();
    const s = await importContacts({
      store,
      campaignId: 'bad',
      source: fixture('bad-rows.csv'),
      nowMs: T0,
      onReject: (r) => rejects.push(r),
      metrics,
    });
    const counted = (await metrics.campaignImportRows.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(Object.fromEntries(counted)).toMatchObject({
      imported: 2,
      missing_column: 2,
      bad_number: 2,
      dnc: 1,
    });
    const got = rejects.sort((a, b) => a.line - b.line).map((r) => [r.line, r.reason]);
    expect(got).toEqual([
      [3, 'bad_number'],
      [4, 'missing_column'],
      [5, 'missing_column'],
      [6, 'extra_columns'],
      [7, 'duplicate_in_file'],
      [8, 'bad_row'],
      [9, 'dnc'],
      [10, 'unknown_zone'],
      [11, 'bad_timezone'],
      [12, 'bad_number'],
    ]);
    expect(s).toMatchObject({ rowsRead: 12, imported: 2, rejected: 10 });
    expect(s.rowsRead).toBe(s.imported + s.rejected);
    const detail = (line: number) => rejects.find((r) => r.line === line)!.detail;
    expect(detail(4)).toBe('no value for phone');
    expect(detail(5)).toBe('no value for timezone, amount');
    expect(detail(7)).toBe('same number as line 2');
    expect(detail(10)).toContain('add a timezone column');
    expect(detail(11)).toContain('IANA');
    expect((await store.listContacts('bad')).map((c) => c.sourceLine)).toEqual([2, 13]);
  });

  it('reads the consent column: normalised into the consent variable, bad values rejected by line', async () => {
    const rejects: RejectedRow[] = [];
    const s = await importContacts({
      store,
      campaignId: 'mkt',
      source: fixture('consent.csv'),
      nowMs: T0,
      onReject: (r) => rejects.push(r),
    });
    expect(s).toMatchObject({ rowsRead: 9, imported: 6, rejected: 3, withoutConsent: 2 });
    expect(s.byReason.bad_consent).toBe(3);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [6, 'bad_consent'],
      [7, 'bad_consent'],
      [8, 'bad_consent'],
    ]);
    expect(rejects[0]!.detail).toContain('"maybe" is not yes/no');
    expect(rejects[1]!.detail).toContain('not a calendar date');
    expect(rejects[2]!.detail).toContain('in the future');
    const consent = Object.fromEntries(
      (await store.listContacts('mkt')).map((c) => [c.variables.first_name, c.variables]),
    );
    expect(consent).toEqual({
      Ada: { first_name: 'Ada', consent: 'yes' },
      Grace: { first_name: 'Grace', consent: '2026-05-01' },
      Alan: { first_name: 'Alan', consent: 'no' },
      Barbara: { first_name: 'Barbara', consent: 'no' },
      Hopper: { first_name: 'Hopper', consent: '2026-06-01T13:30:00.000Z' },
      Linus: { first_name: 'Linus', consent: 'yes' },
    });
    await expect(
      importContacts({ store, campaignId: 'mkt', source: fixture('good.csv'), consentColumn: 'opt_in' }),
    ).rejects.toMatchObject({
      code: 'CONTACTS_BAD_FILE',
      message: expect.stringContaining('no "opt_in" consent column'),
    });
    // An informational campaign validates the column the same way but calls everyone.
    const info = await importContacts({
      store,
      campaignId: 'info',
      source: fixture('consent.csv'),
      nowMs: T0,
    });
    expect(info).toMatchObject({ imported: 6, rejected: 3, withoutConsent: 0 });
  });

  it('resolves zones across regions, with a timezone column where the number does not tell', async () => {
    const rejects: RejectedRow[] = [];
    const s = await importContacts({
      store,
      campaignId: 'world',
      source: fixture('mixed-regions.csv'),
      onReject: (r) => rejects.push(r),
    });
    expect(s).toMatchObject({ rowsRead: 14, imported: 10, rejected: 4 });
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [8, 'unknown_zone'],
      [10, 'unknown_zone'],
      [11, 'unknown_zone'],
      [15, 'unknown_zone'],
    ]);
    const zones = Object.fromEntries(
      (await store.listContacts('world')).map((c) => [c.variables.name, c.zones]),
    );
    expect(zones).toMatchObject({
      'London landline': ['Europe/London'],
      'Beijing mobile': ['Asia/Shanghai'],
      'Adelaide landline': ['Australia/Adelaide', 'Australia/Darwin'],
      'AU mobile with zone': ['Australia/Perth'],
      'Moscow mobile with zone': ['Europe/Moscow'],
      'Alaska (two zones)': ['America/Anchorage', 'America/Adak'],
    });
  });

  it('streams a large generated list in batches with exact counts', async () => {
    await store.createCampaign(campaignInput('big'), T0);
    const n = 20_000;
    function* lines() {
      yield 'phone,name\n';
      for (let i = 0; i < n; i++) {
        // Every 1000th row repeats the row before it.
        const k = i % 1000 === 999 ? i - 1 : i;
        yield `+1 646 ${String(2000000 + k).slice(0, 3)} ${String(2000000 + k).slice(3)},Person ${i}\n`;
      }
    }
    let progress = 0;
    const s = await importContacts({
      store,
      campaignId: 'big',
      source: Readable.from(lines()),
      batchSize: 500,
      onProgress: () => progress++,
    });
    expect(s).toMatchObject({ rowsRead: n, imported: n - 20, rejected: 20 });
    expect(s.byReason.duplicate_in_file).toBe(20);
    expect(progress).toBeGreaterThanOrEqual(n / 500);
    expect((await store.contactCounts('big')).total).toBe(n - 20);
  }, 60_000);

  it('fails the whole file, clearly, when it cannot be used at all', async () => {
    await expect(
      importContacts({ store, campaignId: 'bad', source: Readable.from(['name,city\nAda,London\n']) }),
    ).rejects.toMatchObject({
      code: 'CONTACTS_BAD_FILE',
      message: expect.stringContaining('no phone column'),
    });
    await expect(
      importContacts({ store, campaignId: 'bad', source: '/nonexistent/contacts.csv' }),
    ).rejects.toMatchObject({
      code: 'CONTACTS_BAD_FILE',
      message: expect.stringContaining('/nonexistent/contacts.csv'),
    });
    await expect(
      importContacts({ store, campaignId: 'bad', source: Readable.from(['']) }),
    ).rejects.toMatchObject({
      code: 'CONTACTS_BAD_FILE',
    });
    await expect(
      importContacts({ store, campaignId: 'nope', source: fixture('good.csv') }),
    ).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_FOUND' });
  });
});
