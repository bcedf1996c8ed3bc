/**
 * English phrases for speech grammars, chosen from what the deterministic NLU understands: the
 * global intents every question must accept, yes/no answers and number words. A grammar-first
 * recognizer can only return what its grammar allows, so a question whose grammar lacks "agent"
 * turns "agent" into its closest answer; every grammar a dialog sends should include
 * `intentRules()`. grammar-phrases.test.ts checks each phrase parses to its meaning.
 */
import type { PhraseRules } from '../../asr-tts/phrase-rules.ts';
import { renderEnglish } from './render-number.ts';
import type { GlobalIntent } from './types.ts';

/** Global intents by voice (en-US), in the words callers use. */
export const INTENT_PHRASES: Record<Exclude<GlobalIntent, 'none'>, string[]> = {
  human: [
    'agent',
    'an agent',
    'operator',
    'the operator',
    'human',
    'a human',
    'a person',
    'a real person',
    'real person',
    'representative',
    'a representative',
    'customer service',
  ],
  repeat: ['repeat', 'repeat that', 'repeat please', 'say that again', 'say again', 'pardon', 'come again'],
  slower: ['slower', 'slower please', 'slow down', 'too fast', 'speak slower'],
  goodbye: ['goodbye', 'bye', 'bye bye'],
  cancel: ['cancel', 'cancel that', 'never mind'],
  back: ['go back', 'start over'],
  help: ['help', 'help me', 'what can i say'],
};

/** Openers before asking for a person: "I want to talk to a person", "can I speak to an agent". */
const HUMAN_LEADS = [
  'talk to',
  'speak to',
  'speak with',
  'i want to talk to',
  'i want to speak to',
  "i'd like to talk to",
  "i'd like to speak to",
  'can i talk to',
  'can i speak to',
  'let me talk to',
];

/** Yes and no as callers say them (the NLU's yes/no parser reads every one). */
export const YES_PHRASES = [
  'yes',
  'yes please',
  'yeah',
  'yep',
  'sure',
  'correct',
  "that's right",
  'right',
  'okay',
  'yes it is',
];
export const NO_PHRASES = ['no', 'nope', 'no thanks', 'no thank you', "that's wrong", 'wrong', 'not right'];

/**
 * The words a yes or a no starts with, what callers add after them ("yes it is", "no that's
 * wrong", "no it is not"), and the answers said without the word ("that's correct", "it isn't").
 * Rules `yes` and `no` (`yesNoRules()`); grammar-phrases.test.ts reads every sentence with the NLU.
 */
const YES_WORDS = [
  'yes',
  'yeah',
  'yep',
  'yup',
  'sure',
  'okay',
  'ok',
  'right',
  'correct',
  'exactly',
  'absolutely',
  'of course',
  'all right',
  'alright',
  'perfect',
  'fine',
  'certainly',
];
const YES_ALONE = [
  "that's right",
  'that is right',
  "that's correct",
  'that is correct',
  "that's fine",
  'it is',
  'i do',
  'sounds good',
  'go ahead',
  'please do',
];
const YES_TAILS = [...YES_ALONE, 'correct', 'right', 'please', 'thank you', 'thanks'];
const NO_WORDS = ['no', 'nope', 'nah', 'no no', 'not really', 'wrong', 'incorrect'];
const NO_ALONE = [
  "that's wrong",
  'that is wrong',
  "that's not right",
  'that is not right',
  'not right',
  'it is not',
  "it's not",
  "it isn't",
  "that's not it",
];
const NO_TAILS = [...NO_ALONE, 'wrong', 'incorrect', 'not that', 'thanks', 'thank you'];

/** Rules `yes` and `no`: a yes/no word with what follows it, or an answer without one. */
export function yesNoRules(): PhraseRules['rules'] {
  return {
    yes: ['<yes_word> [<yes_tail>]', '<yes_alone> [please]'],
    yes_word: YES_WORDS,
    yes_tail: YES_TAILS,
    yes_alone: YES_ALONE,
    no: ['<no_word> [<no_tail>]', '<no_alone>'],
    no_word: NO_WORDS,
    no_tail: NO_TAILS,
    no_alone: NO_ALONE,
  };
}

/** "nothing else": the end of a list ("Anything else?" -> no). The NLU reads them as goodbye. */
export const DONE_PHRASES = [
  "that's all",
  "that's it",
  'nothing else',
  'no more',
  "that's everything",
  "no that's all",
  "no that's it",
  'no nothing else',
];

/**
 * Rule `done`: the end of a list, with a no before it and thanks after it as callers add them
 * ("no, that's everything", "no thank you that's all", "that's it thanks").
 */
export function doneRules(): PhraseRules['rules'] {
  return {
    done: ['[<no_word>] [thanks] [thank you] <done_core> [<done_end>]'],
    done_core: [
      "that's all",
      'that is all',
      "that's it",
      'that is it',
      "that's everything",
      'that is everything',
      'nothing else',
      'nothing more',
      'no more',
      "i'm done",
      "that'll be all",
      "that's all for now",
      'that will be all',
    ],
    done_end: ['thanks', 'thank you', 'please', 'for now', 'for today'],
  };
}

/**
 * What callers say at an open question that is not an answer: greetings, fillers, "I'd like to
 * order something". A grammar-first recognizer forces speech into its grammar; with these in it,
 * such speech comes back as words the NLU reads as nothing (the question is asked again)
 * instead of as the closest menu item. Rule `chat` (`chatRules()`).
 */
export const CHAT_PHRASES = [
  'hello',
  'hi',
  'um',
  'well',
  'let me see',
  'let me think',
  'hold on',
  'just a moment',
  "i don't know",
  'what do you have',
  "what's on the menu",
  'how much is it',
  'how much is the delivery',
  'do you deliver',
  'is anybody there',
];

/** Rules `chat` (with "i would like to order some food") for phrase rules. */
export function chatRules(): PhraseRules['rules'] {
  return {
    chat: [...CHAT_PHRASES, '<order_lead> to order [<something>] [please]'],
    order_lead: ['i would like', "i'd like", 'i want', 'i would', 'can i', 'i need'],
    something: ['something', 'some food', 'food', 'some groceries', 'groceries'],
  };
}

/** one .. twenty (as the read-back says them). */
export const NUMBER_WORDS = Array.from({ length: 20 }, (_, i) => renderEnglish(i + 1));

/** Rules `intent` (every global intent, "talk to a person" forms included) for phrase rules. */
export function intentRules(): PhraseRules['rules'] {
  const { human, ...others } = INTENT_PHRASES;
  return {
    intent: [
      '[<human_lead>] <human> [please]',
      '<human_lead> someone [please]',
      ...Object.values(others).flat(),
    ],
    human,
    human_lead: HUMAN_LEADS,
  };
}

/** Every flat intent phrase (for hints and for recognizers without phrase rules). */
export function intentPhrases(): string[] {
  return [
    ...Object.values(INTENT_PHRASES).flat(),
    ...INTENT_PHRASES.human.map((h) => `talk to ${h}`),
    'talk to someone',
  ];
}
