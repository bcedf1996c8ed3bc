import type { CampaignStore, ContactRow } from '../store/types.ts';

/**
 * Campaign results, one record per contact: the number, its final (or latest) disposition,
 * counted attempts, and from its last recorded attempt the answers, transcript reference,
 * recording path and, for `not-dialed`, the reason (`no_consent`, `outside_window`...). Streams page by page, so a 1M-contact campaign is never held in memory.
 * The output holds personal data (numbers, answers): it is for the campaign owner.
 */
export interface ResultRecord {
  contactId: number;
  e164: string;
  status: ContactRow['status'];
  disposition: string | null;
  attempts: number;
  answers: Record<string, unknown> | null;
  transcriptRef: string | null;
  recordingPath: string | null;
  lastAttemptAt: string | null;
  /** Why the last attempt was not dialed (null for dialed attempts). */
  reason: string | null;
}

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const COLUMNS: (keyof ResultRecord)[] = [
  'contactId',
  'e164',
  'status',
  'disposition',
  'attempts',
  'answers',
  'transcriptRef',
  'recordingPath',
  'lastAttemptAt',
  'reason',
];

export async function* resultRecords(store: CampaignStore, campaignId: string, pageSize = 500) {
  let afterId = 0;
  for (;;) {
    const page = await store.listContacts(campaignId, { afterId, limit: pageSize });
    if (page.length === 0) return;
    for (const c of page) {
      const attempts = await store.listAttempts(c.id);
      const last = [...attempts].reverse().find((a) => a.disposition !== null && a.data);
      const data = (last?.data ?? {}) as Record<string, unknown>;
      yield {
        contactId: c.id,
        e164: c.e164,
        status: c.status,
        disposition: c.lastDisposition,
        attempts: c.attemptCount,
        answers: (data.answers as Record<string, unknown> | null) ?? null,
        transcriptRef: (data.transcriptRef as string | null) ?? null,
        recordingPath: (data.recordingPath as string | null) ?? null,
        lastAttemptAt: last ? new Date(last.startedAtMs).toISOString() : null,
        reason: typeof data.reason === 'string' ? data.reason : null,
      } satisfies ResultRecord;
    }
    afterId = page[page.length - 1]!.id;
  }
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote fields with separators, and neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^\+\d+$/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Text chunks of the export: CSV with a header line, or a JSON array. */
export async function* exportResults(
  store: CampaignStore,
  campaignId: string,
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${COLUMNS.join(',')}\n`;
  else yield '[';
  let first = true;
  for await (const r of resultRecords(store, campaignId)) {
    if (format === 'csv') yield `${COLUMNS.map((k) => csvCell(r[k])).join(',')}\n`;
    else {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(r)}`;
      first = false;
    }
  }
  if (format === 'json') yield '\n]\n';
}
