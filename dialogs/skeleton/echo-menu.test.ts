import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AudioFrame, type SampleRate, toFrames } from '../../engine/audio/frame.ts';
import { readWav } from '../../engine/audio/wav.ts';
import { VoicebotError } from '../../engine/errors.ts';
import { bestMatch } from '../../fixtures/sim-caller/audio-match.ts';
import type {
  CallInfo,
  CallLeg,
  CallLegEvents,
  TransferRequest,
  TransferResult,
} from '../../telephony/call-leg.ts';
import { createEchoMenuHandler, type SkeletonEvent } from './echo-menu.ts';
import { PromptSet } from './prompts.ts';
import { defaultSkeletonVad } from './vad.ts';

/**
 * A leg with no transport: records what the handler asks for; the test plays the platform
 * (acknowledging marks, sending audio and keys).
 */
class FakeLeg extends EventEmitter implements CallLeg {
  readonly info: CallInfo;
  active = true;
  readonly log: (
    | { op: 'audio'; samples: Int16Array }
    | { op: 'mark'; name: string }
    | { op: 'clear' }
    | { op: 'hangup'; detail?: string }
    | { op: 'transfer'; request: TransferRequest }
  )[] = [];
  pendingMarks: string[] = [];
  queued = 0;
  transferAnswer: () => Promise<TransferResult> = () => Promise.resolve({ ok: true });
  private mediaMs = 0;

  constructor(sampleRate: SampleRate = 8000) {
    super();
    this.info = { callId: 'call-1', transport: 'fake', direction: 'inbound', parameters: {}, sampleRate };
  }

  sendAudio(frame: AudioFrame): void {
    this.log.push({ op: 'audio', samples: frame.samples });
    this.queued += (frame.samples.length * 1000) / frame.sampleRate;
  }
  mark(name: string): void {
    this.log.push({ op: 'mark', name });
    this.pendingMarks.push(name);
  }
  clear(): void {
    this.log.push({ op: 'clear' });
    this.queued = 0;
    for (const name of this.pendingMarks.splice(0)) this.emit('mark', { name, played: false });
  }
  queuedMs(): number {
    return this.queued;
  }
  transfer(request: TransferRequest): Promise<TransferResult> {
    this.log.push({ op: 'transfer', request });
    return this.transferAnswer();
  }
  hangup(detail?: string): void {
    this.log.push({ op: 'hangup', detail });
    this.active = false;
    this.emit('hangup', { reason: 'bot', detail });
  }

  // The platform side.
  playAll(): void {
    this.queued = 0;
    for (const name of this.pendingMarks.splice(0)) this.emit('mark', { name, played: true });
  }
  key(digit: string): void {
    this.emit('dtmf', { digit, source: 'signal' });
  }
  speak(samples: Int16Array): void {
    for (const f of toFrames(samples, this.info.sampleRate, this.mediaMs)) {
      this.mediaMs += 20;
      this.emit('audio', f);
    }
  }
  ops(): string[] {
    return this.log.map((l) => (l.op === 'mark' ? `mark ${l.name}` : l.op));
  }

  override on<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }
  override once<E extends keyof CallLegEvents>(
    event: E,
    listener: (...args: CallLegEvents[E]) => void,
  ): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }
  override off<E extends keyof CallLegEvents>(event: E, listener: (...args: CallLegEvents[E]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }
}

const hello = readWav(readFileSync(new URL('../../fixtures/callers/hello.wav', import.meta.url))).samples;
const silence = (ms: number, rate = 8000) => new Int16Array((ms * rate) / 1000);
let prompts: PromptSet;
beforeAll(() => {
  prompts = PromptSet.load();
});

function setup(sampleRate: SampleRate = 8000) {
  const leg = new FakeLeg(sampleRate);
  const events: SkeletonEvent[] = [];
  const handler = createEchoMenuHandler({
    log: pino({ level: 'silent' }),
    prompts,
    createVad: defaultSkeletonVad,
    onEvent: (e) => events.push(e),
  });
  void handler(leg);
  return { leg, events };
}

describe('echo / keypad menu handler', () => {
  it('greets with the prompt and a mark behind it', () => {
    const { leg } = setup();
    expect(leg.ops()).toEqual(['audio', 'mark greeting:1']);
    const audio = leg.log[0] as { samples: Int16Array };
    expect(audio.samples).toBe(prompts.get('greeting', 8000));
  });

  it('16 kHz calls get the prompts resampled to 16 kHz', () => {
    const { leg } = setup(16000);
    const audio = leg.log[0] as { samples: Int16Array };
    expect(audio.samples.length).toBe(prompts.get('greeting', 8000).length * 2);
  });

  it('a key while the greeting plays barges in (clear) and acts on the key', () => {
    const { leg, events } = setup();
    leg.key('2');
    expect(leg.ops()).toEqual(['audio', 'mark greeting:1', 'clear', 'audio', 'mark digits:2']);
    expect(events.find((e) => e.type === 'skeleton.barge_in')).toMatchObject({ cause: 'dtmf' });
    expect(events.find((e) => e.type === 'skeleton.mark')).toMatchObject({
      name: 'greeting:1',
      played: false,
    });
  });

  it('digits mode reads each digit back; * returns to the menu, where digits are commands again', () => {
    const { leg, events } = setup();
    leg.playAll();
    leg.key('2');
    leg.playAll();
    leg.key('3');
    leg.playAll();
    leg.key('0');
    leg.playAll();
    leg.key('*');
    leg.playAll();
    const prompted = events.filter((e) => e.type === 'skeleton.prompt').map((e) => e.name);
    expect(prompted).toEqual(['greeting', 'digits', 'digit-3', 'digit-0', 'menu']);
    expect(leg.log.filter((l) => l.op === 'transfer')).toEqual([]);
  });

  it('# plays goodbye and hangs up only once the goodbye has played; later keys are ignored', () => {
    const { leg } = setup();
    leg.playAll();
    leg.key('#');
    expect(leg.ops().at(-1)).toBe('mark goodbye:2');
    leg.key('1');
    expect(leg.ops().at(-1)).toBe('mark goodbye:2');
    leg.playAll();
    expect(leg.log.at(-1)).toEqual({ op: 'hangup', detail: 'goodbye' });
  });

  it('echo mode plays back what the caller said after they stop speaking', () => {
    const { leg, events } = setup();
    leg.playAll();
    leg.key('1');
    leg.playAll();
    leg.speak(silence(500));
    leg.speak(hello);
    expect(events.some((e) => e.type === 'skeleton.echo')).toBe(false);
    leg.speak(silence(1000));
    const echo = events.find((e) => e.type === 'skeleton.echo');
    expect(echo).toBeDefined();
    const played = leg.log.filter((l) => l.op === 'audio').at(-1) as { samples: Int16Array };
    const match = bestMatch(played.samples, hello);
    expect(match.correlation).toBeGreaterThan(0.999);
    expect(leg.ops().at(-1)).toMatch(/^mark playback:/);
  });

  it('caller speech while the bot talks clears the audio (barge-in); silence does not', () => {
    const { leg, events } = setup();
    leg.speak(silence(1000));
    expect(leg.ops()).not.toContain('clear');
    leg.speak(hello.subarray(0, 4000));
    expect(leg.ops()).toContain('clear');
    expect(events.find((e) => e.type === 'skeleton.barge_in')).toMatchObject({ cause: 'speech' });
  });

  it('speech after the bot finished talking is not a barge-in', () => {
    const { leg } = setup();
    leg.playAll();
    leg.speak(silence(500));
    leg.speak(hello);
    expect(leg.ops()).not.toContain('clear');
  });

  it('0 plays the agent prompt, then asks the leg to transfer once it has played', async () => {
    const { leg, events } = setup();
    leg.playAll();
    leg.key('0');
    expect(leg.log.some((l) => l.op === 'transfer')).toBe(false);
    leg.playAll();
    const req = leg.log.find((l) => l.op === 'transfer') as { request: TransferRequest };
    expect(req.request).toMatchObject({ target: 'agent', reason: 'caller pressed 0' });
    await new Promise((r) => setImmediate(r));
    expect(events.find((e) => e.type === 'skeleton.transfer')).toMatchObject({ ok: true });
  });

  it('a failed transfer says no agent is free and returns to the menu', async () => {
    const { leg, events } = setup();
    leg.transferAnswer = () => Promise.reject(new VoicebotError('TRANSFER_UNSUPPORTED', 'no'));
    leg.playAll();
    leg.key('0');
    leg.playAll();
    await new Promise((r) => setImmediate(r));
    expect(events.find((e) => e.type === 'skeleton.transfer')).toMatchObject({
      ok: false,
      code: 'TRANSFER_UNSUPPORTED',
    });
    expect(leg.ops().at(-1)).toMatch(/^mark no-agent:/);
    leg.playAll();
    leg.key('1');
    expect(leg.ops().at(-1)).toMatch(/^mark echo:/);
  });

  it('a missing prompts folder fails at creation with a clear error', () => {
    expect(() => PromptSet.load('/nonexistent')).toThrow(/render the prompts/);
  });
});
