/**
 * Global intents, honoured in every dialog state: repeat, slower, human, goodbye, cancel, back,
 * help. Phrases are matched anywhere in the utterance, except short ambiguous ones ("what?",
 * "什么", "stop") that count only when they are (nearly) all the caller said. Weak phrases
 * ("没有了", "算了") also answer the question asked, so the NLU drops them when the expected
 * slot was filled.
 */

import { Lexicon } from './lexicon.ts';
import { isHan } from './normalize.ts';
import { similarity, stemEn } from './phonetic.ts';
import { PinyinVocabulary } from './pinyin.ts';
import type { GlobalIntent } from './types.ts';

interface IntentCue {
  /** `none` marks words that contain an intent phrase but mean something else (人工智能). */
  intent: GlobalIntent | 'none';
  /** Only when the utterance is this phrase plus politeness/fillers. */
  whole?: boolean;
  /** Also a plain answer ("没有了" = no more items): yields to a filled slot. */
  weak?: boolean;
}

const P = (intent: GlobalIntent | 'none', phrases: string[], flags: Omit<IntentCue, 'intent'> = {}) =>
  phrases.map((p): [string, IntentCue] => [p, { intent, ...flags }]);

const CUES: [string, IntentCue][] = [
  ...P('repeat', [
    'repeat',
    'repeat that',
    'repeat please',
    'say that again',
    'say it again',
    'say again',
    'pardon',
    'pardon me',
    'come again',
    'one more time',
    'i didnt catch that',
    'i didnt get that',
    'i didnt hear',
    'i didnt hear you',
    'i cant hear you',
    'what did you say',
    'could you repeat',
    'can you repeat',
    '再说一遍',
    '再说一次',
    '再讲一遍',
    '再讲一次',
    '再说一下',
    '重复',
    '重复一遍',
    '重复一下',
    '没听清',
    '没听清楚',
    '听不清',
    '听不清楚',
    '没听见',
    '没听到',
    '你说什么',
    '你说啥',
    '再来一遍',
  ]),
  ...P('repeat', ['what', 'sorry', 'huh', 'eh', 'again', '什么', '啥', '啊'], { whole: true }),
  ...P('slower', [
    'slower',
    'too fast',
    'slow down',
    'speak slowly',
    'speak slower',
    'talk slower',
    'more slowly',
    'not so fast',
    '慢一点',
    '慢一些',
    '慢点',
    '说慢点',
    '说慢一点',
    '讲慢点',
    '讲慢一点',
    '太快了',
    '说得太快',
    '说太快',
    '慢慢说',
  ]),
  ...P('human', [
    'agent',
    'an agent',
    'operator',
    'human',
    'a human',
    'representative',
    'real person',
    'a person',
    'live person',
    'customer service',
    'customer support',
    'talk to someone',
    'speak to someone',
    'speak with someone',
    '转人工',
    '人工',
    '人工服务',
    '人工客服',
    '客服',
    '找人工',
    '真人',
    '接线员',
    '转接',
  ]),
  ...P('goodbye', [
    'bye',
    'goodbye',
    'good bye',
    'bye bye',
    'hang up',
    'see you',
    '再见',
    '拜拜',
    '挂了',
    '挂电话',
  ]),
  // "That's all" ends a list as much as a call: after "Anything else?" the dialog reads it as no.
  ...P(
    'goodbye',
    [
      '没有了',
      '没了',
      '没别的了',
      '就这些',
      '就这些了',
      '就这么多',
      '就这样',
      '就这样吧',
      '就要这些',
      '没有别的了',
      '别的不要了',
      '够了',
      'no more',
      'thats everything',
      'that is everything',
      'thats all',
      'that is all',
      'thats it',
      'that is it',
      'nothing else',
      'nothing more',
      'im done',
      'i am done',
      'thatll be all',
      'that will be all',
    ],
    { weak: true },
  ),
  ...P('cancel', [
    'cancel',
    'cancel that',
    'cancel it',
    'forget it',
    'never mind',
    'nevermind',
    '取消',
    '不买了',
  ]),
  ...P('cancel', ['stop', 'quit', '算了', '不要了'], { whole: true, weak: true }),
  ...P('back', ['back', 'previous'], { whole: true }),
  ...P('back', [
    'go back',
    'start over',
    'previous question',
    '返回',
    '上一步',
    '回到上一步',
    '退回',
    '重新开始',
  ]),
  ...P('none', [
    '人工智能',
    '人工费',
    '客服电话',
    'human resources',
    'call me back',
    'back door',
    'back yard',
  ]),
  ...P('help', [
    'help',
    'help me',
    'what can i say',
    'what are my options',
    'options',
    'i need help',
    '帮助',
    '帮帮我',
    '怎么用',
    '我该说什么',
    '有哪些选项',
    '有什么选项',
  ]),
];

const LEXICON = new Lexicon<IntentCue>(CUES);
const HAN_VOCABULARY = new PinyinVocabulary(CUES.map(([p]) => p));
/** Single English keywords that survive a misspelling ("opperator", "goodby", "slow her"). */
const KEYWORDS = CUES.map(([p]) => p).filter((p) => /^[a-z]{5,}$/.test(p));

function fixEnglish(tokens: readonly string[]): { tokens: string[]; changed: number } {
  const out: string[] = [];
  let changed = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isHan(t) || KEYWORDS.includes(t)) {
      out.push(t);
      continue;
    }
    const pair = i + 1 < tokens.length && !isHan(tokens[i + 1]!) ? t + tokens[i + 1] : undefined;
    const near = (w: string, min: number) => KEYWORDS.find((k) => similarity(w, k) >= min);
    const byPair = pair !== undefined && pair.length >= 5 ? near(pair, 0.85) : undefined;
    if (byPair) {
      out.push(byPair);
      changed++;
      i++;
      continue;
    }
    const stem = stemEn(t);
    const byWord = KEYWORDS.includes(stem) ? stem : t.length >= 5 ? near(t, 0.8) : undefined;
    if (byWord && byWord !== t) changed++;
    out.push(byWord ?? t);
  }
  return { tokens: out, changed };
}

/** Words that do not count against a `whole` phrase ("sorry, what?", "啊, 什么?"). */
const POLITE = new Lexicon<true>(
  [
    'please',
    'sorry',
    'excuse me',
    'um',
    'uh',
    'er',
    'oh',
    'i',
    'can',
    'you',
    'could',
    'me',
    'a',
    'the',
    'to',
    'with',
    'an',
    'want',
    'wanna',
    'like',
    'id',
    'would',
    'just',
    'now',
    'hi',
    'hello',
    'ok',
    'okay',
    'thanks',
    'thank you',
    'talk',
    'speak',
    '请',
    '麻烦',
    '你',
    '我',
    '要',
    '想',
    '帮我',
    '给我',
    '一下',
    '吧',
    '了',
    '吗',
    '呢',
    '啊',
    '呀',
    '嗯',
    '那',
    '喂',
    '好',
    '谢谢',
    '您',
    '能',
    '可以',
  ].map((p): [string, true] => [p, true]),
);

export interface IntentParse {
  intent: GlobalIntent;
  confidence: number;
  weak: boolean;
}

/** The global intent in the tokens, best first; empty when there is none. */
export function parseIntents(heard: readonly string[]): IntentParse[] {
  if (heard.length === 0) return [];
  const en = fixEnglish(heard);
  const zh = HAN_VOCABULARY.respell(en.tokens);
  const tokens = zh.tokens;
  const guessed = en.changed + zh.changed > 0;
  const found = new Map<GlobalIntent, IntentParse>();
  const matches = LEXICON.scan(tokens);
  let intentTokens = 0;
  for (const m of matches) intentTokens += m.end - m.start;
  const fillerTokens = countPolite(tokens, matches);
  const rest = tokens.length - intentTokens - fillerTokens;
  for (const m of matches) {
    const cue = m.value;
    const intent = cue.intent;
    if (intent === 'none') continue;
    const len = m.end - m.start;
    if (cue.whole && rest > 0) continue;
    // Share of the utterance the phrase covers, fillers discounted.
    const coverage = Math.min(1, (len + fillerTokens) / tokens.length);
    let confidence = 0.6 + 0.35 * coverage;
    if (cue.weak) confidence -= 0.15;
    if (guessed) confidence -= 0.1;
    const prev = found.get(intent);
    if (!prev || prev.confidence < confidence) {
      found.set(intent, { intent, confidence: round(confidence), weak: cue.weak === true });
    }
  }
  return [...found.values()].sort((a, b) => b.confidence - a.confidence);
}

function countPolite(tokens: readonly string[], taken: readonly { start: number; end: number }[]): number {
  const used = new Uint8Array(tokens.length);
  for (const m of taken) used.fill(1, m.start, m.end);
  let n = 0;
  let i = 0;
  while (i < tokens.length) {
    if (used[i]) {
      i++;
      continue;
    }
    const m = POLITE.matchAt(tokens, i);
    if (m && !used.subarray(m.start, m.end).some((x) => x === 1)) {
      n += m.end - m.start;
      i = m.end;
    } else {
      i++;
    }
  }
  return n;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
