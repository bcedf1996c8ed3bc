/**
 * Voicemail drop: once AMD has said MACHINE and the campaign's amd.mode is voicemail, wait for
 * the recorder's beep (engine/amd waitForBeep), then speak the campaign's message through TTS
 * and hang up once it has played. No beep within `beepTimeoutMs` -> nothing is left (the machine
 * would record the greeting's tail, or it has no beep at all).
 */
import type { Language } from '../../../asr-tts/asr.ts';
import type { TtsAdapter } from '../../../asr-tts/tts.ts';
import type { CallLeg } from '../../../telephony/call-leg.ts';
import { waitForBeep } from '../../amd/run-amd.ts';

export interface VoicemailOptions {
  tts: TtsAdapter;
  language?: Language;
  /** How long to wait for the beep after the AMD decision (default 30 s). */
  beepTimeoutMs?: number;
  /** How long the message may take to play out before the call is ended anyway (default 60 s). */
  maxMessageMs?: number;
  signal?: AbortSignal;
}

export type VoicemailResult =
  | {
      left: true;
      /** When the beep started and ended, ms of the callee's audio after waitForBeep began. */
      beep: { startMs: number; endMs: number; frequencyHz: number };
      /** Wall-clock time from the end of the beep to the first frame of the message. */
      startedAfterBeepMs: number;
      messageMs: number;
    }
  | { left: false; reason: 'no-beep' | 'hangup' | 'aborted' | 'tts-failed' };

/** Resolves once the leg's queued audio has played, the leg hung up, or `timeoutMs` passed. */
function playedOut(leg: CallLeg, timeoutMs: number): Promise<void> {
  if (!leg.active || leg.queuedMs() === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(finish, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      leg.off('drained', finish);
      leg.off('hangup', finish);
      resolve();
    }
    leg.on('drained', finish);
    leg.on('hangup', finish);
  });
}

/** Waits for the beep, plays `text`, waits until it has played, and hangs up. */
export async function leaveVoicemail(
  leg: CallLeg,
  text: string,
  options: VoicemailOptions,
): Promise<VoicemailResult> {
  const beep = await waitForBeep(leg, options.beepTimeoutMs ?? 30_000, {
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!beep) {
    if (options.signal?.aborted) return { left: false, reason: 'aborted' };
    return { left: false, reason: leg.active ? 'no-beep' : 'hangup' };
  }
  const beepHeardAt = performance.now();
  let firstFrameAt: number | null = null;
  let samples = 0;
  try {
    const frames = options.tts.synthesize(
      text,
      { language: options.language ?? 'en-US', sampleRate: leg.info.sampleRate },
      options.signal,
    );
    for await (const frame of frames) {
      if (!leg.active) return { left: false, reason: 'hangup' };
      firstFrameAt ??= performance.now();
      samples += frame.samples.length;
      leg.sendAudio(frame);
    }
  } catch {
    if (options.signal?.aborted) return { left: false, reason: 'aborted' };
    return { left: false, reason: 'tts-failed' };
  }
  if (samples === 0) return { left: false, reason: 'tts-failed' };
  await playedOut(leg, options.maxMessageMs ?? 60_000);
  if (!leg.active) return { left: false, reason: 'hangup' };
  leg.hangup('voicemail-left');
  return {
    left: true,
    beep: { startMs: beep.startMs, endMs: beep.endMs, frequencyHz: beep.frequencyHz },
    startedAfterBeepMs: Math.round((firstFrameAt ?? beepHeardAt) - beepHeardAt),
    messageMs: Math.round((samples * 1000) / leg.info.sampleRate),
  };
}
