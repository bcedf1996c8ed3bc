import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS } from './load.ts';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

describe('README configuration table', () => {
  it.each(Object.entries(ENV_KEYS))('documents %s (%s)', (env, key) => {
    // One table row: | `ENV` | `key` | ... (cells may be padded for alignment).
    const row = new RegExp(`^\\|\\s*\`${env}\`\\s*\\|\\s*\`${key.replaceAll('.', '\\.')}\`\\s*\\|`, 'm');
    expect(readme).toMatch(row);
  });
});
