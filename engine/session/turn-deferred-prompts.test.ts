import { describe, expect, it } from 'vitest';
import { PROMPT_EFFECTS, startTurn } from './testing/turn-harness.ts';

/** Prompt bookkeeping plus the effects that tell what the caller's turn did. */
const RECORD = [
  ...PROMPT_EFFECTS,
  'deliverWords',
  'reportUnheard',
  'flushAsr',
  'noiseReprompt',
  'clearPlayback',
  'maxDuration',
];
const start = () => startTurn({}, RECORD);
const reprompt = { promptId: 'ask#2', bargeIn: 'always' as const };

/** The caller is talking (no prompt playing) when the dialog asks for a no-input re-prompt. */
function repromptOverCaller(t: ReturnType<typeof start>): void {
  t.send({ type: 'vad.start', heardMs: 120 });
  t.advance(2000);
  t.send({ type: 'bot.say', ...reprompt });
}

/** The caller stops; endpoint silence, flush. */
function endTurn(t: ReturnType<typeof start>): void {
  t.send({ type: 'vad.end', speechMs: 2500 });
  t.advance(700);
}

describe('turn machine: prompts wait while the caller holds the floor', () => {
  it('a re-prompt asked while the caller talks is deferred, then dropped when the dialog answers their words', () => {
    const t = start();
    repromptOverCaller(t);
    expect(t.names()).toEqual([]);
    expect(t.state()).toBe('{"listening":"userSpeaking"}');
    endTurn(t);
    expect(t.names()).toEqual(['flushAsr']);
    t.send({ type: 'asr.text', text: 'two pizzas' });
    t.send({ type: 'bot.say', promptId: 'confirm#1', bargeIn: 'always' });
    expect(t.log.slice(1)).toEqual([
      ['deliverWords', { text: 'two pizzas' }],
      ['dropPrompts', { prompts: [reprompt], why: 'superseded' }],
      ['playPrompts', { prompts: [{ promptId: 'confirm#1', bargeIn: 'always' }] }],
    ]);
    expect(t.state()).toBe('{"speaking":"open"}');
    expect(t.context().prompts.map((p) => p.promptId)).toEqual(['confirm#1']);
  });

  it('deferred while endpointing and awaiting the final too; no final by finalWait (a late one is not no words): they play', () => {
    const t = start();
    t.send({ type: 'vad.start', heardMs: 120 });
    t.send({ type: 'vad.end', speechMs: 900 });
    t.advance(300);
    t.send({ type: 'bot.say', promptId: 'a', bargeIn: 'always' });
    t.advance(400);
    expect(t.state()).toBe('{"listening":"awaitingFinal"}');
    t.send({ type: 'bot.say', promptId: 'b', bargeIn: { afterMs: 500 } });
    t.advance(790);
    expect(t.names()).toEqual(['flushAsr']);
    t.advance(10);
    expect(t.log.at(-1)).toEqual([
      'playPrompts',
      {
        prompts: [
          { promptId: 'a', bargeIn: 'always' },
          { promptId: 'b', bargeIn: { afterMs: 500 } },
        ],
      },
    ]);
    expect(t.state()).toBe('{"speaking":"open"}');
  });

  it("an empty final ends the turn at once: user.unheard; the dialog's asking again supersedes the deferred prompt", () => {
    const t = start();
    repromptOverCaller(t);
    endTurn(t);
    t.send({ type: 'asr.text', text: '' });
    expect(t.names()).toEqual(['flushAsr', 'reportUnheard']);
    t.send({ type: 'bot.say', promptId: 'ask#3', bargeIn: 'always' });
    expect(t.log.slice(2)).toEqual([
      ['dropPrompts', { prompts: [reprompt], why: 'superseded' }],
      ['playPrompts', { prompts: [{ promptId: 'ask#3', bargeIn: 'always' }] }],
    ]);
    expect(t.state()).toBe('{"speaking":"open"}');
  });

  it("the recognizer's own endpoint gave an empty final and the flush none: user.unheard at finalWait, once", () => {
    const t = start();
    t.send({ type: 'vad.start', heardMs: 120 });
    t.send({ type: 'vad.end', speechMs: 1000 });
    t.advance(100);
    t.send({ type: 'asr.text', text: '' });
    t.advance(600 + 790);
    expect(t.names()).toEqual(['flushAsr']);
    t.advance(10);
    t.advance(2000);
    expect(t.names()).toEqual(['flushAsr', 'reportUnheard']);
    expect(t.state()).toBe('{"listening":"thinking"}');
    // The next turn starts clean: no final at all is not reported.
    t.send({ type: 'vad.start', heardMs: 120 });
    endTurn(t);
    t.advance(800);
    expect(t.names()).toEqual(['flushAsr', 'reportUnheard', 'flushAsr']);
    expect(t.state()).toBe('{"listening":"idle"}');
  });

  it('words the dialog does not answer within answerWaitMs: the deferred prompt plays', () => {
    const t = start();
    repromptOverCaller(t);
    endTurn(t);
    t.send({ type: 'asr.text', text: 'hmm let me see' });
    t.advance(990);
    expect(t.names()).toEqual(['flushAsr', 'deliverWords']);
    t.advance(10);
    expect(t.log.at(-1)).toEqual(['playPrompts', { prompts: [reprompt] }]);
  });

  it('nothing deferred: the answer to the words plays at once, as before', () => {
    const t = start();
    t.send({ type: 'vad.start', heardMs: 120 });
    endTurn(t);
    t.send({ type: 'asr.text', text: 'two pizzas' });
    t.send({ type: 'bot.say', promptId: 'confirm#1', bargeIn: 'always' });
    expect(t.names()).toEqual(['flushAsr', 'deliverWords', 'playPrompts']);
  });

  it('a mandatory prompt (never) plays over the caller at once, after the prompts deferred before it', () => {
    const t = start();
    repromptOverCaller(t);
    t.send({ type: 'bot.say', promptId: '_human', bargeIn: 'never' });
    expect(t.log).toEqual([
      ['playPrompts', { prompts: [reprompt] }],
      ['playPrompts', { prompts: [{ promptId: '_human', bargeIn: 'never' }] }],
    ]);
    expect(t.context().deferred).toEqual([]);
    expect(t.context().prompts.map((p) => p.promptId)).toEqual(['ask#2', '_human']);
  });

  it("after a barge-in the dialog's next prompt waits for the caller's words, which supersede it", () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'greeting', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1200);
    expect(t.state()).toBe('{"bargedIn":"talking"}');
    // prompt.done interrupted moved the dialog on to its question.
    t.send({ type: 'bot.say', promptId: 'askItem#1', bargeIn: 'always' });
    t.send({ type: 'vad.end', speechMs: 1300 });
    t.send({ type: 'asr.text', text: 'two pizzas please' });
    t.send({ type: 'bot.say', promptId: 'confirm#1', bargeIn: 'always' });
    expect(t.names()).toEqual(['playPrompts', 'clearPlayback', 'deliverWords', 'dropPrompts', 'playPrompts']);
    expect(t.log[3]).toEqual([
      'dropPrompts',
      { prompts: [{ promptId: 'askItem#1', bargeIn: 'always' }], why: 'superseded' },
    ]);
  });

  it("a barge-in that was noise: the dialog's deferred prompt plays instead of 'please go on'", () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'greeting', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1200);
    t.send({ type: 'bot.say', promptId: 'askItem#1', bargeIn: 'always' });
    t.send({ type: 'vad.end', speechMs: 1300 });
    t.advance(700 + 800);
    expect(t.names()).not.toContain('noiseReprompt');
    expect(t.log.at(-1)).toEqual([
      'playPrompts',
      { prompts: [{ promptId: 'askItem#1', bargeIn: 'always' }] },
    ]);
    expect(t.state()).toBe('{"speaking":"open"}');
  });

  it('one turn, one delivery: a final in a pause inside the sentence is kept and joined with the rest', () => {
    const t = start();
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1500);
    t.send({ type: 'asr.text', text: '12 Oak' });
    t.send({ type: 'bot.say', ...reprompt });
    expect(t.state()).toBe('{"listening":"userSpeaking"}');
    t.send({ type: 'vad.end', speechMs: 1500 });
    t.advance(100);
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1000);
    endTurn(t);
    // Speech came after the kept words: the turn ends at the endpoint, with the flush's final.
    t.send({ type: 'asr.text', text: 'Lane flat 4' });
    t.send({ type: 'bot.say', promptId: 'confirm#1', bargeIn: 'always' });
    expect(t.log).toEqual([
      ['flushAsr'],
      ['deliverWords', { text: '12 Oak Lane flat 4' }],
      ['dropPrompts', { prompts: [reprompt], why: 'superseded' }],
      ['playPrompts', { prompts: [{ promptId: 'confirm#1', bargeIn: 'always' }] }],
    ]);
  });

  it('words kept while the caller talked go with the next final, or at the endpoint when none has words', () => {
    const t = start();
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1000);
    t.send({ type: 'asr.text', text: 'two' });
    t.send({ type: 'vad.end', speechMs: 1200 });
    t.advance(100);
    t.send({ type: 'asr.text', text: 'pizzas' });
    expect(t.log).toEqual([['deliverWords', { text: 'two pizzas' }]]);
    const u = start();
    u.send({ type: 'vad.start', heardMs: 120 });
    u.send({ type: 'asr.text', text: 'yes' });
    endTurn(u);
    expect(u.names()).toEqual(['flushAsr']);
    u.send({ type: 'asr.text', text: '' });
    expect(u.log.at(-1)).toEqual(['deliverWords', { text: 'yes' }]);
  });

  it("a final after the VAD's end with nothing kept goes at once (no added latency)", () => {
    const t = start();
    t.send({ type: 'vad.start', heardMs: 120 });
    t.send({ type: 'vad.end', speechMs: 600 });
    t.advance(10);
    t.send({ type: 'asr.text', text: 'no' });
    expect(t.log).toEqual([['deliverWords', { text: 'no' }]]);
  });

  it('after a barge-in, words while the caller still talks are kept; delivered at the end of the turn, the answer supersedes', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'greeting', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1200);
    t.send({ type: 'bot.say', promptId: 'askItem#1', bargeIn: 'always' });
    t.send({ type: 'asr.text', text: 'two pizzas' });
    expect(t.state()).toBe('{"listening":"userSpeaking"}');
    endTurn(t);
    t.advance(800);
    t.send({ type: 'bot.say', promptId: 'confirm#1', bargeIn: 'always' });
    expect(t.names().slice(-3)).toEqual(['deliverWords', 'dropPrompts', 'playPrompts']);
    expect(t.log.at(-1)).toEqual([
      'playPrompts',
      { prompts: [{ promptId: 'confirm#1', bargeIn: 'always' }] },
    ]);
  });

  it('bot.stop and the time limit drop deferred prompts', () => {
    const t = start();
    repromptOverCaller(t);
    t.send({ type: 'bot.stop' });
    expect(t.log).toEqual([['dropPrompts', { prompts: [reprompt], why: 'stopped' }]]);
    const u = startTurn({ maxCallMs: 5000 }, RECORD);
    repromptOverCaller(u);
    u.advance(3000);
    expect(u.log).toEqual([['dropPrompts', { prompts: [reprompt], why: 'time-up' }], ['maxDuration']]);
  });
});
