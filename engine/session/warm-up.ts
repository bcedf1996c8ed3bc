/**
 * Dialog warm-up at engine start: runs each routed dialog's turn path once, in memory, so that
 * the first caller after a (re)start does not pay for code that runs for the first time (lazy
 * compilation of the NLU, the dialog machine, xstate, grammar building).
 *
 * For each dialog and language: the dialog actor on a SimulatedClock (no timer fires), a
 * call.started, then a few turns answered the way a caller would (the listen's expected slot:
 * a menu item, yes, a number, a key) through the real NLU, every prompt reported played. The
 * commands are dropped. The dialog's invoked actors (order submission, address look-up, any
 * service a dialog is given) are replaced by ones that never settle: no order is placed, no
 * record written, no webhook called, no metric counted. Bounded: at most MAX_TURNS turns per
 * dialog and language, and no new turn once budgetMs has passed. Errors are logged, never thrown.
 */
import { type AnyStateMachine, createActor, fromPromise, SimulatedClock } from 'xstate';
import type { Language } from '../../asr-tts/asr.ts';
import type { DialogCommand, DialogEvent, ListenCommand } from '../../dialogs/contract.ts';
import type { Catalog } from '../../dialogs/nlu/catalog.ts';
import type { ExpectedSlot, Nlu } from '../../dialogs/nlu/types.ts';
import { describeLine } from '../../dialogs/voice-order/cart.ts';
import type { Logger } from '../log/logger.ts';

export interface WarmUpDialog {
  name: string;
  machine: AnyStateMachine;
  input?: unknown;
  catalog?: Catalog;
}

export interface WarmUpOptions {
  dialogs: readonly WarmUpDialog[];
  /** The NLU the sessions use (the same instance: its caches are warmed too). */
  nlu: Nlu;
  languages: readonly Language[];
  log: Logger;
  /** No new turn after this much time in all (default 2000 ms). */
  budgetMs?: number;
  now?: () => number;
}

export interface WarmUpRun {
  dialog: string;
  language: Language;
  /** Caller turns fed (words and keys). */
  turns: number;
  ms: number;
  error?: string;
}

export const MAX_TURNS = 6;
const COMMANDS = ['say', 'listen', 'transfer', 'hangup', 'outcome', 'stop_prompt'] as const;

const WORDS: Record<Language, Record<'yes' | 'number' | 'date', string>> = {
  'en-US': { yes: 'yes', number: 'two', date: 'tomorrow' },
  'zh-CN': { yes: '是的', number: '两个', date: '明天' },
};
/** The turn answered with a key. */
const KEY_TURN = 3;

/** A caller's answer to a listen: words, or a key (`{ key }`). */
export function answerFor(
  expected: ExpectedSlot,
  language: Language,
  turn: number,
  catalog?: Catalog,
): string | { key: string } {
  const words = WORDS[language];
  const item = catalog?.items[turn % Math.max(1, catalog.items.length)];
  // One key, as a keypad caller would answer.
  if (turn === KEY_TURN) return { key: '1' };
  switch (expected) {
    case 'menu':
      return item && catalog
        ? describeLine(catalog, { itemId: item.id, quantity: 1 + (turn % 3) }, language)
        : words.yes;
    case 'yesno':
      return words.yes;
    case 'number':
      return words.number;
    case 'digits':
      return { key: '1' };
    case 'date':
      return words.date;
    case 'free':
      // Confirmations listen for free speech: the commonest answer.
      return words.yes;
  }
}

/** The machine with every invoked actor replaced by one that never settles (no I/O). */
function inert(machine: AnyStateMachine): AnyStateMachine {
  const names = Object.keys(machine.implementations.actors ?? {});
  const never = fromPromise<unknown, unknown>(() => new Promise<unknown>(() => {}));
  return machine.provide({ actors: Object.fromEntries(names.map((n) => [n, never])) });
}

function runOne(d: WarmUpDialog, language: Language, o: WarmUpOptions, deadline: number): number {
  const now = o.now ?? (() => performance.now());
  const actor = createActor(inert(d.machine), { clock: new SimulatedClock(), input: d.input ?? {} });
  const pending: DialogCommand[] = [];
  let failed: unknown = null;
  for (const type of COMMANDS) actor.on(type, (cmd) => pending.push(cmd as DialogCommand));
  actor.subscribe({ error: (err) => (failed = err) });
  const send = (e: DialogEvent) => {
    actor.send(e);
    if (failed) throw failed;
  };
  let turns = 0;
  /** The dialog's latest listen: it listens until it asks again. */
  let listen: ListenCommand | undefined;
  try {
    actor.start();
    send({
      type: 'call.started',
      call: { callId: 'warm-up', direction: 'inbound', language, parameters: {} },
    });
    while (turns < MAX_TURNS && now() < deadline && actor.getSnapshot().status === 'active') {
      const cmds = pending.splice(0);
      if (cmds.some((c) => c.type === 'transfer' || c.type === 'hangup')) break;
      for (const c of cmds)
        if (c.type === 'say') send({ type: 'prompt.done', promptId: c.promptId, interrupted: false });
      listen = [...cmds, ...pending].findLast((c): c is ListenCommand => c.type === 'listen') ?? listen;
      if (!listen) {
        if (pending.length > 0) continue;
        break;
      }
      const answer = answerFor(listen.expected, language, turns, d.catalog);
      if (typeof answer !== 'string') send({ type: 'user.dtmf', digit: answer.key });
      else {
        const nlu = o.nlu.parse(answer, {
          language,
          expected: listen.expected,
          ...(d.catalog ? { catalog: d.catalog } : {}),
          now: new Date(),
        });
        send({ type: 'user.said', text: answer, confidence: 0.9, nlu });
      }
      turns++;
    }
  } finally {
    actor.stop();
  }
  return turns;
}

/** Warms every dialog in every language; returns what ran. Never throws. */
export function warmUpDialogs(o: WarmUpOptions): WarmUpRun[] {
  const now = o.now ?? (() => performance.now());
  const start = now();
  const deadline = start + (o.budgetMs ?? 2000);
  const runs: WarmUpRun[] = [];
  for (const d of o.dialogs) {
    for (const language of o.languages) {
      const t0 = now();
      try {
        const turns = runOne(d, language, o, deadline);
        runs.push({ dialog: d.name, language, turns, ms: now() - t0 });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        o.log.warn({ err, dialog: d.name, language }, 'dialog warm-up failed; calls are not affected');
        runs.push({ dialog: d.name, language, turns: 0, ms: now() - t0, error });
      }
    }
  }
  const ms = Math.round((now() - start) * 10) / 10;
  o.log.info(
    { dialogs: o.dialogs.length, turns: runs.reduce((n, r) => n + r.turns, 0), ms },
    'dialog warm-up done',
  );
  return runs;
}
