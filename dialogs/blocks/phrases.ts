/** The built-in sentences every dialog shares (re-prompts, help, human, goodbye), in both languages. */
import type { Language } from '../../asr-tts/asr.ts';

export interface Phrases {
  noInput: string;
  noMatch: string;
  /** Speech that gave no words (the recognizer heard nothing it could use). */
  unheard: string;
  /** Before the question again after the caller said a read-back was wrong. */
  rejected: string;
  keypadIntro: string;
  /** After the second failure at a question: a person is one word or key away. */
  personOffer: string;
  /** The same where 0 is a digit of the answer (* reaches a person). */
  personOfferStar: string;
  help: string;
  toHuman: string;
  toHumanAfterFailures: string;
  noAgent: string;
  transferFailed: string;
  goodbye: string;
  optedOut: string;
  yesNoKeys: string;
}

const EN: Phrases = {
  noInput: "Sorry, I didn't hear anything.",
  noMatch: "Sorry, I didn't understand.",
  unheard: "Sorry, I didn't catch that.",
  rejected: 'Sorry about that.',
  keypadIntro: 'You can also use the keypad.',
  personOffer: 'Or say "agent", or press 0, to talk to a person.',
  personOfferStar: 'Or say "agent", or press star, to talk to a person.',
  help: 'You can answer in your own words. Say "repeat" to hear it again, "slower" to slow me down, or "agent", or press 0, to talk to a person.',
  toHuman: 'Of course. Connecting you to a person now, please hold.',
  toHumanAfterFailures: "I'm sorry I couldn't help. Connecting you to a person now, please hold.",
  noAgent: "I'm sorry, nobody is free to take your call right now. We will call you back soon. Goodbye.",
  transferFailed: "I'm sorry, I couldn't connect you.",
  goodbye: 'Thank you for calling. Goodbye.',
  optedOut: 'Understood. You will not receive these calls any more. Goodbye.',
  yesNoKeys: 'Press 1 for yes, or 2 for no.',
};

const ZH: Phrases = {
  noInput: '对不起，我没有听到您说话。',
  noMatch: '对不起，我没有听明白。',
  unheard: '对不起，我没有听清楚。',
  rejected: '不好意思。',
  keypadIntro: '您也可以用电话按键。',
  personOffer: '或者说“转人工”，或者按0，找人工服务。',
  personOfferStar: '或者说“转人工”，或者按星号键，找人工服务。',
  help: '您可以直接说出您的回答。说“重复”再听一遍，说“慢一点”我会放慢速度，说“转人工”或者按0，可以找人工服务。',
  toHuman: '好的，现在为您转接人工服务，请稍候。',
  toHumanAfterFailures: '很抱歉没能帮到您，现在为您转接人工服务，请稍候。',
  noAgent: '很抱歉，现在没有空闲的人工客服。我们会尽快给您回电。再见。',
  transferFailed: '很抱歉，转接没有成功。',
  goodbye: '感谢您的来电，再见。',
  optedOut: '好的，以后不会再给您打这类电话了。再见。',
  yesNoKeys: '是请按1，不是请按2。',
};

export function phrases(language: Language): Phrases {
  return language === 'zh-CN' ? ZH : EN;
}
