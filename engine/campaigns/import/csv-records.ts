import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { type CsvError, type Options, parse } from 'csv-parse';
import { VoicebotError } from '../../errors.ts';

export interface CsvRecord {
  /** 1-based line of the file where the record ends. */
  line: number;
  fields: string[];
}

export type CsvEvent =
  | { kind: 'record'; record: CsvRecord }
  | { kind: 'error'; line: number; detail: string };

function lineOf(ev: CsvEvent): number {
  return ev.kind === 'error' ? ev.line : ev.record.line;
}

/** A readable for a path (with a clear error when it cannot be opened) or the stream given. */
export function openSource(source: Readable | string): Readable {
  if (typeof source !== 'string') return source;
  const stream = createReadStream(source);
  return stream;
}

/**
 * Streams CSV records as arrays (so short and long rows can be reported, not silently
 * reshaped), with line numbers; rows the CSV grammar rejects (a stray quote) come out as
 * errors with their line and the stream goes on. Memory stays bounded: records are pulled one
 * at a time with backpressure.
 */
export async function* csvEvents(source: Readable | string, delimiter?: string): AsyncGenerator<CsvEvent> {
  const name = typeof source === 'string' ? source : 'the input stream';
  const input = openSource(source);
  const skipped: CsvEvent[] = [];
  const options: Options<CsvRecord, string[]> = {
    bom: true,
    delimiter: delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    // Cheaper than `info: true`, which copies the whole info object per record.
    on_record: (record: string[], context: { lines: number }) => ({ line: context.lines, fields: record }),
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      const e = err as (CsvError & { lines?: number }) | undefined;
      skipped.push({
        kind: 'error',
        line: e?.lines ?? 0,
        detail: e ? `${e.code}: ${e.message}` : 'unreadable row',
      });
      return undefined;
    },
  };
  const parser = parse(options as unknown as Options);
  let openError: unknown;
  input.on('error', (err) => {
    openError = err;
    parser.destroy(err);
  });
  input.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) {
      // The parser reports skipped rows as it reads ahead: hand them out in line order.
      while (skipped.length && lineOf(skipped[0]!) < record.line) yield skipped.shift()!;
      yield { kind: 'record', record };
    }
  } catch (err) {
    const cause = openError ?? err;
    throw new VoicebotError(
      'CONTACTS_BAD_FILE',
      `cannot read ${name}: ${(cause as Error).message}`,
      { source: name },
      { cause },
    );
  }
  while (skipped.length) yield skipped.shift()!;
}
