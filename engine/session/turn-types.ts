/** What the turn machine (turn-machine.ts) is given and keeps: timings, queued prompts, events. */
import type { BargeInMode } from '../../dialogs/contract.ts';

export interface TurnTimings {
  /** Speech (from its onset) before the bot pauses; shorter is a click or a cough. */
  minSpeechMs: number;
  /** Speech (from its onset) after which the pause is a barge-in without waiting for words. */
  backchannelMaxMs: number;
  /** How long after speech ends the VAD reports it (its hangover): a backchannel's end may come this late. */
  vadEndLagMs: number;
  /** Silence after speech that ends the caller's turn (a listen command may override it). */
  endpointSilenceMs: number;
  /** How long to wait for the recognizer's final after a flush. */
  finalWaitMs: number;
  /** After the caller's words went to the dialog: how long its answer may take to supersede deferred prompts. */
  answerWaitMs: number;
  /** Longest call; then the session says goodbye and hangs up. */
  maxCallMs: number;
}

export const DEFAULT_TURN_TIMINGS: TurnTimings = {
  minSpeechMs: 100,
  backchannelMaxMs: 700,
  vadEndLagMs: 500,
  endpointSilenceMs: 700,
  finalWaitMs: 800,
  answerWaitMs: 1000,
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
  /** Speech the VAD had already heard when it reported the start (its own minimum). */
  heardMs: number;
  /** A backchannel heard while the bot was paused. */
  heldWords: string;
  /** Words of a final that came before the caller's turn was over (delivered with the rest). */
  keptWords: string;
  /** The recognizer answered the caller's turn with no words (then a missing final is unheard). */
  emptyFinal: boolean;
  /** Prompts the dialog asked for while the caller held the floor: not on the line yet. */
  deferred: QueuedPrompt[];
}

export type TurnEvent =
  | { type: 'bot.say'; promptId: string; bargeIn: BargeInMode }
  | { type: 'bot.played'; promptId: string }
  | { type: 'bot.stop' }
  | { type: 'listen'; endpointSilenceMs?: number }
  | { type: 'vad.start'; heardMs?: number }
  /** speechMs: from the speech's onset to its end (media time), when known. */
  | { type: 'vad.end'; speechMs?: number }
  | { type: 'asr.text'; text: string }
  | { type: 'dtmf'; digit: string }
  | { type: 'call.hangup' };
