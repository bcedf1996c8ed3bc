import { describe, expect, it } from 'vitest';
import { isBackchannel } from './backchannels.ts';
import { startTurn } from './testing/turn-harness.ts';
import type { TurnTimings } from './turn-machine.ts';

const start = (timings: Partial<TurnTimings> = {}) => startTurn(timings);

/** The bot says prompt `p` (barge-in always) and the caller starts talking over it (VAD at 120 ms). */
function speakOver(t: ReturnType<typeof start>): void {
  t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
  t.send({ type: 'vad.start', heardMs: 120 });
}

/** Paused, then the barge-in confirmed: the prompt is cut and reported interrupted. */
const PAUSED_THEN_CUT = ['pausePlayback', 'clearPlayback', 'reportInterrupted', 'bargedIn'];
/**
 * Paused, then cut by the caller's words or key: those go to the dialog before the cut is
 * reported, so that it answers them in the node that was speaking.
 */
const pausedThenCutBy = (delivered: 'deliverWords' | 'deliverDtmf') => [
  'pausePlayback',
  'clearPlayback',
  'bargedIn',
  delivered,
  'reportInterrupted',
];

describe('turn machine: barge-in modes', () => {
  it('always: the bot pauses after minSpeechMs of speech; still talking past backchannelMaxMs + the VAD end lag: a barge-in', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'greeting', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 60 });
    t.advance(30);
    expect(t.names()).toEqual([]);
    t.advance(10);
    expect(t.names()).toEqual(['pausePlayback']);
    expect(t.state()).toBe('{"speaking":{"held":"talking"}}');
    t.advance(1090);
    expect(t.names()).toEqual(['pausePlayback']);
    t.advance(10);
    expect(t.names()).toEqual([...PAUSED_THEN_CUT, 'reportSpeechStart']);
    expect(t.log[2]?.[1]).toEqual({ prompts: [{ promptId: 'greeting', bargeIn: 'always' }] });
    expect(t.log[3]?.[1]).toEqual({ by: 'speech' });
    // The VAD still hears the caller: their words are kept until the turn is over.
    t.send({ type: 'asr.text', text: 'two apples' });
    expect(t.state()).toBe('{"listening":"userSpeaking"}');
    t.send({ type: 'vad.end' });
    t.advance(700);
    t.send({ type: 'asr.text', text: '' });
    expect(t.log.at(-1)).toEqual(['deliverWords', { text: 'two apples' }]);
    expect(t.state()).toBe('{"listening":"thinking"}');
  });

  it('a VAD that already heard minSpeechMs when it reports the start pauses the bot at once', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 130 });
    expect(t.names()).toEqual(['pausePlayback']);
    // backchannelMaxMs (700) + vadEndLagMs (500) count from the onset: 1070 ms more.
    t.advance(1060);
    expect(t.names()).toEqual(['pausePlayback']);
    t.advance(10);
    expect(t.names()).toContain('bargedIn');
  });

  it('paused, real words: the barge-in is confirmed with them (the recognizer was not flushed)', () => {
    const t = start();
    speakOver(t);
    t.advance(300);
    t.send({ type: 'asr.text', text: 'yes that is right' });
    expect(t.names()).toEqual(pausedThenCutBy('deliverWords'));
    expect(t.log[2]?.[1]).toEqual({ by: 'words' });
    expect(t.state()).toBe('{"listening":"thinking"}');
  });

  it('always: recognised words cut the prompt at once and are handed over before prompt.done', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'menu', bargeIn: 'always' });
    t.send({ type: 'vad.start' });
    t.send({ type: 'asr.text', text: 'operator' });
    expect(t.names()).toEqual(['clearPlayback', 'bargedIn', 'deliverWords', 'reportInterrupted']);
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
      'bargedIn',
      'deliverWords',
      'reportInterrupted',
    ]);
  });

  it('a key interrupts an interruptible prompt and is delivered, before the prompt is reported cut', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'menu', bargeIn: 'always' });
    t.send({ type: 'dtmf', digit: '3' });
    expect(t.log).toEqual([
      ['clearPlayback'],
      ['bargedIn', { by: 'dtmf' }],
      ['deliverDtmf', { digit: '3' }],
      ['reportInterrupted', { prompts: [{ promptId: 'menu', bargeIn: 'always' }] }],
    ]);
    expect(t.state()).toBe('{"listening":"thinking"}');
  });

  it("a key cuts the prompt and the ones queued behind it; the dialog's answer, asked while the key is delivered, plays", () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'a', bargeIn: 'always' });
    t.send({ type: 'bot.say', promptId: 'b', bargeIn: 'always' });
    t.send({ type: 'dtmf', digit: '0' });
    t.send({ type: 'bot.say', promptId: 'human', bargeIn: 'never' });
    expect(t.log.at(-1)).toEqual([
      'reportInterrupted',
      {
        prompts: [
          { promptId: 'a', bargeIn: 'always' },
          { promptId: 'b', bargeIn: 'always' },
        ],
      },
    ]);
    expect(t.context().prompts.map((p) => p.promptId)).toEqual(['human']);
    expect(t.state()).toBe('{"speaking":"locked"}');
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

describe('turn machine: false triggers, resume and noise', () => {
  it('speech shorter than minSpeechMs is a click: the bot never pauses', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 20 });
    t.advance(50);
    t.send({ type: 'vad.end' });
    t.advance(5000);
    expect(t.log).toEqual([['falseTrigger', { why: 'too-short', resumed: false }]]);
    expect(t.state()).toBe('{"speaking":"open"}');
  });

  it('a backchannel ("uh-huh") pauses the bot, then it resumes; the dialog hears nothing', () => {
    const t = start({ endpointSilenceMs: 600 });
    t.send({ type: 'bot.say', promptId: 'long', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(300);
    t.send({ type: 'vad.end' });
    t.advance(300);
    // No flush before the endpoint: the caller may go on.
    expect(t.names()).toEqual(['pausePlayback']);
    t.send({ type: 'asr.text', text: 'uh-huh' });
    expect(t.log).toEqual([
      ['pausePlayback'],
      ['ignoreWords', { text: 'uh-huh', why: 'backchannel' }],
      ['falseTrigger', { why: 'backchannel', resumed: true }],
      ['resumePlayback'],
    ]);
    expect(t.state()).toBe('{"speaking":"open"}');
    t.send({ type: 'bot.played', promptId: 'long' });
    expect(t.log.at(-1)).toEqual(['reportPlayed', { promptId: 'long' }]);
  });

  it('a backchannel final that comes while the caller is still talking waits for the end of speech', () => {
    const t = start({ endpointSilenceMs: 500 });
    t.send({ type: 'bot.say', promptId: 'long', bargeIn: 'always' });
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(100);
    t.send({ type: 'asr.text', text: 'yeah' });
    t.send({ type: 'vad.end' });
    t.advance(500);
    expect(t.names()).toEqual(['pausePlayback', 'ignoreWords', 'flushAsr']);
    t.advance(800);
    expect(t.log.slice(-2)).toEqual([
      ['falseTrigger', { why: 'backchannel', resumed: true }],
      ['resumePlayback'],
    ]);
  });

  it('Mandarin backchannels (嗯, 对对, 好的好的) do not stop the bot', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'long', bargeIn: 'always' });
    for (const text of ['嗯', '对对', '好的好的', 'mm-hmm', 'yeah']) t.send({ type: 'asr.text', text });
    expect(t.names()).toEqual(Array(5).fill('ignoreWords'));
  });

  it('short speech whose words are not a backchannel is a barge-in with those words', () => {
    const t = start();
    speakOver(t);
    t.advance(280);
    t.send({ type: 'vad.end' });
    t.advance(400);
    t.send({ type: 'asr.text', text: 'no' });
    expect(t.names()).toEqual(pausedThenCutBy('deliverWords'));
  });

  it('noise: short speech with no words by the endpoint + finalWaitMs resumes the prompt', () => {
    const t = start({ endpointSilenceMs: 700 });
    speakOver(t);
    t.advance(200);
    t.send({ type: 'vad.end' });
    t.advance(700);
    expect(t.names()).toEqual(['pausePlayback', 'flushAsr']);
    t.advance(800);
    expect(t.log.slice(-2)).toEqual([
      ['falseTrigger', { why: 'no-words', resumed: true }],
      ['resumePlayback'],
    ]);
    expect(t.state()).toBe('{"speaking":"open"}');
  });

  it('an empty final after short speech resumes at once', () => {
    const t = start();
    speakOver(t);
    t.send({ type: 'vad.end' });
    t.send({ type: 'asr.text', text: '' });
    expect(t.names()).toEqual(['pausePlayback', 'falseTrigger', 'resumePlayback']);
  });

  it('speech resuming after a short gap is the same turn: past backchannelMaxMs it barges in', () => {
    const t = start();
    speakOver(t);
    t.advance(200);
    t.send({ type: 'vad.end' });
    t.advance(200);
    t.send({ type: 'vad.start', heardMs: 120 });
    t.advance(1080);
    expect(t.names()).toEqual([...PAUSED_THEN_CUT, 'reportSpeechStart']);
  });

  it('a prompt that played to its end before the pause is reported played; then nothing is left to resume', () => {
    const t = start();
    speakOver(t);
    t.send({ type: 'bot.played', promptId: 'p' });
    expect(t.state()).toBe('{"speaking":{"held":"talking"}}');
    t.send({ type: 'vad.end' });
    t.send({ type: 'asr.text', text: 'mm' });
    expect(t.names()).toEqual([
      'pausePlayback',
      'reportPlayed',
      'ignoreWords',
      'falseTrigger',
      'resumePlayback',
    ]);
    expect(t.state()).toBe('{"listening":"idle"}');
  });

  it('speech that ends longer than backchannelMaxMs (onset to end, media time) is a barge-in at its end', () => {
    const t = start();
    speakOver(t);
    t.advance(700);
    t.send({ type: 'vad.end', speechMs: 650 });
    expect(t.names()).toEqual(['pausePlayback']);
    const u = start();
    speakOver(u);
    u.advance(700);
    u.send({ type: 'vad.end', speechMs: 900 });
    expect(u.names()).toEqual([...PAUSED_THEN_CUT, 'reportSpeechStart']);
  });

  it('a confirmed barge-in that turns out to be noise (no words) gets the noise re-prompt', () => {
    const t = start();
    speakOver(t);
    t.advance(1100);
    t.send({ type: 'vad.end' });
    t.advance(700);
    t.advance(800);
    expect(t.names()).toEqual([...PAUSED_THEN_CUT, 'reportSpeechStart', 'flushAsr', 'noiseReprompt']);
    expect(t.state()).toBe('{"listening":"idle"}');
  });

  it('backchannel words after a confirmed barge-in also count as noise', () => {
    const t = start();
    speakOver(t);
    t.advance(1100);
    t.send({ type: 'asr.text', text: 'mm-hmm' });
    expect(t.names().at(-1)).toBe('noiseReprompt');
  });

  it('a key while the bot is paused is a barge-in', () => {
    const t = start();
    speakOver(t);
    t.send({ type: 'dtmf', digit: '2' });
    expect(t.names()).toEqual(pausedThenCutBy('deliverDtmf'));
  });

  it('never / afterMs: speech over a locked prompt does not pause it', () => {
    for (const bargeIn of ['never', { afterMs: 2000 }] as const) {
      const t = start();
      t.send({ type: 'bot.say', promptId: 'p', bargeIn });
      t.send({ type: 'vad.start', heardMs: 120 });
      t.advance(1500);
      t.send({ type: 'vad.end' });
      expect(t.names()).toEqual([]);
    }
  });

  it('afterMs: once unlocked, speech pauses the prompt as with always', () => {
    const t = start();
    t.send({ type: 'bot.say', promptId: 'p', bargeIn: { afterMs: 1000 } });
    t.advance(1000);
    t.send({ type: 'vad.start', heardMs: 120 });
    expect(t.names()).toEqual(['pausePlayback']);
    t.send({ type: 'vad.end' });
    t.send({ type: 'asr.text', text: 'okay' });
    expect(t.names().at(-1)).toBe('resumePlayback');
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
      (t: ReturnType<typeof start>) => {
        t.send({ type: 'bot.say', promptId: 'p', bargeIn: 'always' });
        t.send({ type: 'vad.start', heardMs: 120 });
        t.send({ type: 'vad.end' });
      },
    ]) {
      const t = start({ maxCallMs: 10_000 });
      setupState(t);
      const before = t.log.length;
      t.send({ type: 'call.hangup' });
      t.advance(60_000);
      expect(t.status()).toBe('done');
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
