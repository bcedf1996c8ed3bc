import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Grammar } from '../../asr.ts';
import { EXTRA_DICT, makeVocabulary } from './dictionary.ts';
import { toJsgf } from './jsgf.ts';
import { DEFAULT_POCKETSPHINX_MODEL } from './pocketsphinx-asr.ts';

const order: Grammar = {
  kind: 'phrases',
  phrases: ['pizza', 'agent'],
  rules: {
    root: ['[i want] <line> [and <line>] [please]', 'agent'],
    rules: {
      line: ['[<qty>] <item>'],
      qty: ['one', 'two', 'a'],
      item: ['pizza', 'pizzas', 'zorblatt soup', 'coke'],
      unused: ['never said'],
    },
  },
};

describe('toJsgf', () => {
  it('turns phrase rules into JSGF rules with alternatives (reachable rules only)', () => {
    const j = toJsgf(order);
    expect(j.text).toBe(
      '#JSGF V1.0;\ngrammar voicebot;\n' +
        'public <g> = [ i want ] <r_line> [ and <r_line> ] [ please ] | agent ;\n' +
        '<r_line> = [ <r_qty> ] <r_item> ;\n' +
        '<r_qty> = one | two | a ;\n' +
        '<r_item> = pizza | pizzas | zorblatt soup | coke ;\n',
    );
    expect(j.toResult('two pizzas')).toBe('two pizzas');
    expect(j.dropped).toEqual([]);
  });

  it('leaves out alternatives with words the dictionary lacks, and names them', () => {
    const j = toJsgf(order, (w) => w !== 'zorblatt');
    expect(j.text).toContain('<r_item> = pizza | pizzas | coke ;');
    expect(j.words).not.toContain('zorblatt');
    expect(j.dropped).toEqual(['zorblatt']);
  });

  it('bad rules are a clear ASR_BAD_REQUEST', () => {
    expect(() => toJsgf({ kind: 'phrases', phrases: ['x'], rules: { root: ['<nope>'], rules: {} } })).toThrow(
      /no rule <nope>/,
    );
  });
});

describe('pronunciation dictionaries', () => {
  it('the shipped extra.dict adds catalog words cmudict lacks', () => {
    const main = join(DEFAULT_POCKETSPHINX_MODEL, 'cmudict-en-us.dict');
    const cmu = makeVocabulary(main, []);
    const both = makeVocabulary(main, [EXTRA_DICT]);
    for (const w of ['congee', 'wonton', 'jiaozi', 'baozi']) {
      expect(cmu(w), w).toBe(false);
      expect(both(w), w).toBe(true);
    }
    expect(both('pizza')).toBe(true);
  });

  it('a bad extra file names the line, the phones and how to write it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-dict-'));
    const file = join(dir, 'bad.dict');
    writeFileSync(file, '# mine\nbaguette B AE G EH T\nzapfel TS AA P F AH L\n');
    expect(() => makeVocabulary(join(DEFAULT_POCKETSPHINX_MODEL, 'cmudict-en-us.dict'), [file])).toThrow(
      /bad\.dict line 3 "zapfel TS AA P F AH L".*unknown phones: TS/,
    );
    expect(() =>
      makeVocabulary(join(DEFAULT_POCKETSPHINX_MODEL, 'cmudict-en-us.dict'), [join(dir, 'none.dict')]),
    ).toThrow(/cannot read the pronunciation file .*none\.dict \(ENOENT\)/);
  });
});
