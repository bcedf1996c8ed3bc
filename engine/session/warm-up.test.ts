import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { parseCatalog } from '../../dialogs/nlu/catalog.ts';
import { DeterministicNlu } from '../../dialogs/nlu/deterministic-nlu.ts';
import type { Nlu } from '../../dialogs/nlu/types.ts';
import { createVoiceOrderDialog } from '../../dialogs/voice-order/machine.ts';
import { createRootLogger } from '../log/logger.ts';
import { answerFor, MAX_TURNS, warmUpDialogs } from './warm-up.ts';

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createRootLogger({
    level: 'info',
    destination: { write: (s: string) => lines.push(JSON.parse(s)) },
  });
  return { log, lines };
}

/** The voice-order dialog with spies as its order sink and address look-up. */
function voiceOrder() {
  const submitOrder = vi.fn(async () => ({ orderId: 'X1' }));
  const lookupAddress = vi.fn(async () => '1 Main Street');
  const machine = createVoiceOrderDialog({ catalog }, { lookupAddress, submitOrder });
  return { machine, submitOrder, lookupAddress };
}

/** A dialog that places an order as soon as the call starts (its actor would run at once). */
function eagerOrderDialog(submit: () => Promise<unknown>) {
  return setup({
    types: { context: {} as { placed: boolean } },
    actors: { submitOrder: fromPromise(async () => submit()) },
  }).createMachine({
    context: { placed: false },
    initial: 'idle',
    states: {
      idle: { on: { 'call.started': 'placing' } },
      placing: {
        invoke: { src: 'submitOrder', onDone: { target: 'done', actions: assign({ placed: true }) } },
      },
      done: { type: 'final' },
    },
  });
}

describe('warmUpDialogs', () => {
  it("runs the voice-order dialog's turns once per language through the real NLU", () => {
    const { log, lines } = capturingLog();
    const nlu = new DeterministicNlu();
    const parse = vi.spyOn(nlu, 'parse');
    const { machine } = voiceOrder();
    const runs = warmUpDialogs({
      dialogs: [{ name: 'voice-order', machine, catalog }],
      nlu,
      languages: ['en-US', 'zh-CN'],
      log,
    });
    expect(runs.map((r) => [r.dialog, r.language, r.error])).toEqual([
      ['voice-order', 'en-US', undefined],
      ['voice-order', 'zh-CN', undefined],
    ]);
    // Item, yes, yes, a key, item, yes: the whole bounded script in each language.
    for (const r of runs) expect(r.turns).toBe(MAX_TURNS);
    const parsed = parse.mock.calls.map(([text, ctx]) => [ctx.language, ctx.expected, text]);
    expect(parsed).toContainEqual(['en-US', 'menu', 'one pizza']);
    expect(parsed).toContainEqual(['en-US', 'free', 'yes']);
    expect(parsed.some(([lang, expected]) => lang === 'zh-CN' && expected === 'menu')).toBe(true);
    const done = lines.filter((l) => l.msg === 'dialog warm-up done');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ dialogs: 1, turns: 2 * MAX_TURNS });
    expect(done[0]?.ms).toBeTypeOf('number');
  });

  it('places no order and looks nothing up: invoked actors never run', async () => {
    const { log } = capturingLog();
    const { machine, submitOrder, lookupAddress } = voiceOrder();
    const submit = vi.fn(async () => ({ orderId: 'E1' }));
    warmUpDialogs({
      dialogs: [
        { name: 'voice-order', machine, catalog },
        { name: 'eager', machine: eagerOrderDialog(submit) },
      ],
      nlu: new DeterministicNlu(),
      languages: ['en-US'],
      log,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(submit).not.toHaveBeenCalled();
    expect(submitOrder).not.toHaveBeenCalled();
    expect(lookupAddress).not.toHaveBeenCalled();
  });

  it('logs a failing dialog and goes on with the others; never throws', () => {
    const { log, lines } = capturingLog();
    const throwing: Nlu = {
      parse: () => {
        throw new Error('nlu broke');
      },
    };
    const { machine } = voiceOrder();
    const runs = warmUpDialogs({
      dialogs: [
        { name: 'broken', machine, catalog },
        { name: 'eager', machine: eagerOrderDialog(async () => ({})) },
      ],
      nlu: throwing,
      languages: ['en-US'],
      log,
    });
    expect(runs).toMatchObject([
      { dialog: 'broken', turns: 0, error: 'nlu broke' },
      { dialog: 'eager', turns: 0 },
    ]);
    expect(runs[1]?.error).toBeUndefined();
    const warn = lines.find((l) => l.msg?.toString().startsWith('dialog warm-up failed'));
    expect(warn).toMatchObject({ dialog: 'broken', language: 'en-US', level: 40 });
  });

  it('starts no turn once the time budget is spent', () => {
    const { log } = capturingLog();
    let t = 0;
    const runs = warmUpDialogs({
      dialogs: [{ name: 'voice-order', machine: voiceOrder().machine, catalog }],
      nlu: new DeterministicNlu(),
      languages: ['en-US', 'zh-CN'],
      log,
      budgetMs: 5,
      // Each reading of the clock moves it 1 ms on.
      now: () => t++,
    });
    const turns = runs.reduce((n, r) => n + r.turns, 0);
    expect(turns).toBeGreaterThan(0);
    expect(turns).toBeLessThan(MAX_TURNS);
  });
});

describe('answerFor', () => {
  it('answers by the expected slot in the call language, one turn with a key', () => {
    expect(answerFor('menu', 'en-US', 0, catalog)).toBe('one pizza');
    expect(answerFor('menu', 'zh-CN', 0, catalog)).toMatch(/^一/);
    expect(answerFor('yesno', 'zh-CN', 1)).toBe('是的');
    expect(answerFor('digits', 'en-US', 0)).toEqual({ key: '1' });
    expect(answerFor('free', 'en-US', 3)).toEqual({ key: '1' });
  });
});
