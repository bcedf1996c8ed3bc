/**
 * Turn-taking: who holds the floor, the bot or the caller. Zero I/O: every effect is a named
 * action the session provides with `.provide()`, every timer a named delay (SimulatedClock in
 * tests). The session feeds it what happened (VAD edges already echo-gated, recognised text,
 * keys, prompts queued and played) and performs what it asks (pause / resume / clear playback,
 * tell the dialog, flush the recognizer at an endpoint, say the noise re-prompt).
 *
 *   listening.idle --vad.start--> userSpeaking --vad.end--> endpointing --silence--> awaitingFinal
 *   any listening state --asr.text(words)--> thinking (deliverWords); words that come while the
 *     VAD still hears the caller are kept and go with the rest
 *     (a pause inside a sentence does not cut it in two)
 *   bot.say --> speaking: gate -> locked (never) | lockedFor (afterMs) | open
 *     open --vad.start--> candidate --minSpeech--> held (the bot paused, its place kept)
 *     held: speech past backchannelMaxMs --> bargedIn; words (not a backchannel) --> barge-in
 *           with them; speech ended + endpoint + final: a backchannel or nothing --> resume
 *   bargedIn: prompt.done interrupted; no words by the end of the turn --> noise re-prompt
 *   the caller holds the floor (talking, endpointing, awaiting the final, barged in): a prompt
 *     the dialog asks for is deferred until their turn ends; words handed to the dialog --> its
 *     answer supersedes the deferred prompts (dropped); no answer by answerWait, or no words
 *     --> they play. A `never` prompt is not deferred (it plays, after those deferred before it).
 */
import { and, assign, not, setup } from 'xstate';
import { isBackchannel } from './backchannels.ts';
import {
  byKey,
  bySpeech,
  confirmByWords,
  decideHeld,
  deferWhileCallerTalks,
  deliver,
  deliverKept,
  deliverKey,
  dropDeferred,
  hasWords,
  headMode,
  ignoreBackchannel,
  interrupted,
  joinWords,
  played,
  playSaid,
  releaseDeferred,
  resumeWhy,
  wordsIn,
} from './turn-steps.ts';
import {
  DEFAULT_TURN_TIMINGS,
  type QueuedPrompt,
  type TurnContext,
  type TurnEvent,
  type TurnTimings,
} from './turn-types.ts';

export * from './turn-types.ts';

export const turnMachine = setup({
  types: {
    context: {} as TurnContext,
    events: {} as TurnEvent,
    input: {} as { timings?: Partial<TurnTimings> },
  },
  actions: {
    /** leg.clear() and abort the synthesis in flight: the prompt is over. */
    clearPlayback: () => {},
    /** leg.clear(), keeping the prompt's place (synthesis goes on into memory). */
    pausePlayback: () => {},
    /** Play the paused prompt on from a little before where it was cut. */
    resumePlayback: () => {},
    /** Put these prompts on the line, behind what is playing. */
    playPrompts: (_, _params: { prompts: QueuedPrompt[] }) => {},
    /** Prompts that were never put on the line and will not be: prompt.done interrupted:true. */
    dropPrompts: (_, _params: { prompts: QueuedPrompt[]; why: 'superseded' | 'stopped' | 'time-up' }) => {},
    /** prompt.done interrupted:true for every queued prompt. */
    reportInterrupted: (_, _params: { prompts: QueuedPrompt[] }) => {},
    /** prompt.done interrupted:false. */
    reportPlayed: (_, _params: { promptId: string }) => {},
    /** NLU with the current expectation, then user.said. */
    deliverWords: (_, _params: { text: string }) => {},
    deliverDtmf: (_, _params: { digit: string }) => {},
    /** user.speech_start to the dialog. */
    reportSpeechStart: () => {},
    /** user.unheard to the dialog: the caller's turn ended and the recognizer gave no words. */
    reportUnheard: () => {},
    /** Words the policy kept from the dialog (a backchannel, speech over a `never` prompt). */
    ignoreWords: (_, _params: { text: string; why: 'backchannel' | 'not-interruptible' }) => {},
    /** A VAD start that did not become a barge-in (the bot never paused, or resumed). */
    falseTrigger: (_, _params: { why: 'too-short' | 'backchannel' | 'no-words'; resumed: boolean }) => {},
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
    defer: assign({
      deferred: ({ context, event }) =>
        event.type === 'bot.say'
          ? [...context.deferred, { promptId: event.promptId, bargeIn: event.bargeIn }]
          : context.deferred,
    }),
    releaseDeferred: assign({
      prompts: ({ context }) => [...context.prompts, ...context.deferred],
      deferred: () => [],
    }),
    forgetDeferred: assign({ deferred: () => [] }),
    keepWords: assign({ keptWords: ({ context, event }) => joinWords(context.keptWords, wordsIn(event)) }),
    forgetWords: assign({ keptWords: () => '' }),
    noteEmptyFinal: assign({ emptyFinal: () => true }),
    forgetEmptyFinal: assign({ emptyFinal: () => false }),
    clearQueue: assign({ prompts: () => [] }),
    noteOnset: assign({
      heardMs: ({ event }) => (event.type === 'vad.start' ? (event.heardMs ?? 0) : 0),
      heldWords: () => '',
    }),
    noteBackchannel: assign({ heldWords: ({ event }) => wordsIn(event) }),
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
    nothingQueued: ({ context }) => context.prompts.length === 0,
    promptsDeferred: ({ context }) => context.deferred.length > 0,
    wordsKept: ({ context }) => context.keptWords !== '',
    /** The recognizer answered this turn with no words (out of grammar, rejected). */
    emptyFinal: ({ context }) => context.emptyFinal,
    /** A bot.say that must be heard even over the caller (a disclosure, goodbye, transfer). */
    mandatory: ({ event }) => event.type === 'bot.say' && event.bargeIn === 'never',
    /** The VAD's own minimum already covers minSpeechMs / backchannelMaxMs. */
    heardMinSpeech: ({ context }) => context.heardMs >= context.timings.minSpeechMs,
    heardPastBackchannel: ({ context }) =>
      Math.max(context.timings.minSpeechMs, context.heardMs) >= context.timings.backchannelMaxMs,
    /** The speech that just ended was longer than any backchannel. */
    longSpeech: ({ context, event }) =>
      event.type === 'vad.end' && (event.speechMs ?? 0) > context.timings.backchannelMaxMs,
    hasWords: ({ event }) => hasWords(wordsIn(event)),
    isBackchannel: ({ event }) => isBackchannel(wordsIn(event)),
    /** Words that are not a backchannel. */
    realWords: ({ event }) => hasWords(wordsIn(event)) && !isBackchannel(wordsIn(event)),
  },
  delays: {
    maxCall: ({ context }) => context.timings.maxCallMs,
    endpointSilence: ({ context }) => context.endpointSilenceMs,
    finalWait: ({ context }) => context.timings.finalWaitMs,
    answerWait: ({ context }) => context.timings.answerWaitMs,
    /** From the VAD's report to minSpeechMs of speech. */
    minSpeech: ({ context }) => Math.max(0, context.timings.minSpeechMs - context.heardMs),
    /** From the pause to backchannelMaxMs of speech and the VAD's lag in reporting its end. */
    backchannelWindow: ({ context }) =>
      Math.max(
        0,
        context.timings.backchannelMaxMs +
          context.timings.vadEndLagMs -
          Math.max(context.timings.minSpeechMs, context.heardMs),
      ),
    bargeInLock: ({ context }) => {
      const mode = headMode(context);
      return typeof mode === 'object' ? mode.afterMs : 0;
    },
  },
}).createMachine({
  id: 'turn',
  context: ({ input }) => {
    const timings = { ...DEFAULT_TURN_TIMINGS, ...input.timings };
    return {
      timings,
      endpointSilenceMs: timings.endpointSilenceMs,
      prompts: [],
      heardMs: 0,
      heldWords: '',
      keptWords: '',
      emptyFinal: false,
      deferred: [],
    };
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
  after: { maxCall: { target: '.ending', actions: [...dropDeferred('time-up'), 'maxDuration'] } },
  states: {
    listening: {
      initial: 'idle',
      on: {
        'bot.say': { target: 'speaking', actions: ['enqueue', playSaid] },
        'bot.stop': { guard: 'promptsDeferred', actions: dropDeferred('stopped') },
        'asr.text': { guard: 'hasWords', target: '.thinking', actions: deliver },
        dtmf: { target: '.thinking', actions: ['forgetWords', deliverKey] },
      },
      states: {
        idle: {
          on: { 'vad.start': { target: 'userSpeaking', actions: ['forgetEmptyFinal', 'reportSpeechStart'] } },
        },
        // The caller's words or key went to the dialog; its answer replaces what was deferred.
        thinking: {
          on: {
            'vad.start': { target: 'userSpeaking', actions: ['forgetEmptyFinal', 'reportSpeechStart'] },
            'bot.say': {
              guard: 'promptsDeferred',
              target: '#turn.speaking',
              actions: [...dropDeferred('superseded'), 'enqueue', playSaid],
            },
          },
          after: { answerWait: releaseDeferred },
        },
        // Words while the VAD still hears speech (the recognizer's own endpoint fell in a pause
        // inside the sentence) are kept: they go to the dialog with the rest.
        userSpeaking: {
          on: {
            'vad.end': 'endpointing',
            'bot.say': deferWhileCallerTalks,
            'asr.text': [{ guard: 'hasWords', actions: 'keepWords' }, { actions: 'noteEmptyFinal' }],
          },
        },
        // A final now goes at once, with any words kept (holding it until the endpoint would join
        // a sentence cut by a pause, at endpointSilenceMs of latency on every turn).
        endpointing: {
          on: {
            'vad.start': 'userSpeaking',
            'bot.say': deferWhileCallerTalks,
            'asr.text': { guard: not('hasWords'), actions: 'noteEmptyFinal' },
          },
          after: { endpointSilence: { target: 'awaitingFinal', actions: 'flushAsr' } },
        },
        awaitingFinal: {
          on: {
            'vad.start': { target: 'userSpeaking' },
            'bot.say': deferWhileCallerTalks,
            // The final came and had no words: the kept ones are the turn, else the dialog hears
            // that the caller's turn gave none (it may ask again; its answer supersedes deferred prompts).
            'asr.text': [
              { ...deliverKept, guard: and([not('hasWords'), 'wordsKept']) },
              { guard: not('hasWords'), target: 'thinking', actions: 'reportUnheard' },
            ],
          },
          // No final by now: unheard only if the recognizer did answer this turn with no words (a
          // final that is late - a busy recognizer - is still delivered when it comes).
          after: {
            finalWait: [
              deliverKept,
              { guard: 'emptyFinal', target: 'thinking', actions: 'reportUnheard' },
              releaseDeferred,
              { target: 'idle' },
            ],
          },
        },
      },
    },
    speaking: {
      initial: 'gate',
      on: {
        'bot.say': { actions: ['enqueue', playSaid] },
        'bot.played': [
          { guard: 'lastPrompt', target: 'listening', actions: [played, 'dequeue'] },
          { actions: [played, 'dequeue'], target: '.gate' },
        ],
        'bot.stop': { target: 'listening', actions: ['clearPlayback', interrupted, 'clearQueue'] },
        dtmf: [
          {
            guard: 'interruptible',
            target: 'listening.thinking',
            actions: byKey,
          },
          { actions: deliverKey },
        ],
        'asr.text': [
          { guard: 'isBackchannel', actions: ignoreBackchannel },
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
            'vad.start': { target: 'candidate', actions: 'noteOnset' },
            'asr.text': confirmByWords,
          },
        },
        candidate: {
          on: {
            'vad.end': {
              target: 'open',
              actions: { type: 'falseTrigger', params: { why: 'too-short', resumed: false } },
            },
            'asr.text': confirmByWords,
          },
          always: { guard: 'heardMinSpeech', target: 'held' },
          after: { minSpeech: 'held' },
        },
        // The bot is silent, its place kept; the caller's speech and words decide.
        held: {
          entry: 'pausePlayback',
          initial: 'talking',
          on: {
            // Prompts that had played to their end before the pause.
            'bot.played': { actions: [played, 'dequeue'] },
            'asr.text': [
              confirmByWords,
              { guard: 'isBackchannel', actions: ['noteBackchannel', ignoreBackchannel] },
            ],
          },
          states: {
            talking: {
              on: { 'vad.end': [{ guard: 'longSpeech', ...bySpeech }, { target: 'ended' }] },
              always: { guard: 'heardPastBackchannel', ...bySpeech },
              after: { backchannelWindow: bySpeech },
            },
            // Short speech: its words (at the endpoint, no sooner) decide.
            ended: {
              on: { 'vad.start': 'talking', 'asr.text': decideHeld },
              after: { endpointSilence: { target: 'flushed', actions: 'flushAsr' } },
            },
            flushed: {
              on: { 'vad.start': 'talking', 'asr.text': decideHeld },
              after: { finalWait: '#turn.speaking.resuming' },
            },
          },
        },
        resuming: {
          always: [
            {
              guard: 'nothingQueued',
              target: '#turn.listening',
              actions: [{ type: 'falseTrigger', params: resumeWhy }, 'resumePlayback'],
            },
            { target: 'open', actions: [{ type: 'falseTrigger', params: resumeWhy }, 'resumePlayback'] },
          ],
        },
      },
    },
    bargedIn: {
      entry: 'reportSpeechStart',
      initial: 'talking',
      on: {
        'bot.say': deferWhileCallerTalks,
        'bot.stop': { guard: 'promptsDeferred', actions: dropDeferred('stopped') },
        'asr.text': [
          // Noise, but the dialog has something to say: that, rather than "please go on".
          { ...releaseDeferred, guard: and(['isBackchannel', 'promptsDeferred']) },
          { guard: 'isBackchannel', target: 'listening', actions: ['noiseReprompt'] },
          { guard: 'hasWords', target: 'listening.thinking', actions: deliver },
        ],
        dtmf: { target: 'listening.thinking', actions: ['forgetWords', deliverKey] },
      },
      states: {
        talking: {
          on: {
            'vad.end': 'endpointing',
            'asr.text': { guard: 'realWords', target: '#turn.listening.userSpeaking', actions: 'keepWords' },
          },
        },
        endpointing: {
          on: { 'vad.start': 'talking' },
          after: { endpointSilence: { target: 'flushed', actions: 'flushAsr' } },
        },
        flushed: {
          on: { 'vad.start': 'talking' },
          after: { finalWait: [releaseDeferred, { target: '#turn.listening', actions: 'noiseReprompt' }] },
        },
      },
    },
    ending: {
      on: {
        'bot.say': { actions: ['enqueue', playSaid] },
        'bot.played': { actions: [played, 'dequeue'] },
        dtmf: {},
        'asr.text': {},
      },
    },
    ended: { type: 'final' },
  },
});
