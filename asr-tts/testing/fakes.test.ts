import { describe, expect, it } from 'vitest';
import { runAsrContract } from './asr-contract.ts';
import { collect } from './collect.ts';
import { FakeAsr } from './fake-asr.ts';
import { FakeTts } from './fake-tts.ts';
import { concat, espeakClip, frames, silence } from './speech-audio.ts';
import { runTtsContract } from './tts-contract.ts';

const utterance = espeakClip('two large pizzas please', 8000);
const yes = espeakClip('yes', 8000);

runAsrContract(
  'fake',
  () => new FakeAsr({ results: (o) => (o.grammar?.kind === 'yesno' ? 'yes' : 'two large pizzas please') }),
  {
    language: 'en-US',
    utterance,
    grammarCases: [{ clip: yes, grammar: { kind: 'yesno' }, expected: 'yes' }],
    makeBroken: () => new FakeAsr({ results: ['x'], failAfterFrames: 0 }),
  },
);

runTtsContract('fake', () => new FakeTts(), { language: 'en-US', text: 'Your order is two large pizzas.' });

describe('FakeAsr scripting', () => {
  it('gives one scripted final per utterance, endpointed by silence', async () => {
    const s = new FakeAsr({ results: ['yes', { text: 'no', confidence: 0.4 }] }).stream({
      language: 'en-US',
    });
    const audio = concat(yes.samples, silence(800, 8000), yes.samples, silence(800, 8000));
    for (const f of frames(audio, 8000)) s.push(f);
    s.end();
    const events = await collect(s, 2000);
    expect(events.map((e) => e.type)).toEqual([
      'asr.speech_start',
      'asr.final',
      'asr.speech_end',
      'asr.speech_start',
      'asr.final',
      'asr.speech_end',
    ]);
    expect(events.filter((e) => e.type === 'asr.final')).toMatchObject([
      { text: 'yes', confidence: 0.9 },
      { text: 'no', confidence: 0.4 },
    ]);
  });

  it('turns an out-of-grammar result into an empty no-match final', async () => {
    const s = new FakeAsr({ results: ['maybe'] }).stream({ language: 'en-US', grammar: { kind: 'yesno' } });
    for (const f of frames(yes.samples, 8000)) s.push(f);
    s.end();
    const final = (await collect(s, 2000)).find((e) => e.type === 'asr.final');
    expect(final).toMatchObject({ text: '', confidence: 0 });
  });

  it('FakeTts records what it spoke', async () => {
    const tts = new FakeTts();
    await collect(tts.synthesize('hello', { language: 'en-US', sampleRate: 8000 }), 2000);
    expect(tts.spoken).toEqual(['hello']);
  });
});
