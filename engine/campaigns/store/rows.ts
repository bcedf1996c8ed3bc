import { VoicebotError } from '../../errors.ts';
import {
  type Campaign,
  type CampaignInput,
  type CampaignStatus,
  campaignSchema,
  type Disposition,
} from '../model.ts';
import type { AttemptRow, ContactRow, ContactStatus, StoredCampaign } from './types.ts';

/** Row <-> object mapping shared by both backends (SQLite gives JSON as text, PostgreSQL as objects). */

type Row = Record<string, unknown>;

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

export function parseCampaign(input: CampaignInput): Campaign {
  const r = campaignSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new VoicebotError(
      'CAMPAIGN_INVALID',
      `campaign field ${first.path.join('.') || '(root)'}: ${first.message}`,
      { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    );
  }
  return r.data;
}

export function toCampaign(row: Row): StoredCampaign {
  const input = json<CampaignInput>(row.spec);
  return {
    campaign: parseCampaign(input),
    input,
    status: row.status as CampaignStatus,
    createdAtMs: num(row.created_at),
  };
}

export function toContact(row: Row): ContactRow {
  return {
    id: num(row.id),
    campaignId: row.campaign_id as string,
    e164: row.e164 as string,
    zones: json<string[]>(row.zones),
    subdivision: (row.subdivision as string | null) ?? null,
    variables: json<Record<string, string>>(row.variables),
    importId: (row.import_id as string | null) ?? null,
    sourceLine: numOrNull(row.source_line),
    status: row.status as ContactStatus,
    nextAttemptAtMs: num(row.next_attempt_at),
    attemptCount: num(row.attempt_count),
    lastDisposition: (row.last_disposition as Disposition | null) ?? null,
    leaseOwner: (row.lease_owner as string | null) ?? null,
    leaseUntilMs: numOrNull(row.lease_until),
  };
}

export function toAttempt(row: Row): AttemptRow {
  return {
    id: row.id as string,
    campaignId: row.campaign_id as string,
    contactId: num(row.contact_id),
    e164: row.e164 as string,
    workerId: row.worker_id as string,
    attemptNo: num(row.attempt_no),
    startedAtMs: num(row.started_at),
    endedAtMs: numOrNull(row.ended_at),
    disposition: (row.disposition as Disposition | null) ?? null,
    countsAsAttempt: row.counts_as_attempt === true || row.counts_as_attempt === 1,
    data: row.data === null || row.data === undefined ? null : json<Record<string, unknown>>(row.data),
  };
}

export function campaignNotFound(id: string): VoicebotError {
  return new VoicebotError('CAMPAIGN_NOT_FOUND', `no campaign with id "${id}"`, { campaignId: id });
}

export function campaignExists(id: string): VoicebotError {
  return new VoicebotError('CAMPAIGN_EXISTS', `a campaign with id "${id}" already exists`, {
    campaignId: id,
  });
}
