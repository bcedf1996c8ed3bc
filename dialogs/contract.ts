/**
 * The contract between a dialog and the call-session runtime.
 *
 * A dialog is an XState v5 machine with zero I/O. The session (engine/session/) sends it
 * DialogEvents; the dialog asks for effects by emitting DialogCommands with XState's `emit()`
 * (the session subscribes with `actor.on('say', ...)` etc.). Timers inside dialogs (no-input,
 * max duration) are named delays, so tests drive them with SimulatedClock.
 *
 * Event types are dotted lowercase. Personal data (numbers, digits, transcripts) travels in
 * events but is only ever logged under a `pii` key by the session.
 */
import type { Grammar, Language } from '../asr-tts/asr.ts';
import type { ExpectedSlot, NluResult } from './nlu/types.ts';

/** How a prompt may be interrupted by the caller's speech or keys. */
export type BargeInMode = 'always' | 'never' | { afterMs: number };

export interface CallContextInfo {
  callId: string;
  direction: 'inbound' | 'outbound';
  /** Caller ID / callee number (personal data). */
  from?: string;
  to?: string;
  language: Language;
  /** Platform parameters (Twilio customParameters, raw metadata, campaign contact variables). */
  parameters: Record<string, string>;
}

// ---- session -> dialog -------------------------------------------------------------------

export type DialogEvent =
  | { type: 'call.started'; call: CallContextInfo }
  /**
   * A prompt finished: fully played, or cut short by barge-in (interrupted: true). A prompt cut by
   * the caller's words or key is reported after them (user.said / user.dtmf first): the dialog
   * answers them in the node that was speaking and ignores this late prompt.done, instead of
   * moving on from the prompt and asking a question the caller has already left behind.
   */
  | { type: 'prompt.done'; promptId: string; interrupted: boolean }
  /** A final recognition result, already parsed by the NLU with the current listen expectation. */
  | { type: 'user.said'; text: string; confidence: number; nlu: NluResult }
  /** One keypad digit (DTMF from any source). */
  | { type: 'user.dtmf'; digit: string }
  /** Speech started (the session has already applied the prompt's barge-in policy). */
  | { type: 'user.speech_start' }
  /**
   * The caller's turn ended and the recognizer gave no words (out of grammar, rejected, noise).
   * Optional: without it a question waits `speechWait` from the speech start before asking again.
   */
  | { type: 'user.unheard' }
  /** Recognition or synthesis failed in a way the dialog should handle (re-prompt, keypad, human). */
  | { type: 'speech.error'; code: string; retryable: boolean }
  /** Result of a `transfer` command; reason 'no-agent' when nobody is free. */
  | { type: 'transfer.done'; ok: boolean; reason?: 'no-agent' | 'failed' | 'unsupported'; detail?: string }
  /** The caller hung up (the dialog should reach a final state). */
  | { type: 'call.hangup' };

// ---- dialog -> session (emitted) ---------------------------------------------------------

export interface SayCommand {
  type: 'say';
  /** Stable id echoed in prompt.done (e.g. 'greeting', 'ask-item#2'). */
  promptId: string;
  text: string;
  language?: Language;
  bargeIn: BargeInMode;
  /** Speech rate multiplier (elderly mode uses ~0.8). */
  rate?: number;
}

export interface ListenCommand {
  type: 'listen';
  expected: ExpectedSlot;
  /** Hints and grammar phrases for the recognizer (menu item names, yes/no words). */
  hints?: string[];
  grammar?: Grammar;
  /** Silence after speech that ends the caller's turn. */
  endpointSilenceMs?: number;
  /** Keypad digits that end a digit collection ('#'), and the max length. */
  dtmf?: { maxDigits?: number; terminator?: string };
}

export interface TransferCommand {
  type: 'transfer';
  reason: 'caller-request' | 'bot-failure' | 'sales-qualified' | 'other';
  /** Short summary for the human agent: slots so far, last turns (personal data). */
  summary: string;
  /** An agent, queue or URI; default: the session's agent registry picks a free agent. */
  target?: string;
}

export interface HangupCommand {
  type: 'hangup';
  reason: string;
}

/** The dialog's result so far; the last one emitted before the end is the call's outcome. */
export interface OutcomeCommand {
  type: 'outcome';
  status: string;
  slots: Record<string, unknown>;
}

/** Stop any prompt now (e.g. the dialog decided to move on). */
export interface StopPromptCommand {
  type: 'stop_prompt';
}

export type DialogCommand =
  | SayCommand
  | ListenCommand
  | TransferCommand
  | HangupCommand
  | OutcomeCommand
  | StopPromptCommand;

export type DialogCommandType = DialogCommand['type'];
