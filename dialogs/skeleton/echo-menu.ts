/**
 * The walking-skeleton call handler: proves the call path end to end until real dialogs land.
 *
 *   greeting -> keypad menu
 *     1  echo mode: after the caller stops speaking (energy VAD), plays back what they said
 *     2  digits mode: reads back each digit typed (one clip per digit)
 *     0  "transferring you to an agent", then a transfer request (raw/jambonz answers it;
 *        a transport that cannot transfer gets "no agent is free" and the menu again)
 *     *  back to the menu;  #  goodbye, then hang up once the goodbye has played
 *   barge-in: caller speech (VAD start) or a key while the bot is talking -> leg.clear()
 *
 * Every prompt is followed by a mark; the bot counts as talking while a mark is outstanding, so
 * barge-in covers audio still buffered at the platform. No timers: everything happens on the
 * leg's own events (audio, dtmf, mark, hangup).
 */

import type { Vad } from '../../asr-tts/vad.ts';
import type { AudioFrame, SampleRate } from '../../engine/audio/frame.ts';
import { type Clock, systemClock } from '../../engine/clock.ts';
import { isVoicebotError } from '../../engine/errors.ts';
import type { Logger } from '../../engine/log/logger.ts';
import type { CallHandler, CallLeg, DtmfEvent, MarkEvent } from '../../telephony/call-leg.ts';
import { type PromptName, PromptSet } from './prompts.ts';

export type EchoMenuMode = 'menu' | 'echo' | 'digits' | 'transfer' | 'ending';

/** What the handler did, for timelines and tests. `atMs` is the injected clock (performance.now). */
export interface SkeletonEvent {
  type:
    | 'skeleton.prompt'
    | 'skeleton.echo'
    | 'skeleton.mode'
    | 'skeleton.mark'
    | 'skeleton.barge_in'
    | 'skeleton.transfer'
    | 'skeleton.hangup';
  callId: string;
  atMs: number;
  [key: string]: unknown;
}

export interface EchoMenuOptions {
  log: Logger;
  /** Folder of the prompt WAVs (default fixtures/prompts). */
  promptsDir?: string;
  /** Already-loaded prompts (shared between handlers). */
  prompts?: PromptSet;
  /** A fresh VAD per call, at the call's rate. */
  createVad: (sampleRate: SampleRate) => Vad;
  /** Where "0" sends the caller (default "agent"). */
  transferTarget?: string;
  /** Longest utterance echoed back (default 8000 ms). */
  maxEchoMs?: number;
  /** Audio kept from before the VAD fired, so the echo keeps the first syllable (default 300 ms). */
  preRollMs?: number;
  onEvent?: (event: SkeletonEvent) => void;
  clock?: Clock;
}

export function createEchoMenuHandler(options: EchoMenuOptions): CallHandler {
  const prompts = options.prompts ?? PromptSet.load(options.promptsDir);
  return (leg) => {
    new EchoMenuCall(leg, prompts, options).start();
  };
}

class EchoMenuCall {
  private mode: EchoMenuMode = 'menu';
  private readonly rate: SampleRate;
  private readonly vad: Vad;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly outstanding = new Set<string>();
  private readonly preRoll: Int16Array[] = [];
  private readonly preRollFrames: number;
  private readonly maxEchoSamples: number;
  private capture: Int16Array[] | null = null;
  private captureSamples = 0;
  private seq = 0;
  private goodbyeMark: string | null = null;
  private agentMark: string | null = null;

  constructor(
    private readonly leg: CallLeg,
    private readonly prompts: PromptSet,
    private readonly options: EchoMenuOptions,
  ) {
    this.rate = leg.info.sampleRate;
    this.vad = options.createVad(this.rate);
    this.log = options.log.child({ callId: leg.info.callId, dialog: 'echo-menu' });
    this.clock = options.clock ?? systemClock;
    this.preRollFrames = Math.ceil((options.preRollMs ?? 300) / 20);
    this.maxEchoSamples = ((options.maxEchoMs ?? 8000) * this.rate) / 1000;
  }

  start(): void {
    this.leg.on('audio', (frame) => this.onAudio(frame));
    this.leg.on('dtmf', (event) => this.onDtmf(event));
    this.leg.on('mark', (event) => this.onMark(event));
    this.leg.once('hangup', (event) => {
      this.capture = null;
      this.vad.reset();
      this.emit('skeleton.hangup', { reason: event.reason });
    });
    this.say('greeting');
  }

  private get botTalking(): boolean {
    return this.outstanding.size > 0;
  }

  private emit(type: SkeletonEvent['type'], fields: Record<string, unknown> = {}): void {
    this.options.onEvent?.({ type, callId: this.leg.info.callId, atMs: this.clock.now(), ...fields });
  }

  private setMode(mode: EchoMenuMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.log.debug({ mode }, 'mode');
    this.emit('skeleton.mode', { mode });
  }

  /** Queues audio and a mark behind it; returns the mark name. */
  private play(samples: Int16Array, label: string): string {
    this.leg.sendAudio({ samples, sampleRate: this.rate, timestampMs: 0 });
    const mark = `${label}:${++this.seq}`;
    this.outstanding.add(mark);
    this.leg.mark(mark);
    return mark;
  }

  private say(name: PromptName): string {
    const samples = this.prompts.get(name, this.rate);
    const mark = this.play(samples, name);
    this.emit('skeleton.prompt', { name, ms: Math.round((samples.length * 1000) / this.rate), mark });
    return mark;
  }

  private bargeIn(cause: 'speech' | 'dtmf'): void {
    const queuedMs = this.leg.queuedMs();
    this.emit('skeleton.barge_in', { cause, queuedMs });
    this.log.debug({ cause, queuedMs }, 'barge-in');
    this.leg.clear();
  }

  private onAudio(frame: AudioFrame): void {
    for (const event of this.vad.process(frame)) {
      if (event.type === 'vad.speech_start') {
        if (this.botTalking && this.mode !== 'ending' && this.mode !== 'transfer') this.bargeIn('speech');
        if (this.mode === 'echo') {
          this.capture = [...this.preRoll];
          this.captureSamples = this.preRoll.reduce((n, s) => n + s.length, 0);
        }
      } else if (this.capture) {
        this.echo();
      }
    }
    const copy = frame.samples.slice();
    if (this.capture && this.captureSamples < this.maxEchoSamples) {
      this.capture.push(copy);
      this.captureSamples += copy.length;
    }
    this.preRoll.push(copy);
    if (this.preRoll.length > this.preRollFrames) this.preRoll.shift();
  }

  private echo(): void {
    const parts = this.capture ?? [];
    this.capture = null;
    if (this.mode !== 'echo' || parts.length === 0) return;
    const audio = new Int16Array(this.captureSamples);
    let at = 0;
    for (const p of parts) {
      audio.set(p, at);
      at += p.length;
    }
    const mark = this.play(audio, 'playback');
    this.emit('skeleton.echo', { ms: Math.round((audio.length * 1000) / this.rate), mark });
  }

  private onDtmf({ digit }: DtmfEvent): void {
    if (this.mode === 'ending' || this.mode === 'transfer') return;
    if (this.botTalking) this.bargeIn('dtmf');
    this.capture = null;
    if (digit === '#') {
      this.setMode('ending');
      this.goodbyeMark = this.say('goodbye');
    } else if (digit === '*') {
      this.setMode('menu');
      this.say('menu');
    } else if (this.mode === 'digits' && /^[0-9]$/.test(digit)) {
      this.say(`digit-${digit}` as PromptName);
    } else if (digit === '1') {
      this.setMode('echo');
      this.say('echo');
    } else if (digit === '2') {
      this.setMode('digits');
      this.say('digits');
    } else if (digit === '0') {
      this.setMode('transfer');
      this.agentMark = this.say('agent');
    } else {
      this.log.debug('key ignored in this mode');
    }
  }

  private onMark({ name, played }: MarkEvent): void {
    this.outstanding.delete(name);
    this.emit('skeleton.mark', { name, played });
    if (name === this.goodbyeMark) {
      this.leg.hangup('goodbye');
    } else if (name === this.agentMark) {
      this.agentMark = null;
      this.transfer();
    }
  }

  private transfer(): void {
    const target = this.options.transferTarget ?? 'agent';
    this.leg.transfer({ target, reason: 'caller pressed 0' }).then(
      (result) => {
        this.emit('skeleton.transfer', { ok: result.ok });
        if (!result.ok) this.transferFailed(result.detail ?? 'refused');
      },
      (err: unknown) => {
        const code = isVoicebotError(err) ? err.code : 'INTERNAL';
        this.emit('skeleton.transfer', { ok: false, code });
        this.transferFailed(code);
      },
    );
  }

  private transferFailed(why: string): void {
    this.log.info({ why }, 'transfer failed');
    if (!this.leg.active) return;
    this.setMode('menu');
    this.say('no-agent');
  }
}
