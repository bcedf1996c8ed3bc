/**
 * AMD on a live leg, for the dialer: `runAmd` classifies the first seconds of the callee's
 * audio (hang up on machines, or go on to `waitForBeep` and play the voicemail message once the
 * beep ends). Both listen to the leg's `audio` events and remove their listeners when done.
 */
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { AudioFrame } from '../audio/frame.ts';
import { AmdClassifier, type AmdDecision, type AmdParameters, type AmdResult } from './amd-classifier.ts';
import { BeepDetector, type BeepEvent, type BeepOptions } from './beep-detector.ts';

export interface RunAmdOptions {
  params?: Partial<AmdParameters>;
  /** Wall-clock limit in case audio stops arriving (default totalAnalysisTime + 2 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunAmdOutcome {
  result: AmdResult;
  /** app_amd's reason, or HANGUP / TIMEOUT / ABORTED when the call or the caller cut it short. */
  reason: AmdDecision['reason'] | 'HANGUP' | 'TIMEOUT' | 'ABORTED';
  /** Audio analysed when the decision fell (ms after the first frame). */
  atMs: number;
  /** Wall-clock time from runAmd() to the decision. */
  elapsedMs: number;
  words: number;
}

/** Settles once; removes every listener it added and its timer. */
function listen<T>(
  leg: CallLeg,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onFrame: (frame: AudioFrame, done: (v: T) => void) => void,
  onEnd: (why: 'HANGUP' | 'TIMEOUT' | 'ABORTED') => T,
): Promise<T> {
  return new Promise<T>((resolve) => {
    let settled = false;
    const done = (v: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      leg.off('audio', audio);
      leg.off('hangup', hangup);
      signal?.removeEventListener('abort', abort);
      resolve(v);
    };
    const audio = (frame: AudioFrame) => onFrame(frame, done);
    const hangup = () => done(onEnd('HANGUP'));
    const abort = () => done(onEnd('ABORTED'));
    const timer = setTimeout(() => done(onEnd('TIMEOUT')), timeoutMs);
    leg.on('audio', audio);
    leg.on('hangup', hangup);
    signal?.addEventListener('abort', abort);
    if (!leg.active) hangup();
    else if (signal?.aborted) abort();
  });
}

export function runAmd(leg: CallLeg, options: RunAmdOptions = {}): Promise<RunAmdOutcome> {
  const amd = new AmdClassifier(options.params);
  const started = performance.now();
  let analysedMs = 0;
  const outcome = (d: Omit<RunAmdOutcome, 'elapsedMs'>): RunAmdOutcome => ({
    ...d,
    elapsedMs: Math.round(performance.now() - started),
  });
  return listen<RunAmdOutcome>(
    leg,
    options.timeoutMs ?? amd.params.totalAnalysisTimeMs + 2000,
    options.signal,
    (frame, done) => {
      analysedMs += (frame.samples.length * 1000) / frame.sampleRate;
      const d = amd.push(frame);
      if (d) done(outcome({ result: d.result, reason: d.reason, atMs: d.atMs, words: d.words }));
    },
    (why) => outcome({ result: 'NOTSURE', reason: why, atMs: Math.round(analysedMs), words: 0 }),
  );
}

export interface WaitForBeepOptions {
  beep?: Partial<BeepOptions>;
  signal?: AbortSignal;
}

/**
 * Resolves with the first beep once it has ended (start the voicemail message then), or null
 * when none came within `timeoutMs`, the call ended, or the signal aborted.
 */
export function waitForBeep(
  leg: CallLeg,
  timeoutMs: number,
  options: WaitForBeepOptions = {},
): Promise<BeepEvent | null> {
  const detector = new BeepDetector(options.beep);
  return listen<BeepEvent | null>(
    leg,
    timeoutMs,
    options.signal,
    (frame, done) => {
      const beeps = detector.push(frame);
      if (beeps.length > 0) done(beeps[0]!);
    },
    () => null,
  );
}
