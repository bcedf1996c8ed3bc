import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { isBackchannel } from './backchannels.ts';
import { type TurnEvent, type TurnTimings, turnMachine } from './turn-machine.ts';

type Rec = [string, unknown?];

function start(timings: Partial<TurnTimings> = {}) {
  const clock = new SimulatedClock();
  const log: Rec[] = [];
  const rec =
    (name: string) =>
    (_: unknown, params?: unknown): void => {
      log.push(params === undefined ? [name] : [name, params]);
    };
  const machine = turnMachine.provide({
    actions: {
      clearPlayback: rec('clearPlayback'),
      reportInterrupted: rec('reportInterrupted'),
      reportPlayed: rec('reportPlayed'),
      deliverWords: rec('deliverWords'),
      deliverDtmf: rec('deliverDtmf'),
      reportSpeechStart: rec('reportSpeechStart'),
      ignoreWords: rec('ignoreWords'),
      falseTrigger: rec('falseTrigger'),
      bargedIn: rec('bargedIn'),
      flushAsr: rec('flushAsr'),
      noiseReprompt: rec('noiseReprompt'),
      maxDuration: rec('maxDuration'),
    },
  });
  const actor = createActor(machine, { clock, input: { timings } });
  actor.start();
  const send = (e: TurnEvent): void => actor.send(e);
  const names = (): string[] => log.map(([n]) => n);
  /** SimulatedClock starts timers set during increment() from the end of it: step in 10 ms. */
  const advance = (ms: number): void => {
    for (let left = ms; left > 0; left -= 10) clock.increment(Math.min(10, left));
  };
  const state = (): string => JSON.stringify(actor.getSnapshot().value);
  return { clock, advance, log, actor, send, names, state };
}

describe('turn machine: barge-in modes', () => {
  it('always: speech past the backchannel window clears playback and reports the prompt interrupted', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'greeting', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(299);
    expect(t.names()).not.toContain('clearPlayback');
    t.advance(451);
    expect(t.names()).toEqual(['clearPlayback', 'reportInterrupted', 'bargedIn', 'reportSpeechStart']);
    expect(t.log[1]?.[1]).toEqual({ prompts: [{ promptId: 'greeting', bargeIn: 'always' }] });
    t.send({ type: 'asr.text', text: 'two apples' });
    expect(t.log.at(-1)).toEqual(['deliverWords', { text: 'two apples' }]);
    expect(t.state()).toBe('{"listening":"thinking"}');
  });

  it('always: recognised words cut the prompt at once and are handed over after prompt.done', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'menu', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.send({ type: 'asr.text', text: 'operator' });
    expect(t.names()).toEqual(['clearPlayback', 'reportInterrupted', 'bargedIn', 'deliverWords']);
  });

  it('never: speech and words over a disclosure change nothing; the words are not handed over', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'disclosure', bargeIn: 'never' });
    t.send({ type: 'vad.start' });
    t.advance(3000);
    t.send({ type: 'asr.text', text: 'stop talking' });
    t.send({ type: 'vad.end' });
    expect(t.names()).toEqual(['ignoreWords']);
    t.send({ type: 'bot.played', promptId: 'disclosure' });
    expect(t.names()).toEqual(['ignoreWords', 'reportPlayed']);
    expect(t.state()).toBe('{"listening":"idle"}');
  });

  it('never: a key is still delivered but does not stop the prompt', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'disclosure', bargeIn: 'never' });
    t.send({ type: 'dtmf', digit: '1' });
    expect(t.names()).toEqual(['deliverDtmf']);
    expect(t.state()).toBe('{"speaking":"locked"}');
  });

  it('afterMs: locked for the first afterMs of the prompt, interruptible after', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: { afterMs: 2000 } });
    t.send({ type: 'asr.text', text: 'hello there' });
    expect(t.names()).toEqual(['ignoreWords']);
    t.advance(2000);
    t.send({ type: 'asr.text', text: 'hello there' });
    expect(t.names()).toEqual([
      'ignoreWords',
      'clearPlayback',
      'reportInterrupted',
      'bargedIn',
      'deliverWords',
    ]);
  });

  it('a key interrupts an interruptible prompt and is delivered', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'menu', bargeIn: 'always' });
    t.send({ type: 'dtmf', digit: '3' });
    expect(t.log).toEqual([
      ['clearPlayback'],
      ['reportInterrupted', { prompts: [{ promptId: 'menu', bargeIn: 'always' }] }],
      ['bargedIn', { by: 'dtmf' }],
      ['deliverDtmf', { digit: '3' }],
    ]);
  });

  it('two queued prompts: both reported interrupted; played ones report played in order', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'a', bargeIn: 'always' });
    t.send({ type: 'bot.say', promptId: 'b', bargeIn: 'never' });
    t.send({ type: 'bot.played', promptId: 'a' });
    expect(t.state()).toBe('{"speaking":"locked"}');
    t.send({ type: 'bot.played', promptId: 'b' });
    expect(t.log).toEqual([
      ['reportPlayed', { promptId: 'a' }],
      ['reportPlayed', { promptId: 'b' }],
    ]);
    expect(t.state()).toBe('{"listening":"idle"}');
  });

  it('bot.stop clears and reports every queued prompt interrupted', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'a', bargeIn: 'never' });
    t.send({ type: 'bot.stop' });
    expect(t.names()).toEqual(['clearPlayback', 'reportInterrupted']);
  });
});

describe('turn machine: false triggers', () => {
  it('speech shorter than minSpeechMs is a click, not a barge-in', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(150);
    t.send({ type: 'vad.end' });
    t.advance(5000);
    expect(t.log).toEqual([['falseTrigger', { why: 'too-short' }]]);
    expect(t.state()).toBe('{"speaking":"open"}');
  });

  it('a short backchannel ("uh-huh") does not stop the bot', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'long', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(450);
    t.send({ type: 'vad.end' });
    expect(t.names()).toEqual(['flushAsr']);
    t.send({ type: 'asr.text', text: 'uh-huh' });
    t.advance(2000);
    expect(t.names()).toEqual(['flushAsr', 'ignoreWords', 'falseTrigger']);
    expect(t.names()).not.toContain('clearPlayback');
  });

  it('Mandarin backchannels (嗯, 对对, 好的好的) do not stop the bot', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'long', bargeIn: 'always' });
    for (const text of ['嗯', '对对', '好的好的', 'mm-hmm', 'yeah']) t.send({ type: 'asr.text', text });
    expect(t.names()).toEqual(Array(5).fill('ignoreWords'));
  });

  it('short speech whose words are not a backchannel is a barge-in', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(400);
    t.send({ type: 'vad.end' });
    t.send({ type: 'asr.text', text: 'no' });
    expect(t.names()).toEqual(['flushAsr', 'clearPlayback', 'reportInterrupted', 'bargedIn', 'deliverWords']);
  });

  it('short speech with no words within finalWaitMs is dismissed', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(400);
    t.send({ type: 'vad.end' });
    t.advance(800);
    expect(t.log).toEqual([['flushAsr'], ['falseTrigger', { why: 'no-words' }]]);
  });

  it('a barge-in that turns out to be noise (no words) gets the noise re-prompt', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(800);
    t.send({ type: 'vad.end' });
    t.advance(700);
    t.advance(800);
    expect(t.names()).toEqual([
      'clearPlayback',
      'reportInterrupted',
      'bargedIn',
      'reportSpeechStart',
      'flushAsr',
      'noiseReprompt',
    ]);
    expect(t.state()).toBe('{"listening":"idle"}');
  });

  it('backchannel words after a barge-in also count as noise', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.advance(800);
    t.send({ type: 'asr.text', text: 'mm-hmm' });
    expect(t.names().at(-1)).toBe('noiseReprompt');
  });
});

describe('turn machine: listening', () => {
  it('endpointing: silence of endpointSilenceMs after speech flushes the recognizer', () => {
    const t = start({ endpointSilenceMs: 500 });
    t.send({ type: 'vad.start' });
    t.send({ type: 'vad.end' });
    t.advance(300);
    t.send({ type: 'vad.start' });
    t.send({ type: 'vad.end' });
    t.advance(499);
    expect(t.names()).toEqual(['reportSpeechStart']);
    t.advance(1);
    expect(t.names()).toEqual(['reportSpeechStart', 'flushAsr']);
    t.send({ type: 'asr.text', text: 'three' });
    expect(t.log.at(-1)).toEqual(['deliverWords', { text: 'three' }]);
  });

  it('a listen command sets the endpoint silence for the next turn', () => {
    const t = start({ endpointSilenceMs: 500 });
    t.send({ type: 'listen', endpointSilenceMs: 1500 });
    t.send({ type: 'vad.start' });
    t.send({ type: 'vad.end' });
    t.advance(1000);
    expect(t.names()).not.toContain('flushAsr');
    t.advance(500);
    expect(t.names()).toContain('flushAsr');
  });

  it('empty finals are not delivered; keys are delivered at any time', () => {
    const t = start();
    t.send({ type: 'asr.text', text: '  ' });
    t.send({ type: 'dtmf', digit: '#' });
    expect(t.log).toEqual([['deliverDtmf', { digit: '#' }]]);
  });

  it('max call duration fires once, then the machine only plays out the goodbye', () => {
    const t = start({ maxCallMs: 60_000 });
    t.advance(60_000);
    expect(t.names()).toEqual(['maxDuration']);
    t.send({ type: 'bot.say', promptId: 'bye', bargeIn: 'never' });
    t.send({ type: 'dtmf', digit: '1' });
    t.send({ type: 'bot.played', promptId: 'bye' });
    expect(t.names()).toEqual(['maxDuration', 'reportPlayed']);
  });

  it('hang-up ends the machine from any state, and no timer fires after it', () => {
    for (const setupState of [
      (t: ReturnType<typeof start>) => t.send({ type: 'vad.start' }),
      (t: ReturnType<typeof start>) => t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' }),
      (t: ReturnType<typeof start>) => {
        t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
        t.send({ type: 'vad.start' });
        t.advance(800);
      },
    ]) {
      const t = start({ maxCallMs: 10_000 });
      setupState(t);
      const before = t.log.length;
      t.send({ type: 'call.hangup' });
      t.advance(60_000);
      expect(t.actor.getSnapshot().status).toBe('done');
      expect(t.log.length).toBe(before);
    }
  });
});

describe('backchannels', () => {
  it('tells backchannels from answers', () => {
    for (const b of ['uh-huh', 'Mm-hmm.', 'yeah yeah', 'okay', '嗯', '嗯嗯', '对对', '好的好的'])
      expect(isBackchannel(b)).toBe(true);
    for (const a of ['yes', 'no', 'two apples', 'operator', '不要', '两份', '对不起', ''])
      expect(isBackchannel(a)).toBe(false);
  });
});
