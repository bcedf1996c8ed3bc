import { afterEach, describe, expect, it } from 'vitest';
import { PocketsphinxAsr } from './pocketsphinx-asr.ts';

describe('pocketsphinx worker pool', () => {
  let asr: PocketsphinxAsr | undefined;
  afterEach(() => asr?.close());

  it('starts a worker per stream open at once, up to `workers`, and reuses an idle one', () => {
    asr = new PocketsphinxAsr({ workers: 2 });
    const a = asr.stream({ language: 'en-US' });
    expect(asr.processes).toBe(1);
    // a has sent no audio yet: its worker is taken all the same.
    const b = asr.stream({ language: 'en-US' });
    expect(asr.processes).toBe(2);
    const c = asr.stream({ language: 'en-US' });
    expect(asr.processes).toBe(2);
    for (const s of [a, b, c]) s.close();
    // Idle workers are reused: no third process for a later stream.
    const d = asr.stream({ language: 'en-US' });
    expect(asr.processes).toBe(2);
    d.close();
  });

  it('keeps one worker for one call at a time', () => {
    asr = new PocketsphinxAsr({ workers: 4 });
    for (let i = 0; i < 3; i++) asr.stream({ language: 'en-US' }).close();
    expect(asr.processes).toBe(1);
  });
});
