import type { Campaign, CampaignInput, CampaignStatus, Disposition } from '../model.ts';

/** pending: waiting for its next attempt; leased: a worker holds it; done: no more attempts. */
export type ContactStatus = 'pending' | 'leased' | 'done';

export interface NewContact {
  e164: string;
  /** Zones the callee may be in (see zones/resolve-zone.ts). */
  zones: readonly string[];
  subdivision: string | null;
  /** Every other column of the list, for personalisation. */
  variables: Record<string, string>;
  /** Which import and which line of its file the contact came from. */
  importId?: string | null;
  sourceLine?: number | null;
}

export interface ContactRow {
  id: number;
  campaignId: string;
  e164: string;
  zones: string[];
  subdivision: string | null;
  variables: Record<string, string>;
  importId: string | null;
  sourceLine: number | null;
  status: ContactStatus;
  nextAttemptAtMs: number;
  attemptCount: number;
  lastDisposition: Disposition | null;
  leaseOwner: string | null;
  leaseUntilMs: number | null;
}

export interface StoredCampaign {
  campaign: Campaign;
  input: CampaignInput;
  status: CampaignStatus;
  createdAtMs: number;
}

/** A due contact leased to one worker, with the attempt created for it. */
export interface Claim {
  attemptId: string;
  attemptNo: number;
  leaseUntilMs: number;
  contact: ContactRow;
}

/** What `claimDue` is asked for (the backends' claim functions take it whole). */
export interface ClaimRequest {
  campaignId: string;
  nowMs: number;
  limit: number;
  leaseMs: number;
  workerId: string;
}

export interface AttemptRow {
  id: string;
  campaignId: string;
  contactId: number;
  e164: string;
  workerId: string;
  attemptNo: number;
  startedAtMs: number;
  endedAtMs: number | null;
  /** null while the attempt is in progress. */
  disposition: Disposition | null;
  countsAsAttempt: boolean;
  data: Record<string, unknown> | null;
}

export interface AttemptResult {
  disposition: Disposition;
  endedAtMs: number;
  /** When the contact is next due; null when it is finished. */
  nextAttemptAtMs: number | null;
  /** false for outcomes that never reached the callee (the campaign retry rule says). */
  countsAsAttempt: boolean;
  /**
   * Answers, transcript reference, recording path... (no schema here). Read by the store:
   * `liveAnswer` (boolean: a person answered, see live-answer.ts) and, for `not-dialed`,
   * `reason`.
   */
  data?: Record<string, unknown>;
}

/** Live answers and abandoned calls (see live-answer.ts), for the abandon rate. */
export interface AbandonCounts {
  liveAnswers: number;
  abandoned: number;
}

export type RecordOutcome =
  | { status: 'recorded' }
  /** A result was already recorded for this attempt (kept as it was). */
  | { status: 'duplicate'; disposition: Disposition }
  /** The lease ran out and the contact was reclaimed before this result came. */
  | { status: 'expired' }
  | { status: 'unknown_attempt' };

export interface AddContactsResult {
  inserted: number;
  /** Contacts already in the campaign (index into the input, and who holds the number). */
  duplicates: { index: number; e164: string; importId: string | null; sourceLine: number | null }[];
}

export interface DncEntry {
  e164: string;
  source: string;
  reason: string | null;
  addedAtMs: number;
}

/**
 * Campaigns, contacts, attempts with their results, the do-not-call list and leases. Two
 * backends (sqlite-store.ts, pg-store.ts) pass one conformance suite (conformance.ts).
 * Times are epoch milliseconds passed in by the caller (the store reads no clock).
 */
export interface CampaignStore {
  readonly backend: 'sqlite' | 'postgres';
  /** Applies missing migrations (idempotent) and returns the versions applied now. */
  migrate(): Promise<number[]>;
  appliedMigrations(): Promise<number[]>;
  close(): Promise<void>;

  /** Fails with CAMPAIGN_EXISTS for a used id and CAMPAIGN_INVALID for a bad spec. */
  createCampaign(input: CampaignInput, nowMs: number): Promise<StoredCampaign>;
  getCampaign(id: string): Promise<StoredCampaign | null>;
  listCampaigns(): Promise<StoredCampaign[]>;
  setCampaignStatus(id: string, status: CampaignStatus): Promise<void>;

  /** Inserts new numbers; numbers already in the campaign are returned as duplicates. */
  addContacts(
    campaignId: string,
    contacts: readonly NewContact[],
    nextAttemptAtMs: number,
  ): Promise<AddContactsResult>;
  getContact(id: number): Promise<ContactRow | null>;
  listContacts(
    campaignId: string,
    options?: { status?: ContactStatus; afterId?: number; limit?: number },
  ): Promise<ContactRow[]>;
  contactCounts(campaignId: string): Promise<Record<ContactStatus, number> & { total: number }>;

  addDnc(
    entries: readonly { e164: string; source: string; reason?: string | null }[],
    nowMs: number,
  ): Promise<number>;
  removeDnc(e164: string): Promise<boolean>;
  /** The given numbers that are on the list. */
  dncMatches(e164s: readonly string[]): Promise<Set<string>>;
  dncCount(): Promise<number>;

  /**
   * Atomically leases up to `limit` contacts of a running campaign that are due (pending and
   * next attempt <= now, or leased with an expired lease) and not on the DNC list, creating one
   * attempt each. An expired lease's open attempt is closed as lease-expired. No contact is
   * ever leased to two workers at once, across processes.
   */
  claimDue(
    campaignId: string,
    nowMs: number,
    limit: number,
    leaseMs: number,
    workerId: string,
  ): Promise<Claim[]>;
  extendLease(attemptId: string, workerId: string, untilMs: number): Promise<boolean>;
  /** Records an attempt's result exactly once; an opt-out also adds the number to the DNC list. */
  recordResult(attemptId: string, result: AttemptResult): Promise<RecordOutcome>;
  listAttempts(contactId: number): Promise<AttemptRow[]>;
  /** Attempts on one number in every campaign since a time (for per-callee limits). */
  attemptsForNumber(e164: string, sinceMs: number): Promise<AttemptRow[]>;
  /**
   * Live answers and abandoned calls among a campaign's results recorded (ended) at or after
   * `sinceMs`, from every process; with `workerId`, only that worker's attempts.
   */
  abandonCounts(campaignId: string, sinceMs: number, workerId?: string): Promise<AbandonCounts>;
  /**
   * Contacts whose latest result is `not-dialed`, by the reason the dialer recorded
   * (`no_consent`, `outside_window`, `campaign paused`...).
   */
  notDialedReasons(campaignId: string): Promise<Record<string, number>>;
}
