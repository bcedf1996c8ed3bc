import { z } from 'zod';
import { normalizeNumber } from './phone.ts';

/** How an attempt ended. `null` on an attempt record means it is still in progress. */
export const DISPOSITIONS = [
  'answered', // a person answered and the script ran
  'voicemail-left', // machine answered and the voicemail message was left after the beep
  'busy',
  'no-answer',
  'machine', // machine answered, nothing left (AMD mode hangup)
  'failed',
  'declined', // 603/403
  'congestion', // 503/5xx: the network, not the callee
  'invalid', // 404/604/485/484/410: the number does not exist
  'opt-out', // the callee asked not to be called again (added to the DNC list at once)
  'abandoned', // a person answered and was not connected in time (counts against the abandon rate)
  'not-dialed', // claimed, then not dialed (outside the window after all, paused campaign)
  'lease-expired', // the worker holding the lease vanished; the call may or may not have happened
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** informational: reminders, service calls; marketing: sales and promotions (consent rules). */
export const CAMPAIGN_PURPOSES = ['informational', 'marketing'] as const;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use HH:MM, 24-hour, e.g. "08:00" or "21:00"')
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3)));

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a calendar date');

export const retryRuleSchema = z.object({
  /** false: the contact is finished after this disposition. */
  retry: z.boolean(),
  backoffMs: z.number().int().min(0).default(0),
  /** Each further attempt with the same disposition waits this many times longer. */
  backoffFactor: z.number().min(1).max(10).default(1),
  maxBackoffMs: z
    .number()
    .int()
    .positive()
    .default(7 * DAY_MS),
  /** The contact is finished once this many attempts ended with this disposition. */
  maxAttempts: z.number().int().min(1).default(3),
  /** false for outcomes that never reached the callee (congestion): not counted in any limit. */
  countsAsAttempt: z.boolean().default(true),
});
export type RetryRule = z.infer<typeof retryRuleSchema>;
type RetryRuleInput = z.input<typeof retryRuleSchema>;

/** Defaults from the SIP outcome table in docs/campaigns.md. */
export const DEFAULT_RETRY: Record<Disposition, RetryRuleInput> = {
  answered: { retry: false },
  'voicemail-left': { retry: false },
  busy: { retry: true, backoffMs: 20 * MIN_MS, maxAttempts: 3 },
  'no-answer': { retry: true, backoffMs: 2 * HOUR_MS, backoffFactor: 1.5, maxAttempts: 3 },
  machine: { retry: true, backoffMs: 4 * HOUR_MS, maxAttempts: 2 },
  failed: { retry: true, backoffMs: 30 * MIN_MS, maxAttempts: 2 },
  declined: { retry: true, backoffMs: 4 * HOUR_MS, maxAttempts: 2 },
  congestion: {
    retry: true,
    backoffMs: 2 * MIN_MS,
    backoffFactor: 2,
    maxAttempts: 10,
    countsAsAttempt: false,
  },
  invalid: { retry: false },
  'opt-out': { retry: false },
  abandoned: { retry: true, backoffMs: HOUR_MS, maxAttempts: 2 },
  'not-dialed': { retry: true, backoffMs: 0, maxAttempts: 1000, countsAsAttempt: false },
  'lease-expired': { retry: true, backoffMs: 5 * MIN_MS, maxAttempts: 2 },
};

export const calleeLimitSchema = z.object({
  maxAttempts: z.number().int().min(1),
  periodMs: z.number().int().positive(),
});
export type CalleeLimit = z.infer<typeof calleeLimitSchema>;

export const amdParamsSchema = z.object({
  initialSilenceMs: z.number().int().positive().default(2500),
  greetingMs: z.number().int().positive().default(1500),
  afterGreetingSilenceMs: z.number().int().positive().default(800),
  totalAnalysisMs: z.number().int().positive().default(5000),
  minWordLengthMs: z.number().int().positive().default(100),
  betweenWordsSilenceMs: z.number().int().positive().default(50),
  maxWords: z.number().int().positive().default(3),
  silenceThreshold: z.number().int().positive().default(256),
  maxWordLengthMs: z.number().int().positive().default(5000),
});

const e164 = z.string().refine((s) => /^\+\d{6,15}$/.test(s) && normalizeNumber(s, 'US').ok, {
  message: 'use a valid E.164 number, e.g. +14155550100',
});

export const campaignSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)'),
    name: z.string().min(1).max(200),
    /** The dialog script the calls run. */
    scriptId: z.string().min(1),
    /** Where the contacts came from (a file name), for the record. */
    contactList: z.string().optional(),
    /** Shown to callees; one consistent number (rotating pools get flagged as spam). */
    callerId: e164,
    /** Region for numbers written without a country code. */
    defaultRegion: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166 region, e.g. US')
      .default('US'),
    compliance: z.enum(['US', 'UK', 'CN', 'none']).default('none'),
    /**
     * What the calls are for. `marketing` under a profile that requires consent (US, CN): only
     * contacts with recorded consent (the `consent` variable, see consent.ts) are called.
     */
    purpose: z.enum(CAMPAIGN_PURPOSES).default('informational'),
    /** Calling window in the callee's local time; the compliance profile may narrow it. */
    window: z
      .object({
        start: hhmm.default(9 * 60),
        end: hhmm.default(20 * 60),
        days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat']),
        /** Local dates (in the callee's zone) with no calls. */
        holidays: z.array(isoDate).default([]),
      })
      .prefault({})
      .refine((w) => w.end > w.start, { message: 'window end must be after its start', path: ['end'] }),
    /** Per-callee attempt limits (across the callee's whole history); the profile may add more. */
    calleeLimits: z.array(calleeLimitSchema).default([{ maxAttempts: 3, periodMs: DAY_MS }]),
    /** Counted attempts after which a contact is finished whatever the outcomes. */
    maxAttemptsTotal: z.number().int().min(1).default(6),
    /** Overrides of the default retry rule per disposition. */
    retry: z.partialRecord(z.enum(DISPOSITIONS), retryRuleSchema).default({}),
    trunks: z
      .array(
        z.object({
          name: z.string().min(1),
          cps: z.number().positive().max(1000),
          maxConcurrent: z.number().int().positive(),
        }),
      )
      .min(1)
      .default([{ name: 'default', cps: 1, maxConcurrent: 10 }]),
    amd: z
      .object({
        mode: z.enum(['off', 'hangup', 'voicemail', 'continue']).default('hangup'),
        /** Prompt left after the beep in mode voicemail. */
        voicemailPrompt: z.string().min(1).optional(),
        params: amdParamsSchema.prefault({}),
      })
      .prefault({})
      .refine((a) => a.mode !== 'voicemail' || a.voicemailPrompt, {
        message: 'amd.voicemailPrompt is required when amd.mode is voicemail',
        path: ['voicemailPrompt'],
      }),
    transfer: z
      .object({
        queue: z.string().min(1),
        /** A person waiting longer than this for an agent is an abandoned call. */
        maxWaitMs: z.number().int().positive().default(2000),
      })
      .optional(),
    /** Zones of one number further apart than this make the zone unknown (see resolve-zone.ts). */
    maxZoneSpreadHours: z.number().min(0).max(24).default(1),
  })
  .transform((c) => ({
    ...c,
    retry: Object.fromEntries(
      DISPOSITIONS.map((d) => [d, retryRuleSchema.parse({ ...DEFAULT_RETRY[d], ...(c.retry[d] ?? {}) })]),
    ) as Record<Disposition, RetryRule>,
  }));

export type Campaign = z.output<typeof campaignSchema>;
export type CampaignInput = z.input<typeof campaignSchema>;

export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'stopped', 'done'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** One past or open attempt on a callee, as the scheduling rules see it. */
export interface AttemptRecord {
  startedAtMs: number;
  /** When it ended; absent while in progress. */
  endedAtMs?: number | null;
  disposition: Disposition | null;
}

/** What the scheduling rules need to know about a callee. */
export interface ScheduleContact {
  /** Zones the callee may be in (empty: unknown zone, never called). */
  zones: readonly string[];
  /** A region with its own rules, e.g. US-FL. */
  subdivision?: string | null;
  /** On a do-not-call list. */
  dnc: boolean;
  /** Every attempt on this callee, in any order (this campaign's and any others the caller counts). */
  attempts: readonly AttemptRecord[];
}
