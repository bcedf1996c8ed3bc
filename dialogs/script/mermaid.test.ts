import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../nlu/catalog.ts';
import { voiceOrderMachine } from '../voice-order/machine.ts';
import { compileScriptText } from './compile.ts';
import { toMermaid } from './mermaid.ts';

const root = join(import.meta.dirname, '../..');

describe('toMermaid', () => {
  it('draws a compiled script: its flow, and a person reachable from anywhere as a note', () => {
    const file = join(root, 'dialogs/outbound/appointment-reminder.yaml');
    const text = toMermaid(compileScriptText(file, readFileSync(file, 'utf8')));
    expect(text.startsWith('stateDiagram-v2\n  [*] --> _idle\n')).toBe(true);
    for (const edge of [
      'intro --> remind : played',
      'remind --> confirmed : confirm',
      'remind --> ask_date : reschedule',
      'ask_date --> confirm_date : next',
      'confirm_date --> ask_date : no',
      'confirmed --> _done : played',
      '_done --> [*]',
    ])
      expect(text).toContain(edge);
    expect(text).toMatch(/note right of _human : from any state - user\.dtmf key 0, user\.said "human"/);
    expect(text).toMatch(/note right of _opt_out : from any state - user\.dtmf key opt-out/);
    expect(text).not.toContain('remind --> _human');
    expect(toMermaid(compileScriptText(file, readFileSync(file, 'utf8')), { full: true })).toContain(
      'remind --> _human',
    );
  });

  it('draws the hand-written voice-order machine', () => {
    const catalog = parseCatalog(
      JSON.parse(readFileSync(join(root, 'fixtures/catalogs/meals.json'), 'utf8')),
    );
    const text = toMermaid(voiceOrderMachine({ catalog }));
    expect(text).toContain('askItem --> confirmItem : item');
    expect(text).toContain('submit --> submitFailed : error');
    expect(text).toContain('lookupAddress --> confirmAddress : found');
  });
});
