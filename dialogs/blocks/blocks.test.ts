import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { DeterministicNlu } from '../nlu/deterministic-nlu.ts';
import type { ExpectedSlot } from '../nlu/types.ts';
import { confirm, digits, type MenuOption, matchOption, menu } from './blocks.ts';
import { buildDialogMachine, defaultSummary, initialContext } from './build-machine.ts';
import { renderText } from './text.ts';
import type { Answer } from './types.ts';

const nlu = new DeterministicNlu();
const voice = (
  text: string,
  expected: ExpectedSlot = 'free',
  language: 'en-US' | 'zh-CN' = 'en-US',
): Answer => ({
  source: 'voice',
  text,
  nlu: nlu.parse(text, { language, expected }),
});
const keys = (d: string): Answer => ({ source: 'keypad', digits: d });
const ctx = { ...initialContext({ id: 't', start: 'a', nodes: {} }, undefined) };

const options: MenuOption[] = [
  { id: 'bill', key: '1', words: ['bill', 'invoice'], next: 'a' },
  { id: 'leak', key: '2', words: ['leak', '漏水'], next: 'b' },
];

describe('blocks', () => {
  it('menu: by word, Chinese word, ordinal, key, spoken key; ambiguous and unknown are no-match', () => {
    expect(matchOption(options, voice('it is about my invoice'))?.id).toBe('bill');
    expect(matchOption(options, voice('家里漏水了', 'free', 'zh-CN'))?.id).toBe('leak');
    expect(matchOption(options, voice('the second one'))?.id).toBe('leak');
    expect(matchOption(options, keys('1'))?.id).toBe('bill');
    expect(matchOption(options, voice('two'))?.id).toBe('leak');
    expect(matchOption(options, voice('a bill for a leak'))).toBeUndefined();
    expect(matchOption(options, voice('bills'))).toBeUndefined(); // whole words only
    expect(menu({ prompt: 'x', options, slot: 'topic' }).accept(keys('2'), ctx)).toEqual({
      exit: 'leak',
      slots: { topic: 'leak' },
    });
  });

  it('confirm: yes/no by voice in both languages and by 1/2', () => {
    const c = confirm({ prompt: 'x', yes: 'y', no: 'n', slot: 'ok' });
    expect(c.accept(voice('yes please', 'yesno'), ctx)).toEqual({ exit: 'yes', slots: { ok: true } });
    expect(c.accept(voice('不要', 'yesno', 'zh-CN'), ctx)?.exit).toBe('no');
    expect(c.accept(keys('2'), ctx)?.exit).toBe('no');
    expect(c.accept(keys('3'), ctx)).toBeNull();
    expect(c.accept(voice('maybe later', 'yesno'), ctx)).toBeNull();
  });

  it('digits: length bounds for keys and speech, leading zero kept', () => {
    const d = digits({ prompt: 'x', slot: 'acct', next: 'n', minLength: 4, maxLength: 6 });
    expect(d.accept(keys('0123'), ctx)).toEqual({ exit: 'next', slots: { acct: '0123' } });
    expect(d.accept(keys('123'), ctx)).toBeNull();
    expect(d.accept(keys('1234567'), ctx)).toBeNull();
    expect(d.accept(voice('four five six seven', 'digits'), ctx)).toEqual({
      exit: 'next',
      slots: { acct: '4567' },
    });
    expect(d.dtmf).toEqual({ maxDigits: 6, terminator: '#', leadingZero: true });
  });

  it('texts: per language, templates from variables then slots, empty when unknown', () => {
    const c = { ...ctx, language: 'zh-CN' as const, vars: { firstName: 'Ann' }, slots: { n: 3 } };
    expect(renderText({ 'en-US': 'Hi {{firstName}}', 'zh-CN': '{{firstName}}您好 {{n}} {{x}}' }, c)).toBe(
      'Ann您好 3 ',
    );
    expect(renderText({ 'en-US': 'only English' }, c)).toBe('only English');
  });

  it('the default summary names the reason, node, slots and last turns', () => {
    const s = defaultSummary({ ...ctx, node: 'ask', slots: { n: 2 }, history: ['bot: hi', 'caller: agent'] });
    expect(s).toBe(
      'reason: caller-request\nlanguage: en-US\nat: ask\nslots: n=2\nlast turns: bot: hi | caller: agent',
    );
  });

  it('a built dialog is a plain AnyStateMachine (what the session runtime takes)', () => {
    const machine: AnyStateMachine = buildDialogMachine({
      id: 't',
      start: 'bye',
      nodes: { bye: { kind: 'hangup', status: 'done', exits: {} } },
    });
    expect(machine.id).toBe('dialog');
  });
});
