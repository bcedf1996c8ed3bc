/**
 * The turn machine's shared pieces (turn-machine.ts): what an event carries, and the transitions
 * and action lists used in several of its states (a barge-in by words or by speech, delivering
 * the caller's words, deferring, playing and dropping prompts). Plain data: the named actions,
 * guards and delays they refer to are declared in turn-machine.ts.
 */
import type { BargeInMode } from '../../dialogs/contract.ts';
import type { TurnContext, TurnEvent } from './turn-types.ts';

export const headMode = (context: TurnContext): BargeInMode => context.prompts[0]?.bargeIn ?? 'always';
export const hasWords = (text: string): boolean => text.trim() !== '';
export const wordsIn = (event: TurnEvent): string => (event.type === 'asr.text' ? event.text : '');
export const digitIn = (event: TurnEvent): string => (event.type === 'dtmf' ? event.digit : '');
export const joinWords = (a: string, b: string): string => [a.trim(), b.trim()].filter(Boolean).join(' ');
export const playedIn = (event: TurnEvent): string => (event.type === 'bot.played' ? event.promptId : '');

// Action lists used in several states.
export const interrupted = {
  type: 'reportInterrupted',
  params: ({ context }: { context: TurnContext }) => ({ prompts: context.prompts }),
} as const;
/** The words kept so far in the caller's turn and those of this final, to the dialog. */
export const deliver = [
  {
    type: 'deliverWords',
    params: ({ context, event }: { context: TurnContext; event: TurnEvent }) => ({
      text: joinWords(context.keptWords, wordsIn(event)),
    }),
  },
  'forgetWords',
] as const;
export const deliverKey = {
  type: 'deliverDtmf',
  params: ({ event }: { event: TurnEvent }) => ({ digit: digitIn(event) }),
} as const;
/** Puts the prompt of a bot.say on the line. */
/** The caller's turn is over with words kept from it: they go to the dialog. */
export const deliverKept = {
  guard: 'wordsKept',
  target: '#turn.listening.thinking',
  actions: [
    {
      type: 'deliverWords',
      params: ({ context }: { context: TurnContext }) => ({ text: context.keptWords }),
    },
    'forgetWords',
  ],
} as const;
export const playSaid = {
  type: 'playPrompts',
  params: ({ event }: { event: TurnEvent }) => ({
    prompts: event.type === 'bot.say' ? [{ promptId: event.promptId, bargeIn: event.bargeIn }] : [],
  }),
} as const;
/** The deferred prompts go on the line (into the queue) in the order they were asked. */
export const playDeferred = [
  { type: 'playPrompts', params: ({ context }: { context: TurnContext }) => ({ prompts: context.deferred }) },
  'releaseDeferred',
] as const;
export const dropDeferred = (why: 'superseded' | 'stopped' | 'time-up') =>
  [
    {
      type: 'dropPrompts',
      params: ({ context }: { context: TurnContext }) => ({ prompts: context.deferred, why }),
    },
    'forgetDeferred',
  ] as const;
/** The caller's turn is over and nothing answered them: the deferred prompts play. */
export const releaseDeferred = {
  guard: 'promptsDeferred',
  target: '#turn.speaking',
  actions: playDeferred,
} as const;
/** The caller holds the floor: a prompt waits, unless it must be heard (bargeIn never). */
export const deferWhileCallerTalks = [
  {
    guard: 'mandatory',
    target: '#turn.speaking',
    actions: [...playDeferred, 'forgetWords', 'enqueue', playSaid],
  },
  { actions: 'defer' },
] as const;
export const played = {
  type: 'reportPlayed',
  params: ({ event }: { event: TurnEvent }) => ({ promptId: playedIn(event) }),
} as const;
/**
 * Barge-in confirmed by words: the prompt is cut and the words go to the dialog, before it hears
 * that the prompt was cut. It answers them in the node that was speaking; told of the cut first,
 * it would move on from the prompt and ask the next node's question, which would then play
 * before its answer (0 or "agent" during the greeting: the item question, then "Connecting you").
 */
export const byWords = [
  'clearPlayback',
  { type: 'bargedIn', params: { by: 'words' } },
  ...deliver,
  interrupted,
  'clearQueue',
] as const;
/** A key over an interruptible prompt: cut, the key delivered, then the cut reported (as byWords). */
export const byKey = [
  'clearPlayback',
  { type: 'bargedIn', params: { by: 'dtmf' } },
  deliverKey,
  interrupted,
  'clearQueue',
] as const;
/** Barge-in confirmed by the length of the speech: the prompt is cut, the words follow. */
export const bySpeech = {
  target: '#turn.bargedIn',
  actions: ['clearPlayback', interrupted, 'clearQueue', { type: 'bargedIn', params: { by: 'speech' } }],
} as const;
export const confirmByWords = {
  guard: 'realWords',
  target: '#turn.listening.thinking',
  actions: byWords,
} as const;
export const ignoreBackchannel = {
  type: 'ignoreWords',
  params: ({ event }: { event: TurnEvent }) => ({ text: wordsIn(event), why: 'backchannel' as const }),
} as const;
/** The caller's short speech is over and its final came: real words barge in, else resume. */
export const decideHeld = [
  confirmByWords,
  {
    guard: 'isBackchannel',
    target: '#turn.speaking.resuming',
    actions: ['noteBackchannel', ignoreBackchannel],
  },
  { target: '#turn.speaking.resuming' },
] as const;

export function resumeWhy({ context }: { context: TurnContext }) {
  return { why: context.heldWords ? ('backchannel' as const) : ('no-words' as const), resumed: true };
}
