import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.ts';

/** docs/errors.md's table: | `CODE` | yes/no | when | hint | */
function documentedCodes(): Map<string, { retryable: boolean; hint: string }> {
  const text = readFileSync(join(import.meta.dirname, '../docs/errors.md'), 'utf8');
  const rows = new Map<string, { retryable: boolean; hint: string }>();
  for (const line of text.split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| (yes|no) \| (.*) \| (.*) \|$/.exec(line);
    if (m) rows.set(m[1]!, { retryable: m[2] === 'yes', hint: m[4]!.replace(/\\\|/g, '|') });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const documented = documentedCodes();
  const rowFor = (code: string) => {
    const v = ERROR_CODES[code as keyof typeof ERROR_CODES];
    return `| \`${code}\` | ${v.retryable ? 'yes' : 'no'} | <when it happens> | ${v.hint.replace(/\|/g, '\\|')} |`;
  };

  it('documents every code in ERROR_CODES, with its retryable flag and hint', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !documented.has(code));
    expect(missing, `add these rows to docs/errors.md:\n${missing.map(rowFor).join('\n')}`).toEqual([]);
    const differing = Object.entries(ERROR_CODES)
      .filter(([code, v]) => {
        const row = documented.get(code);
        return row && (row.retryable !== v.retryable || row.hint !== v.hint);
      })
      .map(([code]) => code);
    expect(differing, `update these rows in docs/errors.md:\n${differing.map(rowFor).join('\n')}`).toEqual(
      [],
    );
  });

  it('documents no code that does not exist', () => {
    const stale = [...documented.keys()].filter((code) => !(code in ERROR_CODES));
    expect(stale, 'remove these rows from docs/errors.md (or add the codes to engine/errors.ts)').toEqual([]);
  });
});
