import type { Readable } from 'node:stream';
import { VoicebotError } from '../../errors.ts';
import { normalizeNumber } from '../phone.ts';
import type { CampaignStore } from '../store/types.ts';
import { csvEvents } from './csv-records.ts';

export interface DncImportSummary {
  rowsRead: number;
  added: number;
  alreadyListed: number;
  rejected: number;
  samples: { line: number; detail: string; pii: { raw: string } }[];
}

/**
 * Streams a do-not-call file into the store: either one number per line, or CSV with a header
 * that has a phone/number column. Numbers are normalised like contacts; unreadable ones are
 * reported with their line.
 */
export async function importDnc(options: {
  store: CampaignStore;
  source: Readable | string;
  /** Recorded with each entry, e.g. "file:national-dnc-2026-06.csv". */
  sourceName: string;
  defaultRegion: string;
  batchSize?: number;
  nowMs?: number;
  onReject?: (row: { line: number; detail: string; pii: { raw: string } }) => void;
}): Promise<DncImportSummary> {
  const summary: DncImportSummary = { rowsRead: 0, added: 0, alreadyListed: 0, rejected: 0, samples: [] };
  const batchSize = options.batchSize ?? 5000;
  const nowMs = options.nowMs ?? Date.now();
  let batch: { e164: string; source: string }[] = [];
  let column: number | undefined;
  const flush = async () => {
    if (!batch.length) return;
    const added = await options.store.addDnc(batch, nowMs);
    summary.added += added;
    summary.alreadyListed += batch.length - added;
    batch = [];
  };
  const reject = (line: number, detail: string, raw: string) => {
    summary.rejected++;
    const row = { line, detail, pii: { raw } };
    if (summary.samples.length < 100) summary.samples.push(row);
    options.onReject?.(row);
  };
  for await (const ev of csvEvents(options.source)) {
    if (ev.kind === 'error') {
      summary.rowsRead++;
      reject(ev.line, ev.detail, '');
      continue;
    }
    const { line, fields } = ev.record;
    if (column === undefined) {
      const lower = fields.map((f) => f.trim().toLowerCase());
      const idx = lower.findIndex((h) => ['phone', 'number', 'phone_number', 'msisdn', 'e164'].includes(h));
      if (idx >= 0) {
        column = idx;
        continue; // a header line
      }
      if (fields.length > 1) {
        throw new VoicebotError(
          'CONTACTS_BAD_FILE',
          `DNC file with several columns needs a header naming the phone column (line ${line})`,
          { line },
        );
      }
      column = 0;
    }
    summary.rowsRead++;
    const raw = (fields[column] ?? '').trim();
    const n = normalizeNumber(raw, options.defaultRegion);
    if (!n.ok) reject(line, n.detail, raw);
    else batch.push({ e164: n.e164, source: options.sourceName });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
