/**
 * Turns a DialogDefinition (nodes of kind say/ask/transfer/hangup/branch/task) into an XState v5
 * machine with zero I/O. Every ask node gets the same behaviour: no-input and no-match re-prompts
 * with escalation (the question again; before the hand-over, and at every re-prompt in elderly
 * mode, reworded + keypad + how to reach a person; then a person), global intents
 * at any time (repeat, slower, help, human, goodbye), 0 / "agent" for a person from every state,
 * barge-in (an answer during the prompt counts), and hang-up to a final state. Time is a named
 * delay read from the context, so elderly mode lengthens it and tests drive it with SimulatedClock.
 */
import { assign, emit, fromPromise, type PromiseActorLogic, setup } from 'xstate';
import type { DialogCommand, DialogEvent } from '../contract.ts';
import { phrases } from './phrases.ts';
import { BUILTIN, buildStates, outcome, ROOT_ID } from './states.ts';
import { joinText, renderText } from './text.ts';
import { globalKey, keysComplete, turnFromKeys, turnFromSpeech } from './turn.ts';
import type {
  AskNode,
  DialogContext,
  DialogDefinition,
  DialogInput,
  DialogNode,
  FailureMode,
  Turn,
} from './types.ts';

type NodeParams = { node: string };
type OutcomeParams = { status: string };
export type TaskActor = PromiseActorLogic<unknown, unknown>;

/**
 * What elderly mode changes. The no-input wait is 15 s: the slowest elderly answers start 10-13 s
 * after a prompt (the persona model, from the answers that timed out at 9 s), and 15 s covers
 * them with the VAD's decision and a margin. An elderly caller reaches a person after the second
 * failure at a question (standard mode: the third), and hears the keypad alternative with every
 * question; a person at any time by "agent" or 0 in both modes.
 */
export function modeSettings(elderly: boolean) {
  return {
    rate: elderly ? 0.8 : 1,
    noInputTimeoutMs: elderly ? 15_000 : 5000,
    endpointSilenceMs: elderly ? 1200 : 800,
    humanAfterFailures: elderly ? 2 : 3,
  };
}

/**
 * Whether a re-prompt after `failures` at the question offers the way out (the keypad, and
 * "agent" / 0 for a person): always in elderly mode, so the caller knows it before the hand-over;
 * otherwise from the re-prompt before the hand-over (the second failure when a person comes at
 * the third).
 */
export const offersWayOut = (ctx: Pick<DialogContext, 'elderly' | 'humanAfterFailures'>, failures: number) =>
  failures > 0 && (ctx.elderly || failures >= ctx.humanAfterFailures - 1);

/**
 * The longest wait, from the caller's speech start, for what they said: the longest answer
 * (about 8 s of slow speech with pauses) plus the endpoint and the recognizer. When nothing
 * comes the question is asked again ("Sorry, I didn't catch that").
 */
export const SPEECH_WAIT_MS = 10_000;

/** The wait from the caller's speech start: at least the no-input wait, at least the longest answer. */
export const speechWaitMs = (ctx: Pick<DialogContext, 'noInputTimeoutMs'>) =>
  Math.max(ctx.noInputTimeoutMs, SPEECH_WAIT_MS);

/** How much each failure counts: speech the recognizer gave no words for counts half. */
const FAILURE_WEIGHT: Record<FailureMode, number> = { 'no-input': 1, 'no-match': 1, unheard: 0.5 };

export function initialContext(def: DialogDefinition, input: DialogInput | undefined): DialogContext {
  const elderly = input?.elderly ?? def.elderlyByDefault ?? false;
  const mode = modeSettings(elderly);
  return {
    call: null,
    language: 'en-US',
    elderly,
    rate: input?.rate ?? mode.rate,
    noInputTimeoutMs: input?.noInputTimeoutMs ?? mode.noInputTimeoutMs,
    endpointSilenceMs: mode.endpointSilenceMs,
    humanAfterFailures: input?.humanAfterFailures ?? mode.humanAfterFailures,
    failures: 0,
    failuresAt: {},
    rejectedTo: null,
    callerSpeaking: false,
    promptMode: 'normal',
    promptSeq: 0,
    currentPromptId: null,
    lastPrompt: null,
    node: BUILTIN.idle,
    turn: null,
    dtmfBuffer: '',
    slots: {},
    vars: {},
    history: [],
    transferReason: 'caller-request',
    outcome: null,
  };
}

/** The default summary for the agent: where the caller is, what was collected, the last turns. */
export function defaultSummary(ctx: DialogContext): string {
  const slots = Object.entries(ctx.slots)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');
  return [
    `reason: ${ctx.transferReason}`,
    `language: ${ctx.language}`,
    `at: ${ctx.node}`,
    `slots: ${slots || 'none'}`,
    `last turns: ${ctx.history.slice(-4).join(' | ') || 'none'}`,
  ].join('\n');
}

/** The sentence a re-prompt starts with: what went wrong (undefined for other prompts). */
function causePhrase(ctx: DialogContext): string | undefined {
  const p = phrases(ctx.language);
  const causes: Partial<Record<DialogContext['promptMode'], string>> = {
    'no-input': p.noInput,
    'no-match': p.noMatch,
    unheard: p.unheard,
    rejected: p.rejected,
  };
  return causes[ctx.promptMode];
}

/**
 * The re-prompt that offers the way out: the reworded question, the keypad alternative and how
 * to reach a person; after `cause` (elderly mode says what went wrong first).
 */
function wayOutText(node: AskNode, ctx: DialogContext, cause: string): string {
  const p = phrases(ctx.language);
  const keypad = renderText(node.keypadHint, ctx);
  return joinText(
    ctx.language,
    cause,
    renderText(node.reprompt, ctx) || renderText(node.prompt, ctx),
    keypad ? p.keypadIntro : '',
    keypad,
    node.dtmf?.leadingZero ? p.personOfferStar : p.personOffer,
  );
}

function askText(node: AskNode, ctx: DialogContext): string {
  const p = phrases(ctx.language);
  const question = renderText(node.prompt, ctx);
  const keypad = renderText(node.keypadHint, ctx);
  const cause = causePhrase(ctx);
  if (cause !== undefined) {
    if (offersWayOut(ctx, ctx.failures)) return wayOutText(node, ctx, ctx.elderly ? cause : '');
    return joinText(ctx.language, cause, question, ctx.elderly ? keypad : '');
  }
  switch (ctx.promptMode) {
    case 'repeat':
      return ctx.lastPrompt?.text ?? question;
    case 'help':
      return joinText(ctx.language, renderText(node.help, ctx) || p.help, question);
    default:
      return joinText(ctx.language, question, ctx.elderly ? keypad : '');
  }
}

function nodeText(def: DialogDefinition, id: string, ctx: DialogContext): string {
  const node = def.nodes[id];
  if (node === undefined) return '';
  if (node.kind === 'ask') return askText(node, ctx);
  if (ctx.promptMode === 'repeat' && ctx.lastPrompt) return ctx.lastPrompt.text;
  return renderText(node.prompt, ctx);
}

function builtinText(id: string, ctx: DialogContext, def: DialogDefinition): string {
  const p = phrases(ctx.language);
  if (id === BUILTIN.human) return ctx.transferReason === 'bot-failure' ? p.toHumanAfterFailures : p.toHuman;
  if (id === BUILTIN.goodbye) return p.goodbye;
  if (id === BUILTIN.optOut) return renderText(def.optOut?.prompt, ctx) || p.optedOut;
  if (id === '_no_agent') return p.noAgent;
  return '';
}

const pushHistory = (history: string[], line: string) => [...history, line].slice(-8);

export function buildDialogMachine(def: DialogDefinition, actors: Record<string, TaskActor> = {}) {
  const node = (id: string): DialogNode => {
    const n = def.nodes[id];
    if (n === undefined) throw new Error(`dialog ${def.id}: no node "${id}"`);
    return n;
  };
  const ask = (id: string): AskNode => {
    const n = node(id);
    if (n.kind !== 'ask') throw new Error(`dialog ${def.id}: node "${id}" is not an ask node`);
    return n;
  };
  const summary = def.summary ?? defaultSummary;
  /** Questions some read-back counts rejections for: answering them does not clear their failures. */
  const readBackQuestions = new Set(
    Object.values(def.nodes).flatMap((n) => (n.kind === 'ask' && n.rejects ? [n.rejects.question] : [])),
  );
  const rejectsWith = (id: string, exit: string) => {
    const r = ask(id).rejects;
    return r?.exits.includes(exit) ? r.question : undefined;
  };

  const placeholders: Record<string, TaskActor> = {};
  for (const n of Object.values(def.nodes)) {
    if (n.kind === 'task') {
      placeholders[n.src] = fromPromise<unknown, unknown>(async () => {
        throw new Error(`provide the "${n.src}" actor with machine.provide({ actors })`);
      });
    }
  }

  const s = setup({
    types: {
      context: {} as DialogContext,
      events: {} as DialogEvent,
      emitted: {} as DialogCommand,
      input: {} as DialogInput | undefined,
    },
    actors: { ...placeholders, ...actors },
    delays: {
      noInputTimeout: ({ context }) => context.noInputTimeoutMs,
      /** A prompt whose prompt.done never comes does not hold the dialog forever. */
      promptGuard: ({ context }) => 60_000 + context.noInputTimeoutMs,
      speechWait: ({ context }) => speechWaitMs(context),
    },
    guards: {
      isCurrentPrompt: ({ context, event }) =>
        event.type === 'prompt.done' && event.promptId === context.currentPromptId,
      turnIntent: ({ context }, p: { intent: string }) =>
        context.turn?.kind === 'intent' && context.turn.intent === p.intent,
      turnExit: ({ context }, p: { exit: string }) =>
        context.turn?.kind === 'exit' && context.turn.exit === p.exit,
      failuresExhausted: ({ context }, p: { mode: FailureMode }) =>
        context.failures + FAILURE_WEIGHT[p.mode] >= context.humanAfterFailures,
      /** This exit rejects a read-back, and the question it read back has failed enough. */
      rejectionExhausted: ({ context }, p: { node: string; exit: string }) => {
        const question = rejectsWith(p.node, p.exit);
        return (
          context.turn?.kind === 'exit' &&
          context.turn.exit === p.exit &&
          question !== undefined &&
          (context.failuresAt[question] ?? 0) + 1 >= context.humanAfterFailures
        );
      },
      /** The prompt has played and the caller had started to answer during it. */
      isCurrentPromptWhileSpeaking: ({ context, event }) =>
        context.callerSpeaking && event.type === 'prompt.done' && event.promptId === context.currentPromptId,
      globalKeyIs: ({ context, event }, p: { node?: string; action: string }) =>
        event.type === 'user.dtmf' &&
        globalKey(def, p.node ? ask(p.node) : undefined, context.dtmfBuffer, event.digit) === p.action,
      keysComplete: ({ context, event }, p: NodeParams) =>
        event.type === 'user.dtmf' && keysComplete(ask(p.node), context.dtmfBuffer, event.digit),
      saidIntent: ({ event }, p: { intent: string }) =>
        event.type === 'user.said' && event.nlu.intent === p.intent,
      saidOptOut: ({ context, event }) => {
        if (event.type !== 'user.said' || !def.optOut) return false;
        const probe: AskNode = { kind: 'ask', prompt: '', expected: 'free', exits: {}, accept: () => null };
        const t = turnFromSpeech(def, probe, context, event.nlu);
        return t.kind === 'intent' && t.intent === 'opt-out';
      },
      branchCase: ({ context }, p: { node: string; index: number }) => {
        const n = node(p.node);
        return n.kind === 'branch' && (n.cases[p.index]?.when(context) ?? false);
      },
      transferOk: ({ event }) => event.type === 'transfer.done' && event.ok,
      noOutcomeYet: ({ context }) => context.outcome === null,
    },
    actions: {
      start: assign(({ context, event }) => {
        if (event.type !== 'call.started') return {};
        const params = event.call.parameters;
        const elderlyParam = params.elderly;
        const elderly =
          elderlyParam === undefined ? context.elderly : !/^(0|false|no|off)$/i.test(elderlyParam);
        const base: DialogContext = {
          ...context,
          call: event.call,
          language: event.call.language,
          vars: { ...params },
        };
        if (elderly !== context.elderly) Object.assign(base, { elderly, ...modeSettings(elderly) });
        return { ...base, ...(def.onStart?.(base) ?? {}) };
      }),
      enterNode: assign(({ context }, p: NodeParams) => ({
        node: p.node,
        failures: context.failuresAt[p.node] ?? 0,
        promptMode: context.rejectedTo !== p.node ? ('normal' as const) : ('rejected' as const),
        rejectedTo: null,
        callerSpeaking: false,
        dtmfBuffer: '',
      })),
      /**
       * An ask node answered with `exit`: a read-back's rejection counts a failure of its
       * question, any other answer clears that question's failures and the node's own.
       */
      settleFailures: assign(({ context }, p: { node: string; exit: string }) => {
        const failuresAt = { ...context.failuresAt };
        const read = ask(p.node).rejects;
        const rejected = rejectsWith(p.node, p.exit);
        if (rejected !== undefined) failuresAt[rejected] = (failuresAt[rejected] ?? 0) + 1;
        else if (read) failuresAt[read.question] = 0;
        if (!readBackQuestions.has(p.node)) failuresAt[p.node] = 0;
        return { failuresAt, rejectedTo: rejected ?? null };
      }),
      noteSpeech: assign({ callerSpeaking: true }),
      clearSpeech: assign({ callerSpeaking: false }),
      /** Records the prompt of a node (or a built-in state) about to be said: speak() pairs it with say. */
      notePrompt: assign(({ context }, p: NodeParams) => {
        const text = def.nodes[p.node] ? nodeText(def, p.node, context) : builtinText(p.node, context, def);
        const promptId = `${p.node}#${context.promptSeq + 1}`;
        return {
          promptSeq: context.promptSeq + 1,
          currentPromptId: promptId,
          lastPrompt: { promptId, text },
          promptMode: 'normal' as const,
          history: pushHistory(context.history, `bot: ${text}`),
        };
      }),
      /** Says the prompt notePrompt has just recorded (actions resolve in order, on the new context). */
      say: emit(({ context }, p: NodeParams) => ({
        type: 'say' as const,
        promptId: context.currentPromptId ?? `${p.node}#${context.promptSeq}`,
        text: context.lastPrompt?.text ?? '',
        language: context.language,
        bargeIn: def.nodes[p.node]?.bargeIn ?? (def.nodes[p.node] ? ('always' as const) : ('never' as const)),
        rate: context.rate,
      })),
      listen: emit(({ context }, p: NodeParams) => {
        const n = ask(p.node);
        const hints = typeof n.hints === 'function' ? n.hints(context) : n.hints;
        const grammar = typeof n.grammar === 'function' ? n.grammar(context) : n.grammar;
        return {
          type: 'listen' as const,
          expected: n.expected,
          ...(hints && hints.length > 0 ? { hints } : {}),
          ...(grammar ? { grammar } : {}),
          endpointSilenceMs: context.endpointSilenceMs,
          ...(n.dtmf ? { dtmf: { maxDigits: n.dtmf.maxDigits, terminator: n.dtmf.terminator } } : {}),
        };
      }),
      captureSaid: assign(({ context, event }, p: NodeParams) => {
        if (event.type !== 'user.said') return {};
        const turn: Turn = turnFromSpeech(def, ask(p.node), context, event.nlu);
        return {
          turn,
          dtmfBuffer: '',
          callerSpeaking: false,
          history: pushHistory(context.history, `caller: ${event.text}`),
        };
      }),
      captureKeys: assign(({ context, event }, p: NodeParams) => {
        if (event.type !== 'user.dtmf') return {};
        const n = ask(p.node);
        const all = context.dtmfBuffer + event.digit;
        const digits =
          n.dtmf?.terminator !== undefined && event.digit === n.dtmf.terminator ? all.slice(0, -1) : all;
        return {
          turn: turnFromKeys(n, context, digits),
          dtmfBuffer: '',
          history: pushHistory(context.history, `caller keys: ${digits}`),
        };
      }),
      bufferKey: assign(({ context, event }) => ({
        dtmfBuffer: event.type === 'user.dtmf' ? context.dtmfBuffer + event.digit : context.dtmfBuffer,
      })),
      applyTurn: assign(({ context }) =>
        context.turn?.kind === 'exit' && context.turn.slots
          ? { slots: { ...context.slots, ...context.turn.slots } }
          : {},
      ),
      applyTaskOutput: assign(({ context, event }, p: NodeParams) => {
        const n = node(p.node);
        if (n.kind !== 'task' || !('output' in event)) return {};
        const d = n.onDone((event as { output: unknown }).output, context);
        return {
          turn: { kind: 'exit' as const, exit: d.exit, slots: d.slots },
          slots: { ...context.slots, ...d.slots },
        };
      }),
      noMatchTurn: assign({ turn: { kind: 'no-match' } as Turn }),
      setPromptMode: assign((_, p: { mode: DialogContext['promptMode'] }) => ({ promptMode: p.mode })),
      countFailure: assign(({ context }, p: { mode: FailureMode }) => {
        const failures = context.failures + FAILURE_WEIGHT[p.mode];
        return {
          failures,
          failuresAt: { ...context.failuresAt, [context.node]: failures },
          promptMode: p.mode,
        };
      }),
      slowDown: assign(({ context }) => ({
        rate: Math.max(0.5, Math.round(context.rate * 0.8 * 100) / 100),
        promptMode: 'repeat' as const,
      })),
      setTransferReason: assign((_, p: { reason: DialogContext['transferReason'] }) => ({
        transferReason: p.reason,
      })),
      stopPrompt: emit({ type: 'stop_prompt' as const }),
      emitTransfer: emit(({ context }, p: { node?: string }) => {
        const n = p.node ? node(p.node) : undefined;
        const target = n?.kind === 'transfer' ? n.target : undefined;
        return {
          type: 'transfer' as const,
          reason: context.transferReason,
          summary: summary(context),
          ...(target ? { target } : {}),
        };
      }),
      noteOutcome: assign((_, p: OutcomeParams) => ({ outcome: p.status })),
      emitOutcome: emit(({ context }, p: OutcomeParams) => ({
        type: 'outcome' as const,
        status: p.status,
        slots: { ...context.slots },
      })),
      emitHangup: emit((_, p: { reason: string }) => ({ type: 'hangup' as const, reason: p.reason })),
    },
  });

  const states = buildStates(def);
  // The states are generated from the definition, so their literal types are not known here;
  // the named actions, guards and delays they reference are all declared in setup() above.
  return s.createMachine({
    id: ROOT_ID,
    context: ({ input }) => initialContext(def, input),
    initial: BUILTIN.idle,
    on: {
      'call.hangup': [
        { guard: 'noOutcomeYet', target: `.${BUILTIN.done}`, actions: outcome('caller-hung-up') },
        { target: `.${BUILTIN.done}` },
      ],
      'user.dtmf': [
        { guard: { type: 'globalKeyIs', params: { action: 'human' } }, target: `.${BUILTIN.human}` },
        { guard: { type: 'globalKeyIs', params: { action: 'opt-out' } }, target: `.${BUILTIN.optOut}` },
      ],
      'user.said': [
        { guard: 'saidOptOut', target: `.${BUILTIN.optOut}` },
        { guard: { type: 'saidIntent', params: { intent: 'human' } }, target: `.${BUILTIN.human}` },
        { guard: { type: 'saidIntent', params: { intent: 'goodbye' } }, target: `.${BUILTIN.goodbye}` },
      ],
    },
    states: states as Record<string, object>,
  });
}

export type DialogMachine = ReturnType<typeof buildDialogMachine>;

export { BUILTIN, ROOT_ID };
