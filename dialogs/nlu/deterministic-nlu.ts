/**
 * The deterministic NLU: pure, synchronous, no I/O. Global intents are always looked for; the
 * slot the dialog expects is filled first, and with `free` (or no expectation) every extractor
 * runs. A weak intent ("没有了", "算了") gives way to a filled slot and stays as an alternative.
 */
import { VoicebotError } from '../../engine/errors.ts';
import { parseDate } from './dates.ts';
import { parseDigits } from './digits.ts';
import { type IntentParse, parseIntents } from './intents.ts';
import { parseMenu } from './menu.ts';
import { normalize } from './normalize.ts';
import { findOrdinal, findQuantities, soundalikeNumber } from './quantity.ts';
import type { Nlu, NluContext, NluInterpretation, NluResult, NluSlots } from './types.ts';
import { parseYesNo } from './yes-no.ts';

const LANGUAGES = new Set(['zh-CN', 'en-US']);
/** Tokens parsed per utterance (about 40 s of Chinese speech); the rest is ignored. */
export const MAX_TOKENS = 200;
const EXPECTED = new Set(['yesno', 'number', 'digits', 'menu', 'date', 'free']);

export class DeterministicNlu implements Nlu {
  parse(text: string, context: NluContext): NluResult {
    checkContext(context);
    const norm = normalize(typeof text === 'string' ? text : '');
    // One turn of speech is far shorter; the cap bounds the time a pathological input can take.
    const tokens = norm.tokens.length > MAX_TOKENS ? norm.tokens.slice(0, MAX_TOKENS) : norm.tokens;
    const expected = context.expected ?? 'free';
    const slots: NluSlots = {};
    let slotConfidence = 0;

    const want = (k: string) => expected === k || expected === 'free';

    if (want('yesno')) {
      const yn = parseYesNo(tokens);
      if (yn) {
        slots.yesno = yn;
        if (expected === 'yesno') slotConfidence = yn.confidence;
      }
    }
    if (want('number')) {
      const q = findQuantities(tokens)[0];
      const ord = findOrdinal(tokens);
      if (q) {
        slots.number = { value: q.value, confidence: tokens.length <= q.end - q.start + 2 ? 0.95 : 0.8 };
        if (q.unit !== undefined) slots.number.unit = q.unit;
      }
      if (ord) slots.ordinal = { value: ord.value, confidence: 0.9 };
      if (!q && !ord && expected === 'number') {
        const guess = soundalikeNumber(tokens);
        if (guess !== undefined) slots.number = { value: guess, confidence: 0.6 };
      }
      if (expected === 'number') slotConfidence = slots.number?.confidence ?? slots.ordinal?.confidence ?? 0;
    }
    if (want('digits')) {
      const d = parseDigits(tokens);
      if (d && (expected === 'digits' || d.value.length >= 3)) {
        const confidence = round(Math.max(0.3, (0.6 + 0.4 * d.coverage) * (d.guesses > 0 ? 0.85 : 1)));
        slots.digits = { value: d.value, confidence };
        if (expected === 'digits') slotConfidence = confidence;
      }
    }
    if (want('menu') && context.catalog) {
      const lines = parseMenu(tokens, context.catalog, context.language);
      if (lines.length > 0) {
        slots.items = lines;
        if (expected === 'menu') slotConfidence = Math.min(...lines.map((l) => l.score));
      } else if (context.offered && context.offered.length > 0) {
        const ord = findOrdinal(tokens);
        const id = ord ? context.offered[ord.value - 1] : undefined;
        const item = id ? context.catalog.items.find((i) => i.id === id) : undefined;
        if (item) {
          slots.items = [
            { itemId: item.id, name: item.names[context.language], quantity: 1, score: 0.9, candidates: [] },
          ];
          if (expected === 'menu') slotConfidence = 0.9;
        }
      }
    }
    if (want('date') && context.now) {
      const d = parseDate(tokens, context.now, context.timeZone ?? 'UTC');
      if (d) {
        slots.date = { ...d, timeZone: context.timeZone ?? 'UTC' };
        if (expected === 'date') slotConfidence = d.confidence;
      }
    }
    if (expected === 'free') slotConfidence = freeConfidence(slots);

    const intents = parseIntents(tokens);
    return decide(norm.original, norm.text, slots, slotConfidence, intents, expected);
  }
}

function decide(
  original: string,
  normalized: string,
  slots: NluSlots,
  slotConfidence: number,
  intents: IntentParse[],
  expected: string,
): NluResult {
  const filled = Object.keys(slots).length > 0 && slotConfidence > 0;
  const alternatives: NluInterpretation[] = [];
  const slotReading: NluInterpretation = { intent: 'none', slots, confidence: round(slotConfidence) };
  const top = intents[0];
  const text = { original, normalized };
  if (!top) return { ...slotReading, alternatives, text };
  const intentReadings: NluInterpretation[] = intents.map((i) => ({
    intent: i.intent,
    slots,
    confidence: i.confidence,
  }));
  // A weak intent yields to an answer of the question asked ("没有了" to "anything else?").
  const yields = top.weak && filled && expected !== 'free';
  if (yields) {
    return { ...slotReading, alternatives: intentReadings, text };
  }
  const [first, ...rest] = intentReadings;
  if (filled) rest.push(slotReading);
  return { ...first!, alternatives: rest, text };
}

function freeConfidence(slots: NluSlots): number {
  const c = [
    slots.yesno?.confidence,
    slots.number?.confidence,
    slots.ordinal?.confidence,
    slots.digits?.confidence,
    slots.date?.confidence,
    ...(slots.items?.map((l) => l.score) ?? []),
  ].filter((x): x is number => x !== undefined);
  return c.length === 0 ? 0 : Math.max(...c);
}

function checkContext(context: NluContext): void {
  if (!context || !LANGUAGES.has(context.language)) {
    throw new VoicebotError(
      'NLU_CONTEXT_INVALID',
      `NLU language must be "zh-CN" or "en-US", got ${JSON.stringify(context?.language)}`,
      { field: 'language' },
    );
  }
  if (context.expected !== undefined && !EXPECTED.has(context.expected)) {
    throw new VoicebotError(
      'NLU_CONTEXT_INVALID',
      `NLU expected slot must be one of ${[...EXPECTED].join(', ')}, got ${JSON.stringify(context.expected)}`,
      { field: 'expected' },
    );
  }
  if (context.expected === 'menu' && !context.catalog) {
    throw new VoicebotError(
      'NLU_CONTEXT_INVALID',
      'expected "menu" needs context.catalog (see parseCatalog)',
      {
        field: 'catalog',
      },
    );
  }
  if (context.expected === 'date' && !(context.now instanceof Date && !Number.isNaN(context.now.getTime()))) {
    throw new VoicebotError(
      'NLU_CONTEXT_INVALID',
      'expected "date" needs context.now, a valid Date (the reference instant)',
      {
        field: 'now',
      },
    );
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
