/**
 * One call session: joins a CallLeg, the speech adapters, the NLU, a dialog actor and the
 * turn-taking machine. The dialog speaks only the contract (dialogs/contract.ts); the turn
 * machine decides about barge-in and endpointing; this class performs the effects: playback,
 * recognition, NLU, transfer to an agent from the session's agent source, the call record
 * (session-record.ts), hanging up after the last words (playout.ts).
 */
import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import type { Language, RecognizeStream } from '../../asr-tts/asr.ts';
import type { DialogCommand, DialogEvent, ListenCommand, SayCommand } from '../../dialogs/contract.ts';
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { CallRecorder } from '../calls/call-record.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { Logger } from '../log/logger.ts';
import { AskedPrompts } from './asked-prompts.ts';
import { CallerInput } from './caller-input.ts';
import { Playback } from './playback.ts';
import { Playout } from './playout.ts';
import { openRecognizer } from './recognizer.ts';
import { sessionRecorder, storeRecord } from './session-record.ts';
import type { DialogSpec, SessionDeps } from './session-types.ts';
import { SessionTransfers } from './transfer.ts';
import { isInternal, turnEffects } from './turn-effects.ts';
import { type TurnEvent, turnMachine } from './turn-machine.ts';

export { SESSION_PHRASES } from './session-phrases.ts';
export type { DialogSpec, SessionDeps } from './session-types.ts';

export class CallSession {
  readonly recorder: CallRecorder;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly language: Language;
  private readonly turn: Actor<typeof turnMachine>;
  private readonly dialog: Actor<AnyStateMachine>;
  private readonly playback: Playback;
  private readonly playout: Playout;
  private readonly transfers: SessionTransfers;
  private readonly asked = new AskedPrompts();
  /** The caller's line through the echo gate to the VAD (once the VAD is made). */
  private input: CallerInput | null = null;
  private asr: RecognizeStream | null = null;
  private listen: ListenCommand | null = null;
  private lastSpeechEndAt: number | null = null;
  private latencyFrom: number | null = null;
  private inputSinceListen = true;
  private ended = false;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly leg: CallLeg,
    private readonly spec: DialogSpec,
    private readonly deps: SessionDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.language = spec.language ?? 'en-US';
    this.log = deps.log.child({ callId: leg.info.callId, dialog: spec.name });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.recorder = sessionRecorder(leg, spec.name, this.clock, deps.recordAudio ?? false);
    this.playback = new Playback(leg, deps.tts, this.clock, {
      onAudio: (samples, startMs) => this.onBotAudio(samples, startMs),
      // What was queued will not play: no longer the echo reference, cut from the recording.
      onCut: () => {
        this.input?.echo.cleared(this.clock.now());
        this.recorder.audio?.cut(this.recorder.now());
      },
      onError: (promptId, code, retryable) => {
        this.log.warn({ promptId, code }, 'synthesis failed');
        this.recorder.event('speech.error', { code, promptId });
        if (!isInternal(promptId)) this.toDialog({ type: 'speech.error', code, retryable });
      },
    });
    this.playout = new Playout(leg, this.playback);
    this.transfers = new SessionTransfers({
      leg,
      agents: deps.agents,
      language: this.language,
      recorder: this.recorder,
      metrics: deps.metrics,
      log: this.log,
      beforeTransfer: () => this.asked.settled().then(() => this.playout.playedOut()),
      toDialog: (e) => this.toDialog(e),
    });
    this.turn = createActor(turnMachine.provide({ actions: this.turnActions() }), {
      input: { timings: deps.timings ?? {} },
    });
    this.dialog = createActor(spec.machine, { input: spec.input });
  }

  /** Runs the call; resolves once it has ended and its record is stored. */
  async run(): Promise<void> {
    this.input = new CallerInput(await this.deps.createVad(this.leg.info.sampleRate));
    if (!this.leg.active) {
      this.end('caller');
      return this.done;
    }
    this.leg.on('audio', (frame) => this.onCallerAudio(frame.samples, frame.timestampMs));
    this.leg.on('dtmf', (e) => this.sendTurn({ type: 'dtmf', digit: e.digit }));
    this.leg.on('mark', (e) => this.onMark(e.name, e.played));
    this.leg.once('hangup', (e) => this.end(e.reason, e.detail));
    for (const type of ['say', 'listen', 'transfer', 'hangup', 'outcome', 'stop_prompt'] as const) {
      this.dialog.on(type, (cmd) => this.onCommand(cmd as DialogCommand));
    }
    this.dialog.subscribe({
      error: (err) => {
        this.log.error({ err }, 'dialog failed; ending the call');
        this.recorder.event('dialog.error');
        this.hangupAfter('dialog-error');
      },
    });
    this.turn.start();
    this.dialog.start();
    const { info } = this.leg;
    this.toDialog({
      type: 'call.started',
      call: {
        callId: info.callId,
        direction: info.direction,
        language: this.language,
        parameters: { ...this.deps.parameters, ...info.parameters },
        ...(info.from ? { from: info.from } : {}),
        ...(info.to ? { to: info.to } : {}),
      },
    });
    return this.done;
  }

  // ---- leg events ----------------------------------------------------------------------

  private onCallerAudio(samples: Int16Array, timestampMs: number): void {
    if (this.ended) return;
    this.recorder.audio?.caller(samples);
    // The recognizer hears the line as it is (gating would cut the caller's syllables during
    // double talk); the VAD hears it echo-gated. Finals count only after VAD speech (readAsr).
    const frame = { samples, sampleRate: this.leg.info.sampleRate, timestampMs };
    this.asr?.push(frame);
    for (const e of this.input?.push(frame, this.clock.now()) ?? []) {
      if (e.type === 'start') {
        this.inputSinceListen = true;
        this.spokeSinceFinal = true;
        this.sendTurn({ type: 'vad.start', heardMs: e.heardMs });
      } else {
        this.lastSpeechEndAt = this.clock.now();
        this.sendTurn({ type: 'vad.end', speechMs: e.speechMs });
      }
    }
  }

  private onBotAudio(samples: Int16Array, startMs: number): void {
    this.input?.echo.played(samples, this.leg.info.sampleRate, startMs);
    this.recorder.audio?.bot(samples, startMs - (this.clock.now() - this.recorder.now()));
    if (this.latencyFrom !== null) {
      this.deps.metrics.sessionTurnLatency.observe(Math.max(0, startMs - this.latencyFrom) / 1000);
      this.latencyFrom = null;
    }
  }

  private onMark(name: string, played: boolean): void {
    if (this.playout.onMark(name)) return;
    const promptId = this.playback.onMark(name, played);
    if (promptId !== undefined) this.sendTurn({ type: 'bot.played', promptId });
  }

  // ---- dialog commands -----------------------------------------------------------------

  private onCommand(cmd: DialogCommand): void {
    if (this.ended) return;
    switch (cmd.type) {
      case 'say':
        this.say(cmd);
        return;
      case 'listen':
        this.startListening(cmd);
        return;
      case 'transfer':
        this.transfers.run(cmd);
        return;
      case 'hangup':
        this.recorder.record.endReason = cmd.reason;
        this.hangupAfter(cmd.reason);
        return;
      case 'outcome':
        this.recorder.record.outcome = { status: cmd.status, slots: cmd.slots };
        this.recorder.event('outcome', { status: cmd.status });
        return;
      case 'stop_prompt':
        this.sendTurn({ type: 'bot.stop' });
        return;
    }
  }

  /** The dialog (or the session) asks for a prompt; the turn machine puts it on the line (playPrompts). */
  private say(cmd: SayCommand): void {
    if (!isInternal(cmd.promptId)) {
      if (this.listen && !this.inputSinceListen) this.deps.metrics.sessionReprompts.inc({ kind: 'no-input' });
      this.inputSinceListen = true;
    }
    this.asked.add(cmd);
    this.sendTurn({ type: 'bot.say', promptId: cmd.promptId, bargeIn: cmd.bargeIn });
  }

  private playPrompt(promptId: string): void {
    const cmd = this.asked.take(promptId);
    if (!cmd) return;
    this.recorder.say({ promptId: cmd.promptId, text: cmd.text });
    this.log.debug({ promptId: cmd.promptId, pii: { text: cmd.text } }, 'say');
    this.playback.play({
      promptId: cmd.promptId,
      text: cmd.text,
      language: cmd.language ?? this.language,
      ...(cmd.rate ? { rate: cmd.rate } : {}),
    });
  }

  /** A deferred prompt that will not play (the dialog's answer to the caller replaced it). */
  private dropPrompt(promptId: string, why: string): void {
    if (!this.asked.take(promptId)) return;
    this.recorder.event('prompt.dropped', { promptId, why });
    if (!isInternal(promptId)) this.toDialog({ type: 'prompt.done', promptId, interrupted: true });
  }

  /** Hangs up once every prompt asked so far is on the line and has played. */
  private hangupAfter(reason: string): void {
    void this.asked.settled().then(() => this.playout.hangupAfter(reason));
  }

  private startListening(cmd: ListenCommand): void {
    this.listen = cmd;
    this.inputSinceListen = false;
    this.sendTurn({
      type: 'listen',
      ...(cmd.endpointSilenceMs ? { endpointSilenceMs: cmd.endpointSilenceMs } : {}),
    });
    this.asr?.close();
    const stream = openRecognizer(this.deps.asr, this.language, cmd);
    this.asr = stream;
    // The caller is in the middle of an utterance (talking over the prompt): the new recognizer
    // hears it from its start, so it comes out as one final, not split at this moment.
    const utterance = this.input?.utterance;
    if (utterance?.inProgress) for (const f of utterance.held()) stream.push(f);
    void this.readAsr(stream);
  }

  private async readAsr(stream: RecognizeStream): Promise<void> {
    for await (const e of stream) {
      if (this.ended || stream !== this.asr) continue;
      if (e.type === 'asr.final') {
        if (!this.spokeSinceFinal) {
          // Words with no caller speech behind them: the bot's own echo or line noise.
          if (e.text.trim()) this.recorder.heard({ text: '', ignored: e.text, source: 'speech' });
          this.recorder.event('words.ignored', { why: 'no-speech' });
          continue;
        }
        this.spokeSinceFinal = this.input?.speaking ?? false;
        this.input?.utterance.finalHeard(this.spokeSinceFinal);
        this.lastConfidence = e.confidence;
        this.sendTurn({ type: 'asr.text', text: e.text });
      } else if (e.type === 'asr.error') {
        this.log.warn({ code: e.code }, 'recognition failed');
        this.recorder.event('speech.error', { code: e.code });
        this.toDialog({ type: 'speech.error', code: e.code, retryable: e.retryable });
      }
    }
  }

  private lastConfidence = 0;
  private spokeSinceFinal = false;

  // ---- turn machine effects (turn-effects.ts) -------------------------------------------

  private turnActions() {
    return turnEffects({
      language: this.language,
      playback: this.playback,
      recorder: this.recorder,
      metrics: this.deps.metrics,
      input: () => this.input,
      say: (cmd) => this.say(cmd),
      play: (promptId) => this.playPrompt(promptId),
      drop: (promptId, why) => this.dropPrompt(promptId, why),
      hangupAfter: (reason) => this.hangupAfter(reason),
      sendTurn: (e) => this.sendTurn(e),
      toDialog: (e) => this.toDialog(e),
      deliverWords: (text) => this.deliverWords(text),
      keyDelivered: () => {
        this.inputSinceListen = true;
      },
      flushAsr: () => this.asr?.flush(),
    });
  }

  private deliverWords(text: string): void {
    this.inputSinceListen = true;
    // Speech end as the VAD saw it; the recognizer's own endpoint may come first (then: now).
    const vadEnded = this.input && !this.input.speaking && this.lastSpeechEndAt !== null;
    this.latencyFrom = vadEnded ? this.lastSpeechEndAt : this.clock.now();
    const expected = this.listen?.expected ?? 'free';
    const nlu = this.deps.nlu.parse(text, {
      language: this.language,
      expected,
      ...(this.spec.catalog ? { catalog: this.spec.catalog } : {}),
      now: new Date(),
    });
    const confidence = this.lastConfidence;
    if (nlu.intent === 'none' && Object.keys(nlu.slots).length === 0 && expected !== 'free') {
      this.deps.metrics.sessionReprompts.inc({ kind: 'no-match' });
    }
    this.recorder.heard({ text, source: 'speech', confidence });
    this.log.debug({ intent: nlu.intent, expected, pii: { text } }, 'caller said');
    this.toDialog({ type: 'user.said', text, confidence, nlu });
  }

  // ---- plumbing ------------------------------------------------------------------------

  private sendTurn(event: TurnEvent): void {
    if (!this.ended) this.turn.send(event);
  }

  private toDialog(event: DialogEvent): void {
    // Nothing after the end but the hang-up, and nothing to a dialog that has finished.
    if ((this.ended && event.type !== 'call.hangup') || this.dialog.getSnapshot().status !== 'active') return;
    try {
      this.dialog.send(event);
    } catch (err) {
      this.log.error({ err, event: event.type }, 'dialog threw');
    }
  }

  private end(reason: string, detail?: string): void {
    if (this.ended) return;
    this.recorder.event('call.hangup', { reason, ...(detail ? { detail } : {}) });
    if (reason === 'transfer') this.transfers.handedOver(detail); // transfer.done before call.hangup
    this.toDialog({ type: 'call.hangup' });
    this.ended = true;
    this.turn.send({ type: 'call.hangup' });
    this.turn.stop();
    this.dialog.stop();
    this.playback.close();
    this.asked.clear();
    this.asr?.close();
    this.asr = null;
    this.input?.close();
    void storeRecord(this.recorder, reason, this.deps.sink, this.log).then(() => this.resolveDone());
  }
}
