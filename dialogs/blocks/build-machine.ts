/**
 * Turns a DialogDefinition (nodes of kind say/ask/transfer/hangup/branch/task) into an XState v5
 * machine with zero I/O. Every ask node gets the same behaviour: no-input and no-match re-prompts
 * with escalation (1st: the question again, 2nd: reworded + keypad, then a person), global intents
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
import type { AskNode, DialogContext, DialogDefinition, DialogInput, DialogNode, Turn } from './types.ts';

type NodeParams = { node: string };
type OutcomeParams = { status: string };
export type TaskActor = PromiseActorLogic<unknown, unknown>;

export function initialContext(def: DialogDefinition, input: DialogInput | undefined): DialogContext {
  const elderly = input?.elderly ?? def.elderlyByDefault ?? false;
  return {
    call: null,
    language: 'en-US',
    elderly,
    rate: input?.rate ?? (elderly ? 0.8 : 1),
    noInputTimeoutMs: input?.noInputTimeoutMs ?? (elderly ? 9000 : 5000),
    endpointSilenceMs: elderly ? 1200 : 800,
    humanAfterFailures: elderly ? 2 : 3,
    failures: 0,
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

function askText(node: AskNode, ctx: DialogContext): string {
  const p = phrases(ctx.language);
  const question = renderText(node.prompt, ctx);
  const keypad = renderText(node.keypadHint, ctx);
  switch (ctx.promptMode) {
    case 'repeat':
      return ctx.lastPrompt?.text ?? question;
    case 'help':
      return joinText(ctx.language, renderText(node.help, ctx) || p.help, question);
    case 'no-input':
      return joinText(ctx.language, p.noInput, question, ctx.elderly ? keypad : '');
    case 'no-match':
      return joinText(ctx.language, p.noMatch, question, ctx.elderly ? keypad : '');
    case 'rephrase':
      return joinText(
        ctx.language,
        renderText(node.reprompt, ctx) || question,
        keypad ? p.keypadIntro : '',
        keypad,
      );
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
    },
    guards: {
      isCurrentPrompt: ({ context, event }) =>
        event.type === 'prompt.done' && event.promptId === context.currentPromptId,
      turnIntent: ({ context }, p: { intent: string }) =>
        context.turn?.kind === 'intent' && context.turn.intent === p.intent,
      turnExit: ({ context }, p: { exit: string }) =>
        context.turn?.kind === 'exit' && context.turn.exit === p.exit,
      failuresExhausted: ({ context }) => context.failures + 1 >= context.humanAfterFailures,
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
        if (elderly !== context.elderly) {
          base.elderly = elderly;
          base.rate = elderly ? 0.8 : 1;
          base.noInputTimeoutMs = elderly ? 9000 : 5000;
          base.endpointSilenceMs = elderly ? 1200 : 800;
          base.humanAfterFailures = elderly ? 2 : 3;
        }
        return { ...base, ...(def.onStart?.(base) ?? {}) };
      }),
      enterNode: assign((_, p: NodeParams) => ({
        node: p.node,
        failures: 0,
        promptMode: 'normal' as const,
        dtmfBuffer: '',
      })),
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
        return { turn, dtmfBuffer: '', history: pushHistory(context.history, `caller: ${event.text}`) };
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
      countFailure: assign(({ context }, p: { mode: DialogContext['promptMode'] }) => ({
        failures: context.failures + 1,
        promptMode: context.failures + 1 >= 2 ? ('rephrase' as const) : p.mode,
      })),
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
