/**
 * File sink for call records until the campaign store takes calls: `<dir>/<callId>.json`, and
 * `<dir>/<callId>.wav` (stereo: caller left, bot right) when recording is on. Call ids are made
 * safe for file names. Writes go to a temporary name first, then are renamed into place.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRecord, CallRecordSink } from './call-record.ts';

export function safeFileName(callId: string): string {
  const s = callId.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  return s.slice(0, 128) || 'call';
}

export class FileCallSink implements CallRecordSink {
  constructor(readonly dir: string) {}

  async write(record: CallRecord, recording?: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const base = join(this.dir, safeFileName(record.callId));
    if (recording) {
      await writeFile(`${base}.wav.tmp`, recording);
      await rename(`${base}.wav.tmp`, `${base}.wav`);
    }
    await writeFile(`${base}.json.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${base}.json.tmp`, `${base}.json`);
  }
}
