/**
 * The building blocks: small helpers that produce node specs for build-machine.ts. Each ask-like
 * block (ask, confirm, menu, digits) gets the shared re-prompt, global-intent and keypad behaviour
 * from the builder; the helper only says what counts as an answer and where it leads.
 */
import type { BargeInMode, TransferCommand } from '../contract.ts';
import type { ExpectedSlot } from '../nlu/types.ts';
import type {
  Answer,
  AskNode,
  BranchNode,
  Decision,
  DialogContext,
  HangupNode,
  LocalizedText,
  SayNode,
  TaskNode,
  TransferNode,
} from './types.ts';

interface Common {
  prompt: LocalizedText;
  reprompt?: LocalizedText;
  keypadHint?: LocalizedText;
  help?: LocalizedText;
  bargeIn?: BargeInMode;
  label?: string;
}

/** The fields every question carries, copied from a block's options. */
function commonFields(opts: Common): Common {
  return {
    prompt: opts.prompt,
    reprompt: opts.reprompt,
    keypadHint: opts.keypadHint,
    help: opts.help,
    bargeIn: opts.bargeIn,
    label: opts.label,
  };
}

export function say(prompt: LocalizedText, next: string, opts: { bargeIn?: BargeInMode } = {}): SayNode {
  return { kind: 'say', prompt, exits: { next }, ...(opts.bargeIn ? { bargeIn: opts.bargeIn } : {}) };
}

/** A free question: `accept` decides; the default stores the slot named `slot` and goes to `next`. */
export function ask(
  opts: Common & {
    expected: ExpectedSlot;
    exits: Record<string, string>;
    accept: (answer: Answer, ctx: DialogContext) => Decision | null;
    hints?: AskNode['hints'];
    grammar?: AskNode['grammar'];
    dtmf?: AskNode['dtmf'];
    intentExits?: AskNode['intentExits'];
    rejects?: AskNode['rejects'];
    holdExits?: AskNode['holdExits'];
  },
): AskNode {
  return { kind: 'ask', ...opts };
}

/** Yes/no by voice or keypad (1 = yes, 2 = no). Exits: yes, no. Stores `slot` when given. */
export function confirm(opts: Common & { yes: string; no: string; slot?: string }): AskNode {
  return {
    kind: 'ask',
    ...commonFields(opts),
    keypadHint: opts.keypadHint ?? {
      'en-US': 'Press 1 for yes, or 2 for no.',
      'zh-CN': '是请按1，不是请按2。',
    },
    expected: 'yesno',
    grammar: { kind: 'yesno' },
    exits: { yes: opts.yes, no: opts.no },
    accept: (answer) => {
      let value: boolean | undefined;
      if (answer.source === 'keypad')
        value = answer.digits === '1' ? true : answer.digits === '2' ? false : undefined;
      else value = answer.nlu.slots.yesno?.value;
      if (value === undefined) return null;
      return { exit: value ? 'yes' : 'no', ...(opts.slot ? { slots: { [opts.slot]: value } } : {}) };
    },
  };
}

export interface MenuOption {
  /** Exit name (and the value stored in `slot`). */
  id: string;
  key?: string;
  /** Words that choose this option, in any of the script's languages. */
  words: string[];
  next: string;
}

function normalizeWords(text: string): string {
  return ` ${text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/** Matches a spoken answer to one option: a word or phrase it contains, or "the second one". */
export function matchOption(options: readonly MenuOption[], answer: Answer): MenuOption | undefined {
  if (answer.source === 'keypad') return options.find((o) => o.key === answer.digits);
  const text = normalizeWords(answer.nlu.text.normalized || answer.text);
  const hits = options.filter((o) =>
    o.words.some((w) => {
      const word = normalizeWords(w);
      return /[\u4e00-\u9fff]/.test(word) ? text.includes(word.trim()) : text.includes(word);
    }),
  );
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) return undefined;
  const ordinal = answer.nlu.slots.ordinal?.value;
  if (ordinal !== undefined && ordinal >= 1 && ordinal <= options.length) return options[ordinal - 1];
  const spokenKey = answer.nlu.slots.number?.value ?? answer.nlu.slots.digits?.value;
  return spokenKey === undefined ? undefined : options.find((o) => o.key === String(spokenKey));
}

/** Options by voice or key. Exits: one per option id. */
export function menu(opts: Common & { options: MenuOption[]; slot?: string }): AskNode {
  return {
    kind: 'ask',
    ...commonFields(opts),
    expected: 'free',
    hints: opts.options.flatMap((o) => o.words),
    grammar: { kind: 'phrases', phrases: opts.options.flatMap((o) => o.words) },
    exits: Object.fromEntries(opts.options.map((o) => [o.id, o.next])),
    accept: (answer) => {
      const o = matchOption(opts.options, answer);
      return o ? { exit: o.id, ...(opts.slot ? { slots: { [opts.slot]: o.id } } : {}) } : null;
    },
  };
}

/** Digits by voice or keypad, ended by the terminator or the max length. Exit: next. */
export function digits(
  opts: Common & { slot: string; next: string; minLength?: number; maxLength?: number; terminator?: string },
): AskNode {
  const min = opts.minLength ?? 1;
  const max = opts.maxLength ?? 16;
  return {
    kind: 'ask',
    ...commonFields(opts),
    expected: 'digits',
    grammar: { kind: 'digits', minLength: min, maxLength: max },
    dtmf: { maxDigits: max, terminator: opts.terminator ?? '#', leadingZero: true },
    exits: { next: opts.next },
    accept: (answer) => {
      const value = answer.source === 'keypad' ? answer.digits : answer.nlu.slots.digits?.value;
      if (value === undefined || !/^\d+$/.test(value) || value.length < min || value.length > max)
        return null;
      return { exit: 'next', slots: { [opts.slot]: value } };
    },
  };
}

export function transfer(opts: {
  reason: TransferCommand['reason'];
  prompt?: LocalizedText;
  target?: string;
  failed?: string;
}): TransferNode {
  return {
    kind: 'transfer',
    reason: opts.reason,
    ...(opts.prompt ? { prompt: opts.prompt } : {}),
    ...(opts.target ? { target: opts.target } : {}),
    bargeIn: 'never',
    exits: opts.failed ? { failed: opts.failed } : {},
  };
}

export function hangup(status: string, prompt?: LocalizedText): HangupNode {
  return { kind: 'hangup', status, ...(prompt ? { prompt } : {}), bargeIn: 'never', exits: {} };
}

export function branch(
  cases: BranchNode['cases'],
  otherwise: string,
  targets: Record<string, string>,
): BranchNode {
  return { kind: 'branch', cases, exits: { ...targets, else: otherwise } };
}

export function task(opts: Omit<TaskNode, 'kind'>): TaskNode {
  return { kind: 'task', ...opts };
}
