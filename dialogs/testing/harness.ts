/**
 * A tiny test harness for dialogs: starts the machine on a SimulatedClock, records every emitted
 * command, turns the caller's words into user.said events with the real deterministic NLU (using
 * the last listen command's expectation), and plays prompts to the end (prompt.done) on request.
 */
import { createActor, SimulatedClock } from 'xstate';
import type { Language } from '../../asr-tts/asr.ts';
import type { DialogMachine } from '../blocks/build-machine.ts';
import type { DialogInput } from '../blocks/types.ts';
import type { CallContextInfo, DialogCommand, ListenCommand, SayCommand } from '../contract.ts';
import type { Catalog } from '../nlu/catalog.ts';
import { DeterministicNlu } from '../nlu/deterministic-nlu.ts';

const COMMAND_TYPES = ['say', 'listen', 'transfer', 'hangup', 'outcome', 'stop_prompt'] as const;

export interface HarnessOptions {
  language?: Language;
  catalog?: Catalog;
  from?: string;
  parameters?: Record<string, string>;
  input?: DialogInput;
  direction?: 'inbound' | 'outbound';
}

export class DialogHarness {
  readonly clock = new SimulatedClock();
  readonly commands: DialogCommand[] = [];
  readonly actor;
  private readonly nlu = new DeterministicNlu();
  /** The instant relative dates are resolved against. */
  readonly now = new Date('2026-11-26T09:00:00Z');

  constructor(
    machine: DialogMachine,
    private readonly opts: HarnessOptions = {},
  ) {
    this.actor = createActor(machine, { clock: this.clock, input: opts.input });
    for (const type of COMMAND_TYPES) this.actor.on(type, (c: DialogCommand) => this.commands.push(c));
    this.actor.start();
  }

  private callInfo(): CallContextInfo {
    return {
      callId: 'call-test',
      direction: this.opts.direction ?? 'inbound',
      language: this.language,
      parameters: this.opts.parameters ?? {},
      ...(this.opts.from ? { from: this.opts.from } : {}),
    };
  }

  get language(): Language {
    return this.opts.language ?? 'en-US';
  }

  start(): this {
    this.actor.send({ type: 'call.started', call: this.callInfo() });
    return this;
  }

  of<T extends DialogCommand['type']>(type: T): Extract<DialogCommand, { type: T }>[] {
    return this.commands.filter((c): c is Extract<DialogCommand, { type: T }> => c.type === type);
  }

  lastSay(): SayCommand | undefined {
    return this.of('say').at(-1);
  }

  lastListen(): ListenCommand | undefined {
    return this.of('listen').at(-1);
  }

  /** Texts said since the last call of this method (or the start). */
  private seen = 0;
  newSays(): string[] {
    const says = this.of('say');
    const out = says.slice(this.seen).map((s) => s.text);
    this.seen = says.length;
    return out;
  }

  /** The current prompt finished (or was cut short by barge-in). */
  promptDone(interrupted = false): this {
    const say = this.lastSay();
    if (say) this.actor.send({ type: 'prompt.done', promptId: say.promptId, interrupted });
    return this;
  }

  said(text: string, confidence = 0.9): this {
    const expected = this.lastListen()?.expected ?? 'free';
    const nlu = this.nlu.parse(text, {
      language: this.language,
      expected,
      ...(this.opts.catalog ? { catalog: this.opts.catalog } : {}),
      now: this.now,
      timeZone: 'UTC',
    });
    this.actor.send({ type: 'user.said', text, confidence, nlu });
    return this;
  }

  /** The prompt plays out, then the caller answers. */
  answer(text: string): this {
    return this.promptDone().said(text);
  }

  /** The caller starts to speak (the session's VAD); words may follow with said(). */
  speechStart(): this {
    this.actor.send({ type: 'user.speech_start' });
    return this;
  }

  /** The caller's turn ended with no words from the recognizer. */
  unheard(): this {
    this.actor.send({ type: 'user.unheard' });
    return this;
  }

  keys(digits: string): this {
    for (const digit of digits) this.actor.send({ type: 'user.dtmf', digit });
    return this;
  }

  silence(ms: number): this {
    this.clock.increment(ms);
    return this;
  }

  hangup(): this {
    this.actor.send({ type: 'call.hangup' });
    return this;
  }

  transferDone(ok: boolean): this {
    this.actor.send(ok ? { type: 'transfer.done', ok } : { type: 'transfer.done', ok, reason: 'no-agent' });
    return this;
  }

  /** The top-level state the dialog is in. */
  node(): string {
    const v = this.actor.getSnapshot().value;
    return typeof v === 'string' ? v : Object.keys(v)[0]!;
  }

  done(): boolean {
    return this.actor.getSnapshot().status === 'done';
  }

  lastOutcome() {
    return this.of('outcome').at(-1);
  }
}
