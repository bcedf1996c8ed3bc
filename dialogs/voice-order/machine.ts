/**
 * The voice-ordering IVR for elderly callers, built from the dialog blocks (zero I/O):
 *
 *   greeting -> askItem -> (askQuantity) -> confirmItem -> anythingElse -> readBack
 *     -> lookupAddress -> confirmAddress | askAddress -> confirmNewAddress -> submit -> placed
 *
 * One question at a time; every item is read back ("two loaves of bread, is that right?"); the
 * whole order with its total is read back before it is placed. Elderly mode is on by default
 * (rate 0.8, 15 s no-input, keypad offered with every question). At every question the second
 * failure offers the keypad and a person, the third hands over; a rejected read-back is a
 * failure of the question it read back.
 * English questions send catalog grammars with the global intents (grammar.ts); "that's all"
 * after "Anything else?" ends the list. The address lookup and the order submission are
 * provided actors (`lookupAddress`, `submitOrder`); see createVoiceOrderDialog for wiring them.
 */
import { fromPromise } from 'xstate';
import type { Language } from '../../asr-tts/asr.ts';
import { ask, branch, confirm, hangup, say, task, transfer } from '../blocks/blocks.ts';
import { buildDialogMachine } from '../blocks/build-machine.ts';
import type {
  Answer,
  AskNode,
  Decision,
  DialogContext,
  DialogDefinition,
  LocalizedText,
} from '../blocks/types.ts';
import type { Catalog } from '../nlu/catalog.ts';
import {
  addLine,
  type CartLine,
  describeCart,
  describeLine,
  describeMoney,
  findItem,
  totalMinor,
} from './cart.ts';
import { type VoiceOrderGrammars, voiceOrderGrammars } from './grammar.ts';
import { P } from './prompts.ts';

export interface PendingLine {
  itemId: string;
  quantity?: number;
}

export interface OrderRequest {
  /** Stable per call: a retried submission must not place the order twice. */
  idempotencyKey: string;
  callId: string;
  callerId?: string;
  language: Language;
  catalogId: string;
  currency: string;
  lines: CartLine[];
  totalMinor: number;
  address: string;
  addressSource: 'registered' | 'spoken';
}

export interface OrderReceipt {
  orderId: string;
}

export interface VoiceOrderOptions {
  catalog: Catalog;
  shopName?: string;
}

const cartOf = (ctx: DialogContext) => (ctx.slots.cart as CartLine[] | undefined) ?? [];
const pendingOf = (ctx: DialogContext) => ctx.slots._pending as PendingLine | undefined;
const queueOf = (ctx: DialogContext) => (ctx.slots._queue as PendingLine[] | undefined) ?? [];

/** Words an address does not end with: their number is still to come ("12 Oak Lane, flat"). */
const WANTS_NUMBER = /(^|\s)(flat|apartment|apt|unit|number|suite|floor|room|house|block)$/i;

/**
 * The address heard so far: a number alone ("12", the caller paused before "Oak Lane, flat 4")
 * or an address that ends before its flat number ("12 Oak Lane, flat") waits for the rest. The
 * rest is joined to it, unless it starts with a number and is more than the flat number that
 * was missing (the whole address said again).
 */
function addressText(part: unknown, heard: string): string {
  const text = heard.trim();
  if (typeof part !== 'string' || part === '') return text;
  const flatNumber = /^(\d+\s?[a-z]?|[a-z]+)$/i.test(text);
  return !/^\d/.test(text) || (WANTS_NUMBER.test(part) && flatNumber) ? `${part} ${text}` : text;
}

/** Whether the address heard so far is only a beginning. */
function addressUnfinished(text: string): boolean {
  const words = text.replace(/[^\p{L}\p{N}\s]+/gu, ' ').trim();
  return !/\p{L}/u.test(words) || WANTS_NUMBER.test(words);
}

/** A per-language template whose `{{name}}` are filled from values computed on the context. */
function computed(
  template: Record<Language, string>,
  values: (ctx: DialogContext) => Record<string, string>,
): LocalizedText {
  const fill = (lang: Language) => (ctx: DialogContext) => {
    const v = values(ctx);
    return template[lang].replace(/\{\{(\w+)\}\}/g, (m, k: string) => v[k] ?? m).replace(/ {2,}/g, ' ');
  };
  return { 'en-US': fill('en-US'), 'zh-CN': fill('zh-CN') };
}

export function voiceOrderDefinition(opts: VoiceOrderOptions): DialogDefinition {
  const { catalog } = opts;
  const pendingValues = (ctx: DialogContext) => {
    const p = pendingOf(ctx);
    const item = p ? findItem(catalog, p.itemId) : undefined;
    const lang = ctx.language;
    const unit = item ? item.unit[lang] : '';
    return {
      pendingName: item
        ? lang === 'en-US' && item.unit['en-US'] === item.names['en-US']
          ? `${item.names[lang]}s`
          : item.names[lang]
        : '',
      // "How many loaves of bread?", but "How many pizzas?" where the unit is the item.
      pendingUnit:
        lang === 'en-US' && unit && item && unit !== item.names['en-US']
          ? `${unit === 'loaf' ? 'loaves' : `${unit}s`} of`
          : lang === 'en-US'
            ? ''
            : unit,
      pendingText: p ? describeLine(catalog, { itemId: p.itemId, quantity: p.quantity ?? 1 }, lang) : '',
    };
  };
  const cartValues = (ctx: DialogContext) => ({
    cartText: describeCart(catalog, cartOf(ctx), ctx.language),
    totalText: describeMoney(totalMinor(cartOf(ctx)), catalog.currency, ctx.language),
  });

  /** Items heard in one answer: the first is confirmed now, the rest wait their turn. */
  const itemsDecision = (answer: Answer, exit: string): Decision | null => {
    if (answer.source !== 'voice') return null;
    const lines = answer.nlu.slots.items ?? [];
    if (lines.length === 0) return null;
    const pending = lines.map((l) => ({ itemId: l.itemId, quantity: Math.min(99, Math.max(1, l.quantity)) }));
    return { exit, slots: { _pending: pending[0], _queue: pending.slice(1) } };
  };
  const keypadItem = (answer: Answer): Decision | null => {
    if (answer.source !== 'keypad') return null;
    const item = catalog.items[Number.parseInt(answer.digits, 10) - 1];
    return item ? { exit: 'keypadItem', slots: { _pending: { itemId: item.id }, _queue: [] } } : null;
  };
  const hints = (ctx: DialogContext) => catalog.items.map((i) => i.names[ctx.language]);
  // English questions send a catalog grammar (a grammar-first recognizer hears only what it
  // allows, so every grammar carries the global intents); Chinese ones send the hints alone.
  const grammars = voiceOrderGrammars(catalog);
  const grammar = (g: keyof VoiceOrderGrammars) => (ctx: DialogContext) =>
    ctx.language === 'en-US' ? grammars[g] : undefined;
  /** A yes/no question that also hears the global intents ("operator" is not forced into a yes). */
  const yesNo = (n: AskNode): AskNode => ({ ...n, grammar: grammar('yesNo') });

  const confirmItem: AskNode = {
    ...confirm({
      prompt: computed(P.confirmItem, pendingValues),
      yes: 'afterItem',
      no: 'askItem',
    }),
    grammar: grammar('confirmItem'),
    // The read-back also hears a correction ("no, three pizzas"), so the NLU looks for items too.
    expected: 'free',
    // A no (with or without a correction) is a failure of the item question.
    rejects: { exits: ['no', 'corrected'], question: 'askItem' },
  };
  confirmItem.exits.corrected = 'confirmItem';
  const acceptYesNo = confirmItem.accept;
  confirmItem.accept = (answer, ctx) => {
    const d = acceptYesNo(answer, ctx);
    const p = pendingOf(ctx);
    if (d?.exit !== 'yes') {
      const fix = correction(answer, p, queueOf(ctx));
      if (fix) return fix;
    }
    if (!d) return null;
    if (d.exit === 'no' || !p) return { exit: 'no', slots: { _pending: undefined, _queue: [] } };
    const item = findItem(catalog, p.itemId);
    const line = { itemId: p.itemId, quantity: p.quantity ?? 1, priceMinor: item?.priceMinor ?? 0 };
    const [next, ...rest] = queueOf(ctx);
    return { exit: 'yes', slots: { cart: addLine(cartOf(ctx), line), _pending: next, _queue: rest } };
  };

  /**
   * "No, three pizzas" / "no, three" / "不对，要三份" to "two pizzas, is that right?": the item
   * (or the quantity of the one read back) in the same answer, read back in turn. A number or an
   * item without a yes counts too ("three pizzas"); a plain no does not.
   */
  const correction = (answer: Answer, p: PendingLine | undefined, queue: PendingLine[]): Decision | null => {
    if (answer.source !== 'voice' || answer.nlu.slots.yesno?.value === true) return null;
    const lines = itemsDecision(answer, 'corrected');
    if (lines) {
      const heard = [lines.slots!._pending as PendingLine, ...(lines.slots!._queue as PendingLine[])];
      return { exit: 'corrected', slots: { _pending: heard[0], _queue: [...heard.slice(1), ...queue] } };
    }
    const n = answer.nlu.slots.number?.value;
    if (!p || n === undefined || !Number.isInteger(n) || n < 1 || n > 99) return null;
    return { exit: 'corrected', slots: { _pending: { ...p, quantity: n } } };
  };

  const anythingElse: AskNode = confirm({ prompt: P.anythingElse, yes: 'askItem', no: 'checkCart' });
  const acceptAnythingElse = anythingElse.accept;
  anythingElse.exits.item = 'confirmItem';
  anythingElse.hints = hints;
  anythingElse.grammar = grammar('anythingElse');
  // Yes, no, or the next item straight away ("and a coke"): the NLU looks for items too.
  anythingElse.expected = 'free';
  // "That's all", "nothing else", "就这些" (weak goodbyes) end the list here, not the call;
  // a plain "goodbye" still ends the call.
  const listDone = (answer: Answer): Decision | null =>
    answer.source === 'voice' && answer.nlu.intent === 'goodbye' && answer.nlu.confidence < 0.9
      ? { exit: 'no' }
      : null;
  // "Yes, that's all" ends the list too: the end of a list is heard before a yes.
  anythingElse.accept = (answer, ctx) =>
    itemsDecision(answer, 'item') ?? listDone(answer) ?? acceptAnythingElse(answer, ctx);

  const readBack: AskNode = {
    ...yesNo(
      confirm({
        prompt: computed(P.readBack, cartValues),
        yes: 'lookupAddress',
        no: 'startOver',
      }),
    ),
    // The whole order rejected three times: a person.
    rejects: { exits: ['no'], question: 'order' },
  };
  const acceptReadBack = readBack.accept;
  readBack.accept = (answer, ctx) => {
    const d = acceptReadBack(answer, ctx);
    return d?.exit === 'no' ? { exit: 'no', slots: { cart: [] } } : d;
  };

  const nodes: DialogDefinition['nodes'] = {
    greeting: say(P.greeting, 'askItem'),
    askItem: ask({
      prompt: P.askItem,
      reprompt: P.askItemReprompt,
      keypadHint: P.askItemKeys,
      expected: 'menu',
      hints,
      grammar: grammar('item'),
      dtmf: { maxDigits: 2, terminator: '#' },
      exits: { item: 'confirmItem', keypadItem: 'askQuantity' },
      accept: (answer) => itemsDecision(answer, 'item') ?? keypadItem(answer),
    }),
    askQuantity: ask({
      prompt: computed(P.askQuantity, pendingValues),
      keypadHint: P.askQuantityKeys,
      expected: 'number',
      grammar: grammar('quantity'),
      dtmf: { maxDigits: 2, terminator: '#' },
      exits: { next: 'confirmItem' },
      accept: (answer, ctx) => {
        const n =
          answer.source === 'keypad' ? Number.parseInt(answer.digits, 10) : answer.nlu.slots.number?.value;
        if (n === undefined || !Number.isInteger(n) || n < 1 || n > 99) return null;
        return { exit: 'next', slots: { _pending: { ...pendingOf(ctx), quantity: n } } };
      },
    }),
    confirmItem,
    afterItem: branch(
      [{ exit: 'more', when: (ctx) => pendingOf(ctx) !== undefined, label: 'more heard' }],
      'anythingElse',
      {
        more: 'confirmItem',
      },
    ),
    anythingElse,
    checkCart: branch(
      [{ exit: 'empty', when: (ctx) => cartOf(ctx).length === 0, label: 'cart empty' }],
      'readBack',
      {
        empty: 'askItem',
      },
    ),
    readBack,
    startOver: say(P.startOver, 'askItem'),
    lookupAddress: task({
      src: 'lookupAddress',
      input: (ctx) => ({ callerId: ctx.call?.from }),
      onDone: (output) =>
        typeof output === 'string' && output.trim() !== ''
          ? { exit: 'found', slots: { registeredAddress: output } }
          : { exit: 'none' },
      exits: { found: 'confirmAddress', none: 'askAddress', error: 'askAddress' },
    }),
    confirmAddress: (() => {
      const n = yesNo(confirm({ prompt: P.confirmAddress, yes: 'submit', no: 'askAddress' }));
      const base = n.accept;
      n.accept = (a, ctx) => {
        const d = base(a, ctx);
        return d?.exit === 'yes'
          ? { exit: 'yes', slots: { address: ctx.slots.registeredAddress, addressSource: 'registered' } }
          : d;
      };
      return n;
    })(),
    askAddress: ask({
      prompt: P.askAddress,
      expected: 'free',
      exits: { next: 'confirmNewAddress', more: 'askAddress' },
      holdExits: ['more'],
      accept: (answer, ctx) => {
        if (answer.source !== 'voice') return null;
        const text = addressText(ctx.slots._addressPart, answer.text);
        if (addressUnfinished(text)) return { exit: 'more', slots: { _addressPart: text } };
        return text.length >= 3
          ? { exit: 'next', slots: { address: text, addressSource: 'spoken', _addressPart: undefined } }
          : null;
      },
    }),
    // A misheard address rejected twice (standard mode: three times): a person (no keypad for an address).
    confirmNewAddress: {
      ...yesNo(confirm({ prompt: P.confirmNewAddress, yes: 'submit', no: 'askAddress' })),
      rejects: { exits: ['no'], question: 'askAddress' },
    },
    submit: task({
      src: 'submitOrder',
      prompt: P.submitting,
      bargeIn: 'never',
      input: (ctx): OrderRequest => ({
        idempotencyKey: `order-${ctx.call?.callId ?? 'unknown'}`,
        callId: ctx.call?.callId ?? 'unknown',
        ...(ctx.call?.from ? { callerId: ctx.call.from } : {}),
        language: ctx.language,
        catalogId: catalog.id,
        currency: catalog.currency,
        lines: cartOf(ctx),
        totalMinor: totalMinor(cartOf(ctx)),
        address: String(ctx.slots.address ?? ''),
        addressSource: ctx.slots.addressSource === 'registered' ? 'registered' : 'spoken',
      }),
      onDone: (output) => ({ exit: 'ok', slots: { orderId: (output as OrderReceipt).orderId } }),
      exits: { ok: 'placed', error: 'submitFailed' },
    }),
    placed: hangup('order-placed', P.placed),
    submitFailed: transfer({ reason: 'bot-failure', prompt: P.submitFailed }),
  };

  return {
    id: 'voice-order',
    start: 'greeting',
    nodes,
    elderlyByDefault: true,
    onStart: (ctx) => ({ vars: { shopName: opts.shopName ?? 'Sunshine Grocery', ...ctx.vars } }),
    summary: (ctx) => {
      const cart = cartOf(ctx);
      return [
        `voice order, reason: ${ctx.transferReason}, language: ${ctx.language}, at: ${ctx.node}`,
        `order so far: ${cart.length ? describeCart(catalog, cart, 'en-US') : 'nothing yet'} (total ${describeMoney(totalMinor(cart), catalog.currency, 'en-US')})`,
        `address: ${String(ctx.slots.address ?? ctx.slots.registeredAddress ?? 'unknown')}`,
        `last turns: ${ctx.history.slice(-4).join(' | ')}`,
      ].join('\n');
    },
  };
}

export function voiceOrderMachine(opts: VoiceOrderOptions) {
  return buildDialogMachine(voiceOrderDefinition(opts));
}

export interface VoiceOrderServices {
  /** Registered address of a caller ID, or null. */
  lookupAddress: (callerId: string | undefined) => Promise<string | null>;
  submitOrder: (order: OrderRequest) => Promise<OrderReceipt>;
}

/** The machine with its two actors provided. */
export function createVoiceOrderDialog(opts: VoiceOrderOptions, services: VoiceOrderServices) {
  return voiceOrderMachine(opts).provide({
    actors: {
      lookupAddress: fromPromise<unknown, unknown>(async ({ input }) =>
        services.lookupAddress((input as { callerId?: string }).callerId),
      ),
      submitOrder: fromPromise<unknown, unknown>(async ({ input }) =>
        services.submitOrder(input as OrderRequest),
      ),
    },
  });
}
