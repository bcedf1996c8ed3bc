import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { VoicebotError } from '../../errors.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { COMPLIANCE_PROFILES, subdivisionOf } from '../compliance-profiles.ts';
import { CONSENT_VARIABLE, consentRequired, parseConsent } from '../consent.ts';
import { normalizeNumber } from '../phone.ts';
import type { CampaignStore, NewContact } from '../store/types.ts';
import { resolveZones } from '../zones/resolve-zone.ts';
import { csvEvents } from './csv-records.ts';

export const REJECT_REASONS = [
  'bad_row', // the CSV grammar rejects it (stray or unclosed quote)
  'missing_column', // fewer fields than the header, or an empty phone
  'extra_columns', // more fields than the header
  'bad_number',
  'duplicate_in_file',
  'duplicate_in_campaign',
  'dnc',
  'bad_timezone',
  'unknown_zone',
  'bad_consent', // the consent column holds neither yes/no nor an ISO date (see consent.ts)
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface RejectedRow {
  line: number;
  reason: RejectReason;
  detail: string;
  /** The number as written and as normalised: personal data, log only under `pii`. */
  pii: { raw?: string; e164?: string };
}

export interface ImportSummary {
  importId: string;
  rowsRead: number;
  imported: number;
  rejected: number;
  byReason: Record<RejectReason, number>;
  /** The first rejects (all of them go to onReject). */
  samples: RejectedRow[];
  /**
   * Imported contacts without recorded consent in a campaign that calls only those with it
   * (marketing under the US or CN profile): they are never dialed (`not-dialed`, `no_consent`).
   */
  withoutConsent: number;
  durationMs: number;
}

export interface ImportOptions {
  store: CampaignStore;
  campaignId: string;
  /** A file path or a stream of CSV text with a header line. */
  source: Readable | string;
  /** Header of the number column; default: the first of phone, number, phone_number, msisdn, e164. */
  phoneColumn?: string;
  /** Header of an optional IANA time zone column; default `timezone` when present. */
  timezoneColumn?: string;
  /** Header of the optional consent column (kept as the variable `consent`); default `consent`. */
  consentColumn?: string;
  /** Read numbers without a country code in this region; default the campaign's. */
  defaultRegion?: string;
  delimiter?: string;
  batchSize?: number;
  /** Every rejected row, in file order within each batch. */
  onReject?: (row: RejectedRow) => void;
  /** Progress after each batch. */
  onProgress?: (summary: Readonly<ImportSummary>) => void;
  /** When the contacts are first due; default now. */
  nowMs?: number;
  importId?: string;
  maxSamples?: number;
  /** Counts rows by outcome on voicebot_campaign_import_rows_total. */
  metrics?: Metrics;
}

const PHONE_HEADERS = ['phone', 'number', 'phone_number', 'msisdn', 'e164'];

interface Candidate {
  line: number;
  raw: string;
  contact: NewContact;
  consent: boolean;
}

/**
 * Streams a contact list into a campaign: every row becomes a contact or a reject with its
 * line and reason, and the summary counts both (rowsRead = imported + rejected). Memory is
 * bounded by the batch size: duplicates are found by the store's unique (campaign, number)
 * key, which also tells a repeat within this file (same import id) from one already in the
 * campaign.
 */
export async function importContacts(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { store, campaignId } = options;
  const stored = await store.getCampaign(campaignId);
  if (!stored)
    throw new VoicebotError('CAMPAIGN_NOT_FOUND', `no campaign with id "${campaignId}"`, { campaignId });
  const campaign = stored.campaign;
  const profile = COMPLIANCE_PROFILES[campaign.compliance];
  const region = options.defaultRegion ?? campaign.defaultRegion;
  const batchSize = options.batchSize ?? 1000;
  const maxSamples = options.maxSamples ?? 100;
  const nowMs = options.nowMs ?? Date.now();
  const needsConsent = consentRequired(campaign);
  const summary: ImportSummary = {
    importId: options.importId ?? randomUUID(),
    rowsRead: 0,
    imported: 0,
    rejected: 0,
    byReason: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>,
    samples: [],
    withoutConsent: 0,
    durationMs: 0,
  };

  const reject = (row: RejectedRow) => {
    summary.rejected++;
    summary.byReason[row.reason]++;
    options.metrics?.campaignImportRows.inc({ outcome: row.reason });
    if (summary.samples.length < maxSamples) summary.samples.push(row);
    options.onReject?.(row);
  };

  let header: string[] | undefined;
  let phoneIdx = -1;
  let tzIdx = -1;
  let consentIdx = -1;
  let batch: Candidate[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    const dnc = await store.dncMatches(current.map((c) => c.contact.e164));
    const allowed: Candidate[] = [];
    for (const c of current) {
      if (dnc.has(c.contact.e164)) {
        reject({
          line: c.line,
          reason: 'dnc',
          detail: 'on the do-not-call list',
          pii: { raw: c.raw, e164: c.contact.e164 },
        });
      } else allowed.push(c);
    }
    const r = await store.addContacts(
      campaignId,
      allowed.map((c) => c.contact),
      nowMs,
    );
    summary.imported += r.inserted;
    if (needsConsent) {
      const dup = new Set(r.duplicates.map((d) => d.index));
      summary.withoutConsent += allowed.filter((c, i) => !c.consent && !dup.has(i)).length;
    }
    if (r.inserted) options.metrics?.campaignImportRows.inc({ outcome: 'imported' }, r.inserted);
    for (const d of r.duplicates) {
      const c = allowed[d.index]!;
      const inFile = d.importId === summary.importId;
      reject({
        line: c.line,
        reason: inFile ? 'duplicate_in_file' : 'duplicate_in_campaign',
        detail: inFile
          ? `same number as line ${d.sourceLine}`
          : `already in campaign ${campaignId}${d.sourceLine ? ` (line ${d.sourceLine} of an earlier import)` : ''}`,
        pii: { raw: c.raw, e164: c.contact.e164 },
      });
    }
    options.onProgress?.(summary);
  };

  for await (const ev of csvEvents(options.source, options.delimiter)) {
    if (ev.kind === 'error') {
      if (!header) {
        throw new VoicebotError('CONTACTS_BAD_FILE', `the header line cannot be read: ${ev.detail}`, {
          line: ev.line,
        });
      }
      summary.rowsRead++;
      reject({ line: ev.line, reason: 'bad_row', detail: ev.detail, pii: {} });
      continue;
    }
    const { line, fields } = ev.record;
    if (!header) {
      header = fields.map((f) => f.trim());
      const lower = header.map((h) => h.toLowerCase());
      const wanted = options.phoneColumn?.toLowerCase();
      phoneIdx = wanted ? lower.indexOf(wanted) : lower.findIndex((h) => PHONE_HEADERS.includes(h));
      if (phoneIdx < 0) {
        throw new VoicebotError(
          'CONTACTS_BAD_FILE',
          `no ${wanted ? `"${options.phoneColumn}"` : 'phone'} column in the header (line ${line}: ${header.join(', ')}); ` +
            `name the number column ${wanted ? options.phoneColumn : 'phone'} or pass phoneColumn`,
          { line, header },
        );
      }
      tzIdx = lower.indexOf((options.timezoneColumn ?? 'timezone').toLowerCase());
      consentIdx = lower.indexOf((options.consentColumn ?? CONSENT_VARIABLE).toLowerCase());
      if (options.consentColumn && consentIdx < 0) {
        throw new VoicebotError(
          'CONTACTS_BAD_FILE',
          `no "${options.consentColumn}" consent column in the header (line ${line}: ${header.join(', ')}); ` +
            'name the column in consentColumn as the file does, or leave it out to read a consent column',
          { line, header },
        );
      }
      continue;
    }
    summary.rowsRead++;
    const raw = (fields[phoneIdx] ?? '').trim();
    if (fields.length > header.length) {
      reject({
        line,
        reason: 'extra_columns',
        detail: `${fields.length} fields, the header has ${header.length}`,
        pii: { raw },
      });
      continue;
    }
    if (fields.length < header.length || !raw) {
      const missing = !raw ? [header[phoneIdx]!] : header.slice(fields.length);
      reject({ line, reason: 'missing_column', detail: `no value for ${missing.join(', ')}`, pii: { raw } });
      continue;
    }
    const n = normalizeNumber(raw, region);
    if (!n.ok) {
      reject({ line, reason: 'bad_number', detail: n.detail, pii: { raw } });
      continue;
    }
    const zone = resolveZones(
      {
        region: n.region,
        nationalNumber: n.nationalNumber,
        timezone: tzIdx >= 0 ? fields[tzIdx] : undefined,
      },
      campaign.maxZoneSpreadHours,
      nowMs,
    );
    if (!zone.ok) {
      reject({ line, reason: zone.reason, detail: zone.detail, pii: { raw, e164: n.e164 } });
      continue;
    }
    const consent = consentIdx >= 0 ? parseConsent(fields[consentIdx] ?? '', nowMs) : null;
    if (consent && !consent.ok) {
      reject({ line, reason: 'bad_consent', detail: consent.detail, pii: { raw, e164: n.e164 } });
      continue;
    }
    const variables: Record<string, string> = {};
    header.forEach((h, i) => {
      if (i !== phoneIdx && i !== tzIdx && i !== consentIdx && h) variables[h] = fields[i] ?? '';
    });
    if (consent?.ok) variables[CONSENT_VARIABLE] = consent.normalized;
    batch.push({
      line,
      raw,
      contact: {
        e164: n.e164,
        zones: zone.zones,
        subdivision: subdivisionOf(profile, n.region, n.nationalNumber),
        variables,
        importId: summary.importId,
        sourceLine: line,
      },
      consent: consent?.ok === true && consent.given,
    });
    if (batch.length >= batchSize) await flush();
  }
  if (!header) throw new VoicebotError('CONTACTS_BAD_FILE', 'the file is empty: it needs a header line', {});
  await flush();
  summary.durationMs = performance.now() - started;
  return summary;
}
