/**
 * The state configs generated from a DialogDefinition: one state per node (ask nodes with their
 * speaking / waiting / deciding children), plus the built-in states every dialog has (a person,
 * no agent free, goodbye, opt-out, done). The named actions, guards and delays they use are
 * declared in build-machine.ts.
 */
import type { DialogContext, DialogDefinition, DialogNode, FailureMode } from './types.ts';

export const ROOT_ID = 'dialog';
/** Built-in states; node ids must not start with '_'. */
export const BUILTIN = {
  idle: '_idle',
  human: '_human',
  goodbye: '_goodbye',
  optOut: '_opt_out',
  done: '_done',
};

const abs = (id: string) => `#${ROOT_ID}.${id}`;

type StateConfig = Record<string, unknown>;

/**
 * Every action here names an action declared in build-machine.ts: none is created while an event
 * is processed (XState warns when assign()/emit() are called during another actor's action, which
 * is where the session sends its events from). Saying a prompt records it, then emits it.
 */
const speak = (id: string) => [
  { type: 'notePrompt', params: { node: id } },
  { type: 'say', params: { node: id } },
];
/** Records the dialog's outcome, then emits it. */
export const outcome = (status: string) => [
  { type: 'noteOutcome' as const, params: { status } },
  { type: 'emitOutcome' as const, params: { status } },
];
const enter = (id: string) => ({ type: 'enterNode', params: { node: id } });

function exitTransitions(def: DialogDefinition, id: string, actions: unknown[] = ['applyTurn']) {
  const n = def.nodes[id]!;
  return Object.entries(n.exits).map(([exit, target]) => ({
    guard: { type: 'turnExit', params: { exit } },
    target: abs(target),
    actions,
  }));
}

const botFailure = { type: 'setTransferReason', params: { reason: 'bot-failure' } };

/**
 * An ask node's exits. Each answer settles the failure counts (a read-back's rejection is a
 * failure of the question it read back); a rejection that exhausts them goes to a person.
 */
function answerTransitions(def: DialogDefinition, id: string) {
  const n = def.nodes[id]!;
  return Object.entries(n.exits).flatMap(([exit, target]) => {
    const settle = { type: 'settleFailures', params: { node: id, exit } };
    const exhausted = {
      guard: { type: 'rejectionExhausted', params: { node: id, exit } },
      target: abs(BUILTIN.human),
      actions: ['applyTurn', settle, botFailure],
    };
    const rejects = n.kind === 'ask' && n.rejects?.exits.includes(exit);
    if (n.kind === 'ask' && n.holdExits?.includes(exit))
      return [{ guard: { type: 'turnExit', params: { exit } }, target: 'hearing', actions: ['applyTurn'] }];
    return [
      ...(rejects ? [exhausted] : []),
      { guard: { type: 'turnExit', params: { exit } }, target: abs(target), actions: ['applyTurn', settle] },
    ];
  });
}

function askState(def: DialogDefinition, id: string): StateConfig {
  const toHumanAfterFailure = (mode: FailureMode) => ({
    guard: { type: 'failuresExhausted', params: { mode } },
    target: abs(BUILTIN.human),
    actions: botFailure,
  });
  const reprompt = (mode: FailureMode) => ({
    target: 'speaking',
    reenter: true,
    actions: { type: 'countFailure', params: { mode } },
  });
  const intent = (name: string, target: string, actions: unknown[] = []) => ({
    guard: { type: 'turnIntent', params: { intent: name } },
    target,
    ...(target === 'speaking' ? { reenter: true } : {}),
    actions,
  });
  return {
    entry: [enter(id)],
    initial: 'speaking',
    states: {
      speaking: {
        entry: [...speak(id), { type: 'listen', params: { node: id } }],
        on: {
          'prompt.done': [
            { guard: 'isCurrentPromptWhileSpeaking', target: 'hearing' },
            { guard: 'isCurrentPrompt', target: 'waiting' },
          ],
          'user.speech_start': { actions: 'noteSpeech' },
        },
        after: { promptGuard: 'waiting' },
      },
      waiting: {
        on: { 'user.speech_start': 'hearing' },
        after: { noInputTimeout: [toHumanAfterFailure('no-input'), reprompt('no-input')] },
      },
      // The caller is answering: the no-input timer is off until their words come. Speech that
      // gives none (a cough, words the recognizer could not place) is asked for again when the
      // session says so (user.unheard) or a fresh wait from its start runs out: half a failure.
      hearing: {
        entry: 'clearSpeech',
        on: {
          'user.speech_start': { target: 'hearing', reenter: true },
          // The session says the turn gave no words: asked again at once.
          'user.unheard': [toHumanAfterFailure('unheard'), reprompt('unheard')],
        },
        after: { speechWait: [toHumanAfterFailure('unheard'), reprompt('unheard')] },
      },
      // Transient steps, so that a key restarts the no-input timer (or the prompt) without
      // re-entering the node itself (which would start it over, keys typed so far dropped).
      rekey: { always: 'waiting' },
      respeak: { always: 'speaking' },
      deciding: {
        always: [
          intent('human', abs(BUILTIN.human)),
          intent('opt-out', abs(BUILTIN.optOut)),
          intent('goodbye', abs(BUILTIN.goodbye)),
          intent('cancel', abs(BUILTIN.goodbye)),
          intent('repeat', 'speaking', [{ type: 'setPromptMode', params: { mode: 'repeat' } }]),
          intent('back', 'speaking', [{ type: 'setPromptMode', params: { mode: 'repeat' } }]),
          intent('slower', 'speaking', ['slowDown']),
          intent('help', 'speaking', [{ type: 'setPromptMode', params: { mode: 'help' } }]),
          ...answerTransitions(def, id),
          toHumanAfterFailure('no-match'),
          reprompt('no-match'),
        ],
      },
    },
    on: {
      'user.said': { target: '.deciding', actions: { type: 'captureSaid', params: { node: id } } },
      'user.dtmf': [
        { guard: { type: 'globalKeyIs', params: { node: id, action: 'ignore' } }, actions: [] },
        { guard: { type: 'globalKeyIs', params: { node: id, action: 'human' } }, target: abs(BUILTIN.human) },
        {
          guard: { type: 'globalKeyIs', params: { node: id, action: 'opt-out' } },
          target: abs(BUILTIN.optOut),
        },
        {
          guard: { type: 'globalKeyIs', params: { node: id, action: 'repeat' } },
          target: '.respeak',
          actions: ['stopPrompt', { type: 'setPromptMode', params: { mode: 'repeat' } }],
        },
        {
          guard: { type: 'keysComplete', params: { node: id } },
          target: '.deciding',
          actions: ['stopPrompt', { type: 'captureKeys', params: { node: id } }],
        },
        { target: '.rekey', actions: ['stopPrompt', 'bufferKey'] },
      ],
      'speech.error': {
        target: '.deciding',
        actions: 'noMatchTurn',
      },
    },
  };
}

function nodeState(def: DialogDefinition, id: string, n: DialogNode): StateConfig {
  switch (n.kind) {
    case 'ask':
      return askState(def, id);
    case 'say': {
      const next = n.exits.next!;
      // A caller who talks over an announcement and answers the question that follows it
      // ("two loaves of bread" during the greeting) has that answer taken by the next question.
      const forward =
        def.nodes[next]?.kind === 'ask' && n.bargeIn !== 'never'
          ? [{ target: abs(`${next}.deciding`), actions: { type: 'captureSaid', params: { node: next } } }]
          : [];
      return {
        entry: [enter(id), ...speak(id)],
        on: {
          'prompt.done': { guard: 'isCurrentPrompt', target: abs(next) },
          'user.said': [
            { guard: 'saidOptOut', target: abs(BUILTIN.optOut) },
            { guard: { type: 'saidIntent', params: { intent: 'human' } }, target: abs(BUILTIN.human) },
            { guard: { type: 'saidIntent', params: { intent: 'goodbye' } }, target: abs(BUILTIN.goodbye) },
            ...forward,
          ],
        },
        after: { promptGuard: abs(next) },
      };
    }
    case 'branch':
      return {
        entry: [enter(id)],
        always: [
          ...n.cases.map((c, index) => ({
            guard: {
              type: 'branchCase',
              params: { node: id, index, ...(c.label ? { label: c.label } : {}) },
            },
            target: abs(n.exits[c.exit]!),
          })),
          { target: abs(n.exits.else!) },
        ],
      };
    case 'task':
      return {
        entry: [enter(id)],
        initial: 'running',
        states: {
          running: {
            ...(n.prompt ? { entry: speak(id) } : {}),
            invoke: {
              src: n.src,
              input: ({ context }: { context: DialogContext }) => n.input(context),
              onDone: { target: 'routing', actions: { type: 'applyTaskOutput', params: { node: id } } },
              onError: {
                target: abs(n.exits.error!),
                actions: { type: 'setTransferReason', params: { reason: 'bot-failure' } },
              },
            },
          },
          routing: { always: exitTransitions(def, id, []) },
        },
      };
    case 'transfer':
      return {
        entry: [enter(id), { type: 'setTransferReason', params: { reason: n.reason } }],
        initial: n.prompt ? 'speaking' : 'transferring',
        states: {
          speaking: {
            entry: speak(id),
            on: { 'prompt.done': { guard: 'isCurrentPrompt', target: 'transferring' } },
            after: { promptGuard: 'transferring' },
          },
          transferring: {
            entry: [{ type: 'emitTransfer', params: { node: id } }],
            on: {
              'transfer.done': [
                {
                  guard: 'transferOk',
                  target: abs(BUILTIN.done),
                  actions: outcome('transferred'),
                },
                { target: abs(n.exits.failed ?? '_no_agent') },
              ],
            },
          },
        },
      };
    case 'hangup':
      return endingState(id, n.status, id);
  }
}

/** Speak, emit the outcome, hang up once the prompt has played. */
function endingState(id: string, status: string, speakId: string): StateConfig {
  return {
    entry: [enter(id), ...outcome(status), ...speak(speakId)],
    on: {
      'prompt.done': {
        guard: 'isCurrentPrompt',
        target: abs(BUILTIN.done),
        actions: { type: 'emitHangup', params: { reason: status } },
      },
      'user.said': {},
      'user.dtmf': {},
    },
    after: {
      promptGuard: { target: abs(BUILTIN.done), actions: { type: 'emitHangup', params: { reason: status } } },
    },
  };
}

export function buildStates(def: DialogDefinition): Record<string, StateConfig> {
  const states: Record<string, StateConfig> = {
    [BUILTIN.idle]: {
      on: { 'call.started': { target: abs(def.start), actions: 'start' } },
    },
  };
  for (const [id, n] of Object.entries(def.nodes)) states[id] = nodeState(def, id, n);
  states[BUILTIN.human] = {
    entry: [enter(BUILTIN.human)],
    initial: 'speaking',
    states: {
      speaking: {
        entry: speak(BUILTIN.human),
        on: { 'prompt.done': { guard: 'isCurrentPrompt', target: 'transferring' } },
        after: { promptGuard: 'transferring' },
      },
      transferring: {
        entry: [{ type: 'emitTransfer', params: {} }],
        on: {
          'transfer.done': [
            {
              guard: 'transferOk',
              target: abs(BUILTIN.done),
              actions: outcome('transferred'),
            },
            { target: abs('_no_agent') },
          ],
        },
      },
    },
    on: { 'user.said': {}, 'user.dtmf': {} },
  };
  states._no_agent = endingState('_no_agent', 'callback-requested', '_no_agent');
  states[BUILTIN.goodbye] = endingState(BUILTIN.goodbye, 'ended-by-caller', BUILTIN.goodbye);
  states[BUILTIN.optOut] = endingState(BUILTIN.optOut, 'opted-out', BUILTIN.optOut);
  states[BUILTIN.done] = { type: 'final' };
  return states;
}
