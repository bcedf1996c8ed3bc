/**
 * The speech grammars of the voice-order questions, built from the catalog (en-US names and
 * synonyms, singular and plural, with their units: "two bottles of coke") and combined with
 * quantity words and the global intents every question must accept (agent, repeat, slower, ...).
 * Written as phrase rules (asr-tts/phrase-rules.ts): "[i'd like] <line> [and <line>] [please]"
 * stays a few hundred words for a recognizer that takes rules (pocketsphinx turns them into
 * JSGF), instead of millions of flat phrases. `phrases` (names, intents, yes/no words) serves
 * recognizers without rules. Chinese calls get no grammar: there is no Mandarin grammar
 * recognizer, so the questions send the catalog names as hints only. Pure.
 */
import type { Grammar } from '../../asr-tts/asr.ts';
import type { PhraseRules } from '../../asr-tts/phrase-rules.ts';
import type { Catalog, CatalogItem } from '../nlu/catalog.ts';
import {
  chatRules,
  DONE_PHRASES,
  doneRules,
  intentPhrases,
  intentRules,
  NO_PHRASES,
  NUMBER_WORDS,
  YES_PHRASES,
  yesNoRules,
} from '../nlu/grammar-phrases.ts';
import { plural } from './cart.ts';

export interface VoiceOrderGrammars {
  /** "What would you like to order?": one or two lines, with or without quantities. */
  item: Grammar;
  /** "How many pizzas?": a number, maybe with a unit or the item ("two", "three bottles"). */
  quantity: Grammar;
  /** Every yes/no question. */
  yesNo: Grammar;
  /** "Two pizzas, is that right?": yes, no, or no with the right item or number ("no, three pizzas"). */
  confirmItem: Grammar;
  /** "Anything else?": yes, no, "that's all", or the next item straight away. */
  anythingElse: Grammar;
}

/** Openers callers put before an order. */
const LEADS = [
  'i want',
  'i would like',
  "i'd like",
  'can i have',
  'can i get',
  "i'll have",
  "i'll take",
  'give me',
  'i need',
  'and',
];

/** Quantities above one before an item: two .. twelve. */
const ITEM_QUANTITIES = NUMBER_WORDS.slice(1, 12);

/**
 * "steamed buns" -> "steamed bun", "tomatoes" -> "tomato": the singular of a plural name, for
 * "one steamed bun". Names in -ies ("fries") and -ss have none.
 */
function singularPhrase(phrase: string): string | undefined {
  const words = phrase.split(' ');
  const last = words.at(-1)!;
  let one: string | undefined;
  if (/oes$/.test(last)) one = last.slice(0, -2);
  else if (/[^s]s$/.test(last) && !/ies$/.test(last)) one = last.slice(0, -1);
  return one === undefined ? undefined : [...words.slice(0, -1), one].join(' ');
}

/** "lemon soda" -> "lemon sodas"; names already plural ("apples", "fries") stay. */
function pluralPhrase(phrase: string): string {
  const words = phrase.split(' ');
  const last = words.at(-1)!;
  return last.endsWith('s') ? phrase : [...words.slice(0, -1), plural(last)].join(' ');
}

/** Lower-case words only ("Coca-Cola" -> "coca cola"); names left with no word are skipped. */
function spoken(phrase: string): string {
  return phrase
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function aliases(item: CatalogItem): string[] {
  return [item.names['en-US'], ...item.synonyms['en-US']].map(spoken).filter(Boolean);
}

/** The English words of the catalog's names and synonyms (to check a recognizer's dictionary). */
export function catalogWords(catalog: Catalog): string[] {
  return [...new Set(catalog.items.flatMap(aliases).flatMap((a) => a.split(' ')))];
}

function ruleName(text: string): string {
  return text.replace(/[^a-z0-9]+/g, '_');
}

/** "an" before a vowel sound (by spelling: "an apple", "an oj", "a burger"). */
const takesAn = (phrase: string) => /^[aeiou]/.test(phrase);

/** Groups a phrase list by the article it takes: the rules `<name>_a` and `<name>_an`. */
function byArticle(rules: PhraseRules['rules'], name: string, list: readonly string[]): string[] {
  const out: string[] = [];
  for (const [article, part] of [
    ['a', list.filter((x) => !takesAn(x))],
    ['an', list.filter(takesAn)],
  ] as const) {
    if (part.length === 0) continue;
    rules[`${name}_${article}`] = [...new Set(part)];
    out.push(`${article} <${name}_${article}>`);
  }
  return out;
}

/**
 * How items are said, with quantities that agree: "one pizza", "a coke", "an apple", "two
 * pizzas", "two fried rice" (an item sold by the bottle, bowl, ... keeps its singular after a
 * number too), "pizza" alone; and after their unit: "a bottle of coke", "two loaves of bread".
 * Rules: `line` (one item with its quantity), `counted` (the same, quantity required).
 */
function itemRules(catalog: Catalog): PhraseRules['rules'] {
  const rules: PhraseRules['rules'] = {};
  const one: string[] = [];
  const many: string[] = [];
  const byUnit = new Map<string, Set<string>>();
  for (const item of catalog.items) {
    const names = aliases(item);
    const unit = spoken(item.unit['en-US']);
    // Plurals are made only where the catalog gives none ("apples" / "apple" stay as written).
    const givenPlural = names.filter((x) => x.endsWith('s'));
    const given = names.filter((x) => !x.endsWith('s'));
    // "one steamed bun", "one dumpling": the singular of a plural-only name ("egg" is given).
    const made = givenPlural.map(singularPhrase).filter((x): x is string => x !== undefined);
    const singular = [...new Set([...given, ...made])];
    // Abbreviations ("oj") stay as they are.
    const plurals =
      givenPlural.length > 0 ? givenPlural : given.filter((x) => x.length > 2).map(pluralPhrase);
    const soldByUnit =
      unit !== '' &&
      !unit.includes(' ') &&
      !names.some((n) => n === unit || n === plural(unit) || n.endsWith(` ${unit}`));
    one.push(...(singular.length > 0 ? singular : names));
    many.push(...plurals, ...(soldByUnit ? given : []));
    if (soldByUnit) byUnit.set(unit, new Set([...(byUnit.get(unit) ?? []), ...names]));
  }
  rules.item = [...new Set([...one, ...many])];
  rules.item_one = [...new Set(one)];
  rules.item_many = [...new Set(many)];
  const counted = ['one <item_one>', ...byArticle(rules, 'item', one), '<many> <item_many>'];
  for (const [unit, names] of byUnit) {
    const id = ruleName(unit);
    rules[`of_${id}`] = [...names];
    const article = takesAn(unit) ? 'an' : 'a';
    counted.push(`one ${unit} of <of_${id}>`, `${article} ${unit} of <of_${id}>`);
    counted.push(`<many> ${plural(unit)} of <of_${id}>`);
  }
  rules.counted = counted;
  rules.line = ['<item>', '<counted>'];
  rules.many = ITEM_QUANTITIES;
  rules.lead = LEADS;
  return rules;
}

function unitWords(catalog: Catalog): string[] {
  const units = catalog.items.map((i) => spoken(i.unit['en-US'])).filter((u) => u && !u.includes(' '));
  return [...new Set(units.flatMap((u) => [u, plural(u)]))];
}

/** One or two items; the second with its quantity ("and a coke"), so that noise after an order is not an item. */
const ORDER = '[<lead>] <line> [and <counted>] [please]';

/** What callers put between "no" and the right answer ("no, I said three pizzas"). */
const CORRECTION_LEADS = [
  'i said',
  'i want',
  "i'd like",
  'i wanted',
  'i meant',
  'make it',
  'it should be',
  'it was',
];

function phrases(rules: PhraseRules, flat: string[]): Grammar {
  return { kind: 'phrases', phrases: [...new Set(flat)], rules };
}

export function voiceOrderGrammars(catalog: Catalog): VoiceOrderGrammars {
  const items = itemRules(catalog);
  const intents = intentRules();
  const names = items.item!;
  const yesNo = yesNoRules();
  return {
    // Small talk ("I'd like to order some food") comes back as itself: the NLU finds no item
    // and the question is asked again, instead of the nearest item being read back.
    item: phrases({ root: [ORDER, '<intent>', '<chat>'], rules: { ...items, ...intents, ...chatRules() } }, [
      ...names,
      ...intentPhrases(),
    ]),
    quantity: phrases(
      {
        root: ['[just] <count> [<count_of>] [please]', '<intent>'],
        rules: {
          count: NUMBER_WORDS,
          count_of: [...unitWords(catalog), ...names],
          ...intents,
        },
      },
      [...NUMBER_WORDS, ...intentPhrases()],
    ),
    yesNo: phrases({ root: ['<yes>', '<no>', '<intent>'], rules: { ...yesNo, ...intents } }, [
      ...YES_PHRASES,
      ...NO_PHRASES,
      ...intentPhrases(),
    ]),
    // A correction in the same answer: "no, three pizzas", "no I said two", "make it three".
    // The item comes with its quantity, so that noise after a no is not read as an item.
    confirmItem: phrases(
      {
        root: [
          '<yes>',
          '<no>',
          '<no_word> [<no_tail>] [<fix_lead>] <counted> [and <counted>] [please]',
          '<no_word> [<no_tail>] [<fix_lead>] [just] <count> [please]',
          'make it [just] <count> [please]',
          '<intent>',
        ],
        rules: { ...yesNo, ...items, count: NUMBER_WORDS, fix_lead: CORRECTION_LEADS, ...intents },
      },
      [...YES_PHRASES, ...NO_PHRASES, ...intentPhrases()],
    ),
    anythingElse: phrases(
      {
        root: ['<yes>', '<no>', '<done>', ORDER, 'yes <counted> [please]', '<intent>'],
        rules: { ...yesNo, ...doneRules(), ...items, ...intents },
      },
      [...YES_PHRASES, ...NO_PHRASES, ...DONE_PHRASES, ...names, ...intentPhrases()],
    ),
  };
}
