/**
 * The turn machine's effects in a call session (turn-machine.ts names them, the session
 * provides them here): playback paused, resumed or flushed, prompts reported done, the caller's
 * words and keys handed to the dialog, barge-in results counted and recorded, the session's own
 * prompts ("Sorry, please go on.", the time limit).
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { DialogEvent, SayCommand } from '../../dialogs/contract.ts';
import type { CallRecorder } from '../calls/call-record.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { CallerInput } from './caller-input.ts';
import type { Playback } from './playback.ts';
import { SESSION_PHRASES } from './session-phrases.ts';
import type { TurnEvent, turnMachine } from './turn-machine.ts';

/** Prompt ids of what the session itself says; never reported to the dialog. */
export const INTERNAL = 'session:';
export const isInternal = (promptId: string): boolean => promptId.startsWith(INTERNAL);

/** What the effects act on: the session's parts, and the steps only the session can take. */
export interface TurnEffectsHost {
  language: Language;
  playback: Playback;
  recorder: CallRecorder;
  metrics: Metrics;
  input(): CallerInput | null;
  say(cmd: SayCommand): void;
  /** Puts an asked prompt on the line. */
  play(promptId: string): void;
  /** An asked prompt will not play. */
  drop(promptId: string, why: string): void;
  /** Hangs up once the prompts asked so far have played. */
  hangupAfter(reason: string): void;
  sendTurn(event: TurnEvent): void;
  toDialog(event: DialogEvent): void;
  deliverWords(text: string): void;
  /** A key was handed to the dialog (input since the last listen). */
  keyDelivered(): void;
  flushAsr(): void;
}

type TurnActions = NonNullable<Parameters<typeof turnMachine.provide>[0]['actions']>;

export function turnEffects(h: TurnEffectsHost): TurnActions {
  const internalSay = (key: 'noise' | 'timeUp', bargeIn: SayCommand['bargeIn']): void =>
    h.say({ type: 'say', promptId: `${INTERNAL}${key}`, text: SESSION_PHRASES[h.language][key], bargeIn });
  return {
    clearPlayback: () => h.playback.flush(),
    pausePlayback: () => {
      if (h.playback.isPaused) return;
      const playedOut = h.playback.pause();
      const { mode, delayMs, echoReturnDb } = h.input()?.echo.state ?? {};
      h.recorder.event('barge_in.pause', { echo: { mode, delayMs, echoReturnDb } });
      // Prompts that had played to their end before the cut (their marks went with the clear).
      for (const promptId of playedOut) h.sendTurn({ type: 'bot.played', promptId });
    },
    playPrompts: (_, p) => {
      for (const { promptId } of p.prompts) h.play(promptId);
    },
    dropPrompts: (_, p) => {
      for (const { promptId } of p.prompts) h.drop(promptId, p.why);
    },
    resumePlayback: () => {
      h.recorder.event('barge_in.resume');
      h.playback.resume();
    },
    reportInterrupted: (_, p) => {
      for (const { promptId } of p.prompts) {
        const entry = h.recorder.record.transcript.findLast(
          (t) => t.side === 'bot' && t.promptId === promptId,
        );
        if (entry) entry.interrupted = true;
        if (!isInternal(promptId)) h.toDialog({ type: 'prompt.done', promptId, interrupted: true });
      }
    },
    reportPlayed: (_, p) => {
      if (!isInternal(p.promptId))
        h.toDialog({ type: 'prompt.done', promptId: p.promptId, interrupted: false });
    },
    deliverWords: (_, p) => h.deliverWords(p.text),
    deliverDtmf: (_, p) => {
      h.keyDelivered();
      h.recorder.heard({ text: p.digit, source: 'dtmf' });
      h.toDialog({ type: 'user.dtmf', digit: p.digit });
    },
    reportSpeechStart: () => h.toDialog({ type: 'user.speech_start' }),
    reportUnheard: () => {
      h.recorder.event('words.none');
      h.toDialog({ type: 'user.unheard' });
    },
    ignoreWords: (_, p) => {
      h.recorder.heard({ text: '', ignored: p.text, source: 'speech' });
      h.recorder.event('words.ignored', { why: p.why });
    },
    falseTrigger: (_, p) => {
      h.metrics.sessionBargeIns.inc({ result: p.resumed ? 'resumed' : 'false-trigger' });
      h.recorder.event('barge_in.rejected', { why: p.why, resumed: p.resumed });
    },
    bargedIn: (_, p) => {
      h.metrics.sessionBargeIns.inc({ result: p.by });
      h.recorder.event('barge_in', { by: p.by });
    },
    flushAsr: () => h.flushAsr(),
    noiseReprompt: () => {
      h.metrics.sessionBargeIns.inc({ result: 'noise' });
      h.recorder.event('barge_in.noise');
      internalSay('noise', 'always');
    },
    maxDuration: () => {
      h.recorder.event('max_duration');
      h.recorder.record.endReason = 'max-duration';
      h.playback.flush();
      internalSay('timeUp', 'never');
      h.hangupAfter('max-duration');
    },
  };
}
