/**
 * Yes/no in English and Chinese with negation scope: "not bad" and "不错" are not a no,
 * "no problem" and "没问题" are a yes, "不不不" is a no, "好的不用了" is a no (the caller changed
 * their mind: the last clear answer wins), "not really" is a no, questions back ("是不是?",
 * "对不对") and apologies ("对不起") are not answers. Unknown words give no match.
 */
import { Lexicon } from './lexicon.ts';
import { PinyinVocabulary } from './pinyin.ts';

/** +1 yes, -1 no, 0 neutral (words that look like answers but are not). */
interface Cue {
  polarity: 1 | -1 | 0;
  /** How sure a cue is on its own: 1 strong (yes, 是的), 0.6 weak (嗯, ok-ish). */
  weight: number;
  /** English negators flip the next cue ("not correct" = no, "not bad" = yes). */
  negator?: boolean;
  /** Chinese negations that also govern the next answer word (不太对, 不想要). */
  scope?: boolean;
  /** "要" / "需要" (want): a yes alone, but "要三份" is what the caller wants, not an answer. */
  want?: boolean;
}

const yes = (weight = 1): Cue => ({ polarity: 1, weight });
const no = (weight = 1): Cue => ({ polarity: -1, weight });
const neutral: Cue = { polarity: 0, weight: 0 };
const negator: Cue = { polarity: 0, weight: 0, negator: true };

const CUES: [string, Cue][] = [
  // English yes
  ...[
    'yes',
    'yeah',
    'yea',
    'yep',
    'yup',
    'ya',
    'yah',
    'yes please',
    'sure',
    'of course',
    'correct',
    'right',
    'thats right',
    'that is right',
    'thats correct',
    'that is correct',
    'absolutely',
    'definitely',
    'certainly',
    'exactly',
    'affirmative',
    'please do',
    'go ahead',
    'sounds good',
    'perfect',
    'alright',
    'all right',
    'i do',
    'it is',
    'yes it is',
    'you bet',
    'indeed',
    'no problem',
    'no worries',
    'why not',
    'great',
    'good',
    'fine',
    'confirm',
    'confirmed',
    'agreed',
  ].map((p): [string, Cue] => [p, yes()]),
  ['ok', yes(0.85)],
  ['okey', yes(0.8)],
  ['okie', yes(0.8)],
  ['okay', yes(0.85)],
  ['k', yes(0.6)],
  ['uh huh', yes(0.6)],
  ['mhm', yes(0.6)],
  ['mm hmm', yes(0.6)],
  ['i guess', yes(0.5)],
  ['i think so', yes(0.7)],
  // English no
  ...[
    'no',
    'nope',
    'nah',
    'negative',
    'not really',
    'no thanks',
    'no thank you',
    'i dont think so',
    'incorrect',
    'wrong',
    'thats wrong',
    'that is wrong',
    'thats not right',
    'not at all',
    'never',
    'no way',
    'i dont',
    'i do not',
    'dont',
    'do not',
    'it isnt',
    'it is not',
    'not now',
    'no it isnt',
    'no its not',
    'not that',
    'bad',
  ].map((p): [string, Cue] => [p, no()]),
  ['im good', no(0.7)],
  ['i am good', no(0.7)],
  ['im fine', no(0.7)],
  ['im ok', no(0.7)],
  ['im okay', no(0.7)],
  ['im all set', no(0.7)],
  ['rather not', no()],
  ['not sure', neutral],
  ['im not sure', neutral],
  ['i dont know', neutral],
  ['maybe', neutral],
  ['perhaps', neutral],
  ['not', negator],
  ['isnt', negator],
  ['its not', negator],
  ['thats not', negator],
  ['not so', negator],
  // Chinese yes
  ...[
    '是',
    '是的',
    '是啊',
    '对',
    '对的',
    '对啊',
    '对对',
    '对对对',
    '好',
    '好的',
    '好啊',
    '好吧',
    '好嘞',
    '可以',
    '可以的',
    '行',
    '行啊',
    '没问题',
    '没错',
    '正确',
    '确认',
    '确定',
    '当然',
    '当然了',
    '要的',
    '成',
    '同意',
    '没毛病',
    '就这样',
    '是这样',
  ].map((p): [string, Cue] => [p, yes()]),
  ['要', { ...yes(), want: true }],
  ['需要', { ...yes(), want: true }],
  ['嗯', yes(0.6)],
  ['嗯嗯', yes(0.7)],
  ['恩', yes(0.6)],
  ['不错', yes(0.6)],
  ['差不多', yes(0.5)],
  // Chinese no
  ...[
    '不',
    '不是',
    '不要',
    '不用',
    '不用了',
    '不对',
    '算了',
    '不行',
    '不可以',
    '不好',
    '不需要',
    '不了',
    '没有',
    '没',
    '别',
    '错了',
    '不正确',
    '不确认',
    '不同意',
    '不想',
    '不必',
    '不是的',
    '不对的',
  ].map((p): [string, Cue] => [p, no()]),
  ...['不', '没', '别', '不想', '不太', '不大', '不怎么', '不是很', '并不', '不再'].map(
    (p): [string, Cue] => [p, { ...no(), scope: true }],
  ),
  // Chinese words that contain yes/no characters but answer nothing
  ...[
    '对不起',
    '你好',
    '您好',
    '不好意思',
    '是不是',
    '对不对',
    '好不好',
    '行不行',
    '可不可以',
    '要不要',
    '是吗',
    '对吗',
    '好吗',
    '可以吗',
    '行吗',
    '什么',
    '不知道',
    '不清楚',
    '不确定',
    '说不好',
    '不一定',
    '还不知道',
    '不客气',
    '不过',
    '不然',
    '不如',
    '不但',
    '不仅',
    '不论',
    '不久',
    '没关系',
    '不管',
  ].map((p): [string, Cue] => [p, neutral]),
];

const LEXICON = new Lexicon<Cue>(CUES);
/** A Chinese or written number right after "要": "要三份", "要2个". */
const QUANTITY_START = /^(\d|[一二两三四五六七八九十几半])/;
const HAN_VOCABULARY = new PinyinVocabulary(CUES.map(([p]) => p));

/** "yesss" -> "yes", "noo" -> "no", "okk" -> "ok": drawn-out words typed by some recognisers. */
function squeeze(t: string): string {
  return /^[a-z]+$/.test(t) ? t.replace(/(.)\1+$/, '$1') : t;
}

export interface YesNoParse {
  value: boolean;
  confidence: number;
}

/** Reads a yes or a no from normalised tokens; undefined when the words answer neither. */
export function parseYesNo(heard: readonly string[]): YesNoParse | undefined {
  if (heard.length === 0) return undefined;
  const respelled = HAN_VOCABULARY.respell(heard);
  const tokens = respelled.tokens.map((t) => {
    const short = squeeze(t);
    return short !== t && !LEXICON.matchAt([t], 0) && LEXICON.matchAt([short], 0) ? short : t;
  });
  const matches = LEXICON.scan(tokens);
  const votes: { polarity: 1 | -1; weight: number }[] = [];
  let covered = 0;
  let flip = false;
  let sawNeutral = false;
  for (let k = 0; k < matches.length; k++) {
    const m = matches[k]!;
    covered += m.end - m.start;
    const cue = m.value;
    if (cue.negator) {
      flip = true;
      continue;
    }
    if (cue.polarity === 0) {
      sawNeutral = true;
      flip = false;
      continue;
    }
    if (flip) {
      // "not correct" -> no; "not bad" / "not wrong" -> a weak yes.
      votes.push(cue.polarity === 1 ? { polarity: -1, weight: 0.9 } : { polarity: 1, weight: 0.6 });
      flip = false;
      continue;
    }
    if (cue.want && QUANTITY_START.test(tokens[m.end] ?? '')) continue;
    const next = matches[k + 1];
    if (cue.scope && next && next.start - m.end <= 1 && next.value.polarity === 1) {
      // 不太对, 不想要, 没问题 is its own entry: a Chinese negation governs the next answer word.
      votes.push({ polarity: -1, weight: 0.9 });
      covered += next.end - next.start;
      k++;
      continue;
    }
    votes.push({ polarity: cue.polarity, weight: cue.weight });
  }
  // "I'd rather not", "I think not": a negation with nothing after it is a weak no.
  if (flip) votes.push({ polarity: -1, weight: 0.7 });
  if (votes.length === 0) return undefined;
  // The last clear answer wins: "好的不用了", "yes, no, wait, no" — a change of mind.
  const last = votes[votes.length - 1]!;
  const mixed = votes.some((v) => v.polarity !== last.polarity);
  const coverage = covered / tokens.length;
  let confidence = last.weight * (0.6 + 0.4 * coverage);
  if (mixed) confidence *= 0.8;
  if (sawNeutral) confidence *= 0.7;
  if (respelled.changed > 0) confidence *= 0.9;
  // A repeated answer is surer: "不不不", "yes yes".
  const agreeing = votes.filter((v) => v.polarity === last.polarity).length;
  if (agreeing > 1 && !mixed) confidence = Math.min(1, confidence + 0.05 * (agreeing - 1));
  return { value: last.polarity === 1, confidence: round(confidence) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
