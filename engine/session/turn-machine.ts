/**
 * Turn-taking: who holds the floor, the bot or the caller. Zero I/O: every effect is a named
 * action the session provides with `.provide()`, every timer a named delay (SimulatedClock in
 * tests). The session feeds it what happened (VAD edges already echo-gated, recognised text,
 * keys, prompts queued and played) and performs what it asks (clear playback and abort
 * synthesis, tell the dialog, flush the recognizer, say the noise re-prompt).
 *
 *   listening.idle --vad.start--> userSpeaking --vad.end--> endpointing --silence--> awaitingFinal
 *   any listening state --asr.text(words)--> thinking (deliverWords)
 *   bot.say --> speaking: gate -> locked (never) | lockedFor (afterMs) | open
 *     open --vad.start--> candidate --minSpeech--> suspect --backchannel window--> bargedIn
 *     candidate/suspect --vad.end--> open (too short) / awaitingWords (a final decides)
 *     words (not a backchannel) while open/candidate/suspect/awaitingWords --> barge-in with them
 *   bargedIn: clear + abort + prompt.done interrupted; no words by the end of the turn --> noise re-prompt
 */
import { assign, setup } from 'xstate';
import type { BargeInMode } from '../../dialogs/contract.ts';
import { isBackchannel } from './backchannels.ts';

export interface TurnTimings {
  /** VAD speech needed before a barge-in is considered at all (shorter is a click or a cough). */
  minSpeechMs: number;
  /** Speech shorter than this is held until its words show it is not a backchannel. */
  backchannelMaxMs: number;
  /** Silence after speech that ends the caller's turn (a listen command may override it). */
  endpointSilenceMs: number;
  /** How long to wait for the recognizer's final after a flush. */
  finalWaitMs: number;
  /** Longest call; then the session says goodbye and hangs up. */
  maxCallMs: number;
}

export const DEFAULT_TURN_TIMINGS: TurnTimings = {
  minSpeechMs: 300,
  backchannelMaxMs: 700,
  endpointSilenceMs: 700,
  finalWaitMs: 800,
  maxCallMs: 15 * 60_000,
};

export interface QueuedPrompt {
  promptId: string;
  bargeIn: BargeInMode;
}

export interface TurnContext {
  timings: TurnTimings;
  endpointSilenceMs: number;
  /** Prompts queued on the leg, the one playing first. */
  prompts: QueuedPrompt[];
}

export type TurnEvent =
  | { type: 'bot.say'; promptId: string; bargeIn: BargeInMode }
  | { type: 'bot.played'; promptId: string }
  | { type: 'bot.stop' }
  | { type: 'listen'; endpointSilenceMs?: number }
  | { type: 'vad.start' }
  | { type: 'vad.end' }
  | { type: 'asr.text'; text: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'call.hangup' };

const headMode = (context: TurnContext): BargeInMode => context.prompts[0]?.bargeIn ?? 'always';
const hasWords = (text: string): boolean => text.trim() !== '';
const wordsIn = (event: TurnEvent): string => (event.type === 'asr.text' ? event.text : '');

export const turnMachine = setup({
  types: {
    context: {} as TurnContext,
    events: {} as TurnEvent,
    input: {} as { timings?: Partial<TurnTimings> },
  },
  actions: {
    /** leg.clear() and abort the synthesis in flight. */
    clearPlayback: () => {},
    /** prompt.done interrupted:true for every queued prompt. */
    reportInterrupted: (_, _params: { prompts: QueuedPrompt[] }) => {},
    /** prompt.done interrupted:false. */
    reportPlayed: (_, _params: { promptId: string }) => {},
    /** NLU with the current expectation, then user.said. */
    deliverWords: (_, _params: { text: string }) => {},
    deliverDtmf: (_, _params: { digit: string }) => {},
    /** user.speech_start to the dialog. */
    reportSpeechStart: () => {},
    /** Words the policy kept from the dialog (a backchannel, speech over a `never` prompt). */
    ignoreWords: (_, _params: { text: string; why: 'backchannel' | 'not-interruptible' }) => {},
    /** A VAD start that did not become a barge-in. */
    falseTrigger: (_, _params: { why: 'too-short' | 'backchannel' | 'no-words' }) => {},
    /** Counts a confirmed barge-in. */
    bargedIn: (_, _params: { by: 'speech' | 'words' | 'dtmf' }) => {},
    flushAsr: () => {},
    /** The barge-in was noise: "sorry, go on". */
    noiseReprompt: () => {},
    maxDuration: () => {},
    enqueue: assign({
      prompts: ({ context, event }) =>
        event.type === 'bot.say'
          ? [...context.prompts, { promptId: event.promptId, bargeIn: event.bargeIn }]
          : context.prompts,
    }),
    dequeue: assign({ prompts: ({ context }) => context.prompts.slice(1) }),
    clearQueue: assign({ prompts: () => [] }),
  },
  guards: {
    neverInterruptible: ({ context }) => headMode(context) === 'never',
    lockedForAWhile: ({ context }) => {
      const mode = headMode(context);
      return typeof mode === 'object' && mode.afterMs > 0;
    },
    interruptible: ({ context }) => headMode(context) !== 'never',
    lastPrompt: ({ context, event }) =>
      event.type === 'bot.played' &&
      context.prompts.length <= 1 &&
      context.prompts[0]?.promptId === event.promptId,
    hasWords: ({ event }) => hasWords(wordsIn(event)),
    isBackchannel: ({ event }) => isBackchannel(wordsIn(event)),
    /** Words that are not a backchannel. */
    realWords: ({ event }) => hasWords(wordsIn(event)) && !isBackchannel(wordsIn(event)),
  },
  delays: {
    maxCall: ({ context }) => context.timings.maxCallMs,
    endpointSilence: ({ context }) => context.endpointSilenceMs,
    finalWait: ({ context }) => context.timings.finalWaitMs,
    minSpeech: ({ context }) => context.timings.minSpeechMs,
    backchannelWindow: ({ context }) =>
      Math.max(0, context.timings.backchannelMaxMs - context.timings.minSpeechMs),
    bargeInLock: ({ context }) => {
      const mode = headMode(context);
      return typeof mode === 'object' ? mode.afterMs : 0;
    },
  },
}).createMachine({
  id: 'turn',
  context: ({ input }) => {
    const timings = { ...DEFAULT_TURN_TIMINGS, ...input.timings };
    return { timings, endpointSilenceMs: timings.endpointSilenceMs, prompts: [] };
  },
  initial: 'listening',
  on: {
    'call.hangup': { target: '.ended' },
    listen: {
      actions: assign({
        endpointSilenceMs: ({ context, event }) =>
          event.endpointSilenceMs ?? context.timings.endpointSilenceMs,
      }),
    },
  },
  after: { maxCall: { target: '.ending', actions: 'maxDuration' } },
  states: {
    listening: {
      initial: 'idle',
      on: {
        'bot.say': { target: 'speaking', actions: 'enqueue' },
        'asr.text': {
          guard: 'hasWords',
          target: '.thinking',
          actions: { type: 'deliverWords', params: ({ event }) => ({ text: wordsIn(event) }) },
        },
        dtmf: {
          target: '.thinking',
          actions: {
            type: 'deliverDtmf',
            params: ({ event }) => ({ digit: event.type === 'dtmf' ? event.digit : '' }),
          },
        },
      },
      states: {
        idle: { on: { 'vad.start': { target: 'userSpeaking', actions: 'reportSpeechStart' } } },
        thinking: { on: { 'vad.start': { target: 'userSpeaking', actions: 'reportSpeechStart' } } },
        userSpeaking: { on: { 'vad.end': 'endpointing' } },
        endpointing: {
          on: { 'vad.start': 'userSpeaking' },
          after: { endpointSilence: { target: 'awaitingFinal', actions: 'flushAsr' } },
        },
        awaitingFinal: {
          on: { 'vad.start': { target: 'userSpeaking' } },
          after: { finalWait: 'idle' },
        },
      },
    },
    speaking: {
      initial: 'gate',
      on: {
        'bot.say': { actions: 'enqueue' },
        'bot.played': [
          {
            guard: 'lastPrompt',
            target: 'listening',
            actions: [
              {
                type: 'reportPlayed',
                params: ({ event }) => ({ promptId: event.type === 'bot.played' ? event.promptId : '' }),
              },
              'dequeue',
            ],
          },
          {
            actions: [
              {
                type: 'reportPlayed',
                params: ({ event }) => ({ promptId: event.type === 'bot.played' ? event.promptId : '' }),
              },
              'dequeue',
            ],
            target: '.gate',
          },
        ],
        'bot.stop': {
          target: 'listening',
          actions: [
            'clearPlayback',
            { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
            'clearQueue',
          ],
        },
        dtmf: [
          {
            guard: 'interruptible',
            target: 'listening.thinking',
            actions: [
              'clearPlayback',
              { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
              'clearQueue',
              { type: 'bargedIn', params: { by: 'dtmf' } },
              {
                type: 'deliverDtmf',
                params: ({ event }) => ({ digit: event.type === 'dtmf' ? event.digit : '' }),
              },
            ],
          },
          {
            actions: {
              type: 'deliverDtmf',
              params: ({ event }) => ({ digit: event.type === 'dtmf' ? event.digit : '' }),
            },
          },
        ],
        'asr.text': [
          {
            guard: 'isBackchannel',
            actions: {
              type: 'ignoreWords',
              params: ({ event }) => ({ text: wordsIn(event), why: 'backchannel' as const }),
            },
          },
          {
            guard: 'neverInterruptible',
            actions: {
              type: 'ignoreWords',
              params: ({ event }) => ({ text: wordsIn(event), why: 'not-interruptible' as const }),
            },
          },
        ],
      },
      states: {
        gate: {
          always: [
            { guard: 'neverInterruptible', target: 'locked' },
            { guard: 'lockedForAWhile', target: 'lockedFor' },
            { target: 'open' },
          ],
        },
        locked: {},
        lockedFor: {
          after: { bargeInLock: 'open' },
          on: {
            'asr.text': {
              guard: 'hasWords',
              actions: {
                type: 'ignoreWords',
                params: ({ event }) => ({ text: wordsIn(event), why: 'not-interruptible' as const }),
              },
            },
          },
        },
        open: {
          on: {
            'vad.start': 'candidate',
            'asr.text': {
              guard: 'realWords',
              target: '#turn.listening.thinking',
              actions: [
                'clearPlayback',
                { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
                'clearQueue',
                { type: 'bargedIn', params: { by: 'words' } },
                { type: 'deliverWords', params: ({ event }) => ({ text: wordsIn(event) }) },
              ],
            },
          },
        },
        candidate: {
          on: {
            'vad.end': { target: 'open', actions: { type: 'falseTrigger', params: { why: 'too-short' } } },
            'asr.text': {
              guard: 'realWords',
              target: '#turn.listening.thinking',
              actions: [
                'clearPlayback',
                { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
                'clearQueue',
                { type: 'bargedIn', params: { by: 'words' } },
                { type: 'deliverWords', params: ({ event }) => ({ text: wordsIn(event) }) },
              ],
            },
          },
          after: { minSpeech: 'suspect' },
        },
        suspect: {
          on: {
            'vad.end': 'awaitingWords',
            'asr.text': {
              guard: 'realWords',
              target: '#turn.listening.thinking',
              actions: [
                'clearPlayback',
                { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
                'clearQueue',
                { type: 'bargedIn', params: { by: 'words' } },
                { type: 'deliverWords', params: ({ event }) => ({ text: wordsIn(event) }) },
              ],
            },
          },
          after: {
            backchannelWindow: {
              target: '#turn.bargedIn',
              actions: [
                'clearPlayback',
                { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
                'clearQueue',
                { type: 'bargedIn', params: { by: 'speech' } },
              ],
            },
          },
        },
        awaitingWords: {
          entry: 'flushAsr',
          on: {
            'vad.start': 'candidate',
            'asr.text': [
              {
                guard: 'realWords',
                target: '#turn.listening.thinking',
                actions: [
                  'clearPlayback',
                  { type: 'reportInterrupted', params: ({ context }) => ({ prompts: context.prompts }) },
                  'clearQueue',
                  { type: 'bargedIn', params: { by: 'words' } },
                  { type: 'deliverWords', params: ({ event }) => ({ text: wordsIn(event) }) },
                ],
              },
              {
                guard: 'isBackchannel',
                target: 'open',
                actions: [
                  {
                    type: 'ignoreWords',
                    params: ({ event }) => ({ text: wordsIn(event), why: 'backchannel' as const }),
                  },
                  { type: 'falseTrigger', params: { why: 'backchannel' } },
                ],
              },
              { target: 'open', actions: { type: 'falseTrigger', params: { why: 'no-words' } } },
            ],
          },
          after: {
            finalWait: { target: 'open', actions: { type: 'falseTrigger', params: { why: 'no-words' } } },
          },
        },
      },
    },
    bargedIn: {
      entry: 'reportSpeechStart',
      initial: 'talking',
      on: {
        'bot.say': { target: 'speaking', actions: 'enqueue' },
        'asr.text': [
          { guard: 'isBackchannel', target: 'listening', actions: ['noiseReprompt'] },
          {
            guard: 'hasWords',
            target: 'listening.thinking',
            actions: { type: 'deliverWords', params: ({ event }) => ({ text: wordsIn(event) }) },
          },
        ],
        dtmf: {
          target: 'listening.thinking',
          actions: {
            type: 'deliverDtmf',
            params: ({ event }) => ({ digit: event.type === 'dtmf' ? event.digit : '' }),
          },
        },
      },
      states: {
        talking: { on: { 'vad.end': 'endpointing' } },
        endpointing: {
          on: { 'vad.start': 'talking' },
          after: { endpointSilence: { target: 'flushed', actions: 'flushAsr' } },
        },
        flushed: {
          on: { 'vad.start': 'talking' },
          after: { finalWait: { target: '#turn.listening', actions: 'noiseReprompt' } },
        },
      },
    },
    ending: {
      on: {
        'bot.say': { actions: 'enqueue' },
        'bot.played': {
          actions: [
            {
              type: 'reportPlayed',
              params: ({ event }) => ({ promptId: event.type === 'bot.played' ? event.promptId : '' }),
            },
            'dequeue',
          ],
        },
        dtmf: {},
        'asr.text': {},
      },
    },
    ended: { type: 'final' },
  },
});
