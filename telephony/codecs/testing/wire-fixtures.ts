/** Test-only: loads wire fixtures (fixtures/wire/<protocol>/<good|bad>/*.json). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WireFixture {
  name: string;
  description: string;
  kind?: 'metadata' | 'control';
  /** The text frame exactly as sent (a string fixture is used as is, anything else as JSON). */
  text: string;
  expect?: Record<string, unknown>;
  expectCode?: string;
}

const ROOT = join(import.meta.dirname, '../../../fixtures/wire');

export function loadWireFixtures(protocol: 'twilio' | 'raw', kind: 'good' | 'bad'): WireFixture[] {
  const dir = join(ROOT, protocol, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<WireFixture, 'name' | 'text'> & {
        frame: unknown;
      };
      const { frame, ...rest } = raw;
      return {
        name: f.replace(/\.json$/, ''),
        ...rest,
        text: typeof frame === 'string' ? frame : JSON.stringify(frame),
      };
    });
}
