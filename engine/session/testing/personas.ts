/**
 * Simulated callers of the voice-order dialog, one policy per persona: what they want (an order,
 * a person, nothing), and how they answer each prompt they hear (words or keys, when, how fast).
 * Pure and seeded: the same seed gives the same call. Used by the dialog-level persona bench,
 * its real-audio mode and the turn-overhead bench.
 *
 *   cooperative   waits for each question, answers it (sometimes two items at once), 1-3 items
 *   elderly       slow speech, long pauses (some past the no-input timeout), asks to repeat or
 *                 to slow down, one item at a time, 1-2 items
 *   interrupter   answers while the bot is still talking (including the greeting)
 *   keypad-only   only keys: item number + #, quantity + #, 1 = yes, 2 = no
 *   wants-a-human asks for a person at some question
 *   silent        never says anything
 */
import type { Catalog } from '../../../dialogs/nlu/catalog.ts';
import { describeCart, describeLine } from '../../../dialogs/voice-order/cart.ts';

export const PERSONAS = [
  'cooperative',
  'elderly',
  'interrupter',
  'keypad-only',
  'wants-a-human',
  'silent',
] as const;
export type PersonaName = (typeof PERSONAS)[number];

export interface OrderLine {
  itemId: string;
  quantity: number;
}

/** A prompt as the caller hears it: the dialog node it came from and its words. */
export interface HeardPrompt {
  node: string;
  text: string;
}

export type CallerAction =
  | {
      kind: 'say';
      text: string;
      /** 'after': delayMs after the prompt has finished; 'during': delayMs after it started. */
      when: 'after' | 'during';
      delayMs: number;
      /** Speech tempo: 1 normal, < 1 slower (elderly). */
      tempo: number;
      /** A pause inside the utterance (ms after its start, length), if any. */
      pause?: { atWord: number; ms: number };
    }
  | { kind: 'keys'; digits: string; when: 'after' | 'during'; delayMs: number }
  | { kind: 'none' };

export interface CallPlan {
  persona: PersonaName;
  lines: OrderLine[];
  /** Caller ID; registered numbers have an address on file. */
  from: string;
  /** The address the caller gives when none is on file. */
  address: string;
  registeredAddress: string | null;
  /** wants-a-human: the node where they ask for a person. */
  humanAt?: string;
}

export interface Verdict {
  ok: boolean;
  /** Short reason, grouped in the report ('order-placed', 'wrong-items', 'status:ended-by-caller'...). */
  why: string;
}

/** Registered caller (fixtures/customers/customers.json) and an unregistered one. */
export const REGISTERED_CALLER = { from: '+14155550100', address: '40 Pine Street, apartment 2B' };
export const UNREGISTERED_CALLER = { from: '+15550100077', address: '12 Oak Lane, flat 4' };

const YES = ['yes', 'yes please', "that's right", 'correct', 'yes it is'];
const NO = ['no', "no that's wrong", 'no it is not'];
const DONE = ['no', 'no thanks', "no, that's everything", "that's all", 'nothing else'];
const HUMAN = ['I want to talk to a person', 'agent', 'operator please', 'can I speak to a real person'];
const ITEM_FRAMES = ['{}', "I'd like {}", 'can I have {} please', '{} please'];
const NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const QUESTION_NODES = ['askItem', 'confirmItem', 'anythingElse', 'readBack'];

export function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

/** Lower-case words without punctuation, for comparing what was said with what was heard. */
const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

const between = (rng: () => number, lo: number, hi: number) => lo + rng() * (hi - lo);

export function makePlan(persona: PersonaName, rng: () => number, catalog: Catalog): CallPlan {
  const count = persona === 'elderly' ? 1 + Math.floor(rng() * 2) : 1 + Math.floor(rng() * 3);
  const items = [...catalog.items];
  const lines: OrderLine[] = [];
  for (let i = 0; i < count; i++) {
    const [item] = items.splice(Math.floor(rng() * items.length), 1);
    lines.push({ itemId: item!.id, quantity: 1 + Math.floor(rng() * (persona === 'keypad-only' ? 9 : 5)) });
  }
  // Keypad-only callers cannot say an address: they call from their registered number.
  const caller = persona === 'keypad-only' || rng() < 0.8 ? REGISTERED_CALLER : UNREGISTERED_CALLER;
  return {
    persona,
    lines,
    from: caller.from,
    address: caller.address,
    registeredAddress: caller === REGISTERED_CALLER ? caller.address : null,
    ...(persona === 'wants-a-human' ? { humanAt: pick(rng, QUESTION_NODES) } : {}),
  };
}

/** One caller working through one call; react() to each prompt heard, judge() the outcome. */
export class PersonaCaller {
  /** Lines the bot has read back correctly and the caller said yes to. */
  private confirmed: OrderLine[] = [];
  private remaining: OrderLine[];
  private readonly asked = new Map<string, number>();
  private slowedDown = false;
  /** What the caller last said, as they said it (the address they gave). */
  private lastAddress = '';

  constructor(
    readonly plan: CallPlan,
    private readonly rng: () => number,
    private readonly catalog: Catalog,
  ) {
    this.remaining = [...plan.lines];
  }

  get persona(): PersonaName {
    return this.plan.persona;
  }

  /** How the caller says an order line: "two loaves of bread", "three eggs", "one pizza". */
  linePhrase(line: OrderLine): string {
    const item = this.catalog.items.find((i) => i.id === line.itemId);
    if (!item) return line.itemId;
    const name = item.names['en-US'];
    const unit = item.unit['en-US'];
    const n = NUMBERS[line.quantity] ?? String(line.quantity);
    if (unit === name || name.startsWith(unit) || unit === 'piece') {
      const one = name.endsWith('s') && line.quantity === 1 ? name.slice(0, -1) : name;
      return `${n} ${line.quantity === 1 || name.endsWith('s') ? one : `${name}s`}`;
    }
    const units =
      line.quantity === 1 ? unit : unit === 'loaf' ? 'loaves' : unit === 'box' ? 'boxes' : `${unit}s`;
    return `${n} ${units} of ${name}`;
  }

  react(prompt: HeardPrompt): CallerAction {
    const times = (this.asked.get(prompt.node) ?? 0) + 1;
    this.asked.set(prompt.node, times);
    const p = this.plan.persona;
    if (p === 'silent') return { kind: 'none' };
    if (p === 'wants-a-human') {
      const at = this.plan.humanAt ?? 'askItem';
      if (prompt.node === at) return this.say(pick(this.rng, HUMAN));
    }
    if (p === 'keypad-only') return this.keys(prompt);
    if (p === 'elderly' && QUESTION_NODES.includes(prompt.node) && times === 1) {
      const r = this.rng();
      if (r < 0.15) return this.say('repeat');
      if (r < 0.25 && !this.slowedDown) {
        this.slowedDown = true;
        return this.say('slower please');
      }
    }
    const words = this.answer(prompt);
    if (words === null) {
      if (p === 'interrupter' && prompt.node === 'greeting' && this.remaining.length > 0) {
        return this.say(this.itemsPhrase(1), 'during');
      }
      return { kind: 'none' };
    }
    return this.say(words, p === 'interrupter' ? 'during' : 'after');
  }

  /** The words that answer a prompt, or null for a prompt that asks nothing. */
  private answer(prompt: HeardPrompt): string | null {
    const { node, text } = prompt;
    switch (node) {
      case 'askItem':
        if (this.remaining.length === 0) this.remaining = [...this.plan.lines];
        return this.itemsPhrase(this.persona === 'cooperative' && this.rng() < 0.3 ? 2 : 1);
      case 'askQuantity':
        return NUMBERS[this.remaining[0]?.quantity ?? 1] ?? 'one';
      case 'confirmItem':
        return this.confirmLine(text) ? pick(this.rng, YES) : pick(this.rng, NO);
      case 'anythingElse':
        return this.remaining.length > 0 ? this.itemsPhrase(1) : pick(this.rng, DONE);
      case 'readBack': {
        if (text.includes(this.confirmedText())) return pick(this.rng, YES);
        this.confirmed = [];
        this.remaining = [...this.plan.lines];
        return pick(this.rng, NO);
      }
      case 'confirmAddress':
        return pick(this.rng, YES);
      case 'askAddress':
        this.lastAddress = this.plan.address;
        return this.plan.address;
      case 'confirmNewAddress':
        return words(text).includes(words(this.lastAddress)) ? pick(this.rng, YES) : pick(this.rng, NO);
      default:
        return null;
    }
  }

  /**
   * The read-back "two pizzas, is that right?" is one of the lines still wanted (it is now
   * confirmed), or the one just confirmed, asked again after a re-prompt.
   */
  private confirmLine(text: string): boolean {
    const readBack = (l: OrderLine) =>
      text.includes(`${describeLine(this.catalog, l, 'en-US')}, is that right`);
    const i = this.remaining.findIndex(readBack);
    if (i >= 0) {
      this.confirmed.push(...this.remaining.splice(i, 1));
      return true;
    }
    const last = this.confirmed.at(-1);
    return last !== undefined && readBack(last);
  }

  /** The order so far as the bot reads it back. */
  private confirmedText(): string {
    const lines = this.confirmed.map((l) => ({ ...l, priceMinor: 0 }));
    return describeCart(this.catalog, lines, 'en-US');
  }

  private itemsPhrase(n: number): string {
    const lines = this.remaining.slice(0, Math.max(1, n)).map((l) => this.linePhrase(l));
    return pick(this.rng, ITEM_FRAMES).replace('{}', lines.join(' and '));
  }

  private keys(prompt: HeardPrompt): CallerAction {
    const { node, text } = prompt;
    let digits: string | null = null;
    if (node === 'askItem') {
      if (this.remaining.length === 0) this.remaining = [...this.plan.lines];
      const line = this.remaining[0]!;
      digits = `${this.catalog.items.findIndex((i) => i.id === line.itemId) + 1}#`;
    } else if (node === 'askQuantity') digits = `${this.remaining[0]?.quantity ?? 1}#`;
    else if (node === 'confirmItem') digits = this.confirmLine(text) ? '1' : '2';
    else if (node === 'anythingElse') digits = this.remaining.length > 0 ? '1' : '2';
    else if (node === 'readBack') {
      const right = text.includes(this.confirmedText());
      if (!right) {
        this.confirmed = [];
        this.remaining = [...this.plan.lines];
      }
      digits = right ? '1' : '2';
    } else if (node === 'confirmAddress') digits = '1';
    else if (node === 'askAddress') digits = '0';
    if (digits === null) return { kind: 'none' };
    return { kind: 'keys', digits, when: 'after', delayMs: between(this.rng, 600, 2500) };
  }

  private say(text: string, when: 'after' | 'during' = 'after'): CallerAction {
    const elderly = this.persona === 'elderly';
    let delayMs: number;
    if (when === 'during') delayMs = between(this.rng, 400, 1500);
    else if (elderly)
      delayMs = this.rng() < 0.15 ? between(this.rng, 10_000, 13_000) : between(this.rng, 1500, 6000);
    else delayMs = between(this.rng, 300, 1200);
    const nWords = text.split(' ').length;
    const pause =
      elderly && nWords >= 3 && this.rng() < 0.2
        ? { atWord: 1 + Math.floor(this.rng() * (nWords - 1)), ms: between(this.rng, 400, 1000) }
        : undefined;
    return { kind: 'say', text, when, delayMs, tempo: elderly ? 0.65 : 1, ...(pause ? { pause } : {}) };
  }

  /** Whether the call ended the way this caller needed. */
  judge(outcome: { status: string; slots: Record<string, unknown> } | undefined): Verdict {
    const status = outcome?.status ?? 'none';
    const p = this.plan.persona;
    if (p === 'wants-a-human' || p === 'silent') {
      const ok = status === 'transferred' || status === 'callback-requested';
      return { ok, why: ok ? status : `status:${status}` };
    }
    if (status !== 'order-placed') return { ok: false, why: `status:${status}` };
    const cart = (outcome?.slots.cart as OrderLine[] | undefined) ?? [];
    const key = (ls: OrderLine[]) =>
      ls
        .map((l) => `${l.itemId}x${l.quantity}`)
        .sort()
        .join(',');
    if (key(cart) !== key(this.plan.lines)) return { ok: false, why: 'wrong-items' };
    const address = String(outcome?.slots.address ?? '');
    if (words(address) !== words(this.plan.address)) return { ok: false, why: 'wrong-address' };
    return { ok: true, why: 'order-placed' };
  }
}
