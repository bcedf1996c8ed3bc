/**
 * The shapes shared by every dialog built from blocks: the context every machine carries, the
 * node specs the builder turns into states, and the answer/decision types of a caller's turn.
 * Types only; the builder is in build-machine.ts and the block helpers in blocks.ts.
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { BargeInMode, CallContextInfo, ListenCommand, TransferCommand } from '../contract.ts';
import type { ExpectedSlot, GlobalIntent, NluResult } from '../nlu/types.ts';

/** A prompt: one text for every language, one per language, or computed from the context. */
export type TextFn = (ctx: DialogContext) => string;
export type Text = string | TextFn;
export type LocalizedText = Text | Partial<Record<Language, Text>>;

/** How the next prompt of an ask node is worded (set by re-prompts and global intents). */
export type PromptMode = 'normal' | 'repeat' | 'help' | 'no-input' | 'no-match' | 'unheard' | 'rejected';

/** What went wrong at a question: silence, words it cannot take, or speech that gave no words. */
export type FailureMode = 'no-input' | 'no-match' | 'unheard';

/** What one caller turn meant to the current node. */
export type Turn =
  | { kind: 'intent'; intent: GlobalIntent | 'opt-out' }
  | { kind: 'exit'; exit: string; slots?: Record<string, unknown> }
  | { kind: 'no-match' };

export interface DialogContext {
  call: CallContextInfo | null;
  language: Language;
  elderly: boolean;
  /** TTS rate multiplier: 1 normally, 0.8 in elderly mode, lower after "slower". */
  rate: number;
  noInputTimeoutMs: number;
  endpointSilenceMs: number;
  /** The failures at one question that send the caller to a human. */
  humanAfterFailures: number;
  /** Failures at the current node (a copy of its entry in `failuresAt`). */
  failures: number;
  /**
   * Failures per question since it was last answered well: kept when the dialog leaves a
   * question and comes back (a rejected read-back), reset by an accepted answer. Speech that
   * gave no words counts half.
   */
  failuresAt: Record<string, number>;
  /** The question a rejected read-back sends the caller back to (its prompt says sorry). */
  rejectedTo: string | null;
  /** The caller started speaking while the prompt played (the no-input wait does not start). */
  callerSpeaking: boolean;
  promptMode: PromptMode;
  promptSeq: number;
  currentPromptId: string | null;
  lastPrompt: { promptId: string; text: string } | null;
  /** The node the caller is in (for summaries and diagrams). */
  node: string;
  turn: Turn | null;
  dtmfBuffer: string;
  /** Answers collected so far; the outcome carries them (personal data). */
  slots: Record<string, unknown>;
  /** Contact / call variables for `{{name}}` templates (personal data). */
  vars: Record<string, string>;
  /** Last turns of both sides, newest last (personal data, for the agent's summary). */
  history: string[];
  transferReason: TransferCommand['reason'];
  /** Status of the last outcome emitted, null until one is. */
  outcome: string | null;
}

export interface DialogInput {
  /** Elderly mode: slower speech, longer timeouts, the keypad offered with every question. */
  elderly?: boolean;
  /** Overrides of the mode's defaults. */
  noInputTimeoutMs?: number;
  rate?: number;
  /** The failures at one question that hand the caller to a person (default 2 in elderly mode, else 3). */
  humanAfterFailures?: number;
}

/** One caller answer as a node sees it. */
export type Answer = { source: 'voice'; text: string; nlu: NluResult } | { source: 'keypad'; digits: string };

/** Where an answer leads: one of the node's named exits, plus slots to store. */
export interface Decision {
  exit: string;
  slots?: Record<string, unknown>;
}

interface NodeBase {
  /** Spoken on entry. */
  prompt?: LocalizedText;
  bargeIn?: BargeInMode;
  /** Exit name -> node id. */
  exits: Record<string, string>;
  /** Shown in diagrams instead of the node id. */
  label?: string;
}

export interface SayNode extends NodeBase {
  kind: 'say';
  prompt: LocalizedText;
  /** exits.next */
}

export interface AskNode extends NodeBase {
  kind: 'ask';
  prompt: LocalizedText;
  expected: ExpectedSlot;
  /** The second re-prompt: reworded question (the keypad hint is added after it). */
  reprompt?: LocalizedText;
  /** The keypad alternative ("press 1 for yes, 2 for no"). */
  keypadHint?: LocalizedText;
  help?: LocalizedText;
  hints?: string[] | ((ctx: DialogContext) => string[]);
  /** A function gives a grammar per call (e.g. only for the language the grammar is written in). */
  grammar?: ListenCommand['grammar'] | ((ctx: DialogContext) => ListenCommand['grammar']);
  /** Multi-key entry; without it each key is an answer of its own. */
  dtmf?: { maxDigits?: number; terminator?: string; leadingZero?: boolean };
  /** Global intents this node takes as answers (exit names), e.g. cancel -> 'remove-last'. */
  intentExits?: Partial<Record<GlobalIntent, string>>;
  /**
   * A read-back: these exits reject what `question` collected ("two pizzas, is that right?" ->
   * "no"). Each counts a failure of that question (a person once it reaches the limit, instead
   * of the exit); any other exit accepts the answer and clears the question's failures. The
   * question is a node id, or a name of its own for a read-back of several answers (the order).
   * A node that is some read-back's question keeps its failures when it is answered.
   */
  rejects?: { exits: string[]; question: string };
  /**
   * Exits that keep the question open for the rest of the answer (a caller who paused after
   * "12" before "Oak Lane"): the slots are stored and the node listens on, with no prompt and
   * no failure, for a fresh speech wait.
   */
  holdExits?: string[];
  /** Interprets an answer; null means no-match. */
  accept: (answer: Answer, ctx: DialogContext) => Decision | null;
}

export interface TransferNode extends NodeBase {
  kind: 'transfer';
  reason: TransferCommand['reason'];
  target?: string;
  /** exits.failed (optional): where a failed transfer goes; default the no-agent goodbye. */
}

export interface HangupNode extends NodeBase {
  kind: 'hangup';
  status: string;
}

export interface BranchNode extends NodeBase {
  kind: 'branch';
  /** Tried in order; the first that holds names the exit; none -> exits.else. */
  cases: Array<{ exit: string; when: (ctx: DialogContext) => boolean; label?: string }>;
}

/** Runs a provided actor (`machine.provide({ actors })`); exits.error on failure. */
export interface TaskNode extends NodeBase {
  kind: 'task';
  src: string;
  input: (ctx: DialogContext) => unknown;
  onDone: (output: unknown, ctx: DialogContext) => Decision;
}

export type DialogNode = SayNode | AskNode | TransferNode | HangupNode | BranchNode | TaskNode;

export interface DialogDefinition {
  id: string;
  /** First node after call.started. */
  start: string;
  nodes: Record<string, DialogNode>;
  /** Opt-out (outbound): caller says one of these words or presses the key -> opted-out. */
  optOut?: { key?: string; words?: string[]; prompt?: LocalizedText };
  /** Summary for the human agent; default lists node, slots and last turns. */
  summary?: (ctx: DialogContext) => string;
  /** Elderly mode when the input does not say; default false. */
  elderlyByDefault?: boolean;
  /** Runs on call.started after the built-in setup (read parameters into slots, etc.). */
  onStart?: (ctx: DialogContext) => Partial<DialogContext>;
}
