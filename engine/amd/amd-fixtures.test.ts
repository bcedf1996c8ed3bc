import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toFrames } from '../audio/frame.ts';
import { readWav } from '../audio/wav.ts';
import { AMD_VICIDIAL, AmdClassifier } from './amd-classifier.ts';
import { BeepDetector, type BeepEvent } from './beep-detector.ts';

interface Entry {
  id: string;
  file: string;
  truth: 'human' | 'machine';
  expected: 'HUMAN' | 'MACHINE' | 'NOTSURE';
  beep: boolean;
  beepEndMs?: number;
}

const dir = join(import.meta.dirname, '../../fixtures/amd/set');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { clips: Entry[] };

function load(file: string): Int16Array {
  const wav = readWav(readFileSync(join(dir, file)));
  expect(wav.sampleRate).toBe(8000);
  return wav.samples;
}

function analyse(samples: Int16Array, params = {}) {
  const amd = new AmdClassifier(params);
  const beeps = new BeepDetector();
  const found: BeepEvent[] = [];
  for (const f of toFrames(samples, 8000)) {
    amd.push(f);
    found.push(...beeps.push(f));
  }
  return { decision: amd.result, beeps: found };
}

describe('AMD on the committed fixtures (espeak-ng + sox, 8 kHz, G.711 mu-law)', () => {
  it('has the clips the design notes ask for', () => {
    const ids = manifest.clips.map((c) => c.id);
    for (const id of [
      'human-hello',
      'machine-long-greeting',
      'machine-initial-silence',
      'machine-greeting-beep',
    ]) {
      expect(ids).toContain(id);
    }
  });

  for (const clip of manifest.clips) {
    it(`${clip.id}: ${clip.expected} with app_amd defaults${clip.beep ? ', beep found at its end' : ', no beep'}`, () => {
      const { decision, beeps } = analyse(load(clip.file));
      expect(decision?.result).toBe(clip.expected);
      expect(decision!.atMs).toBeLessThanOrEqual(5000);
      if (clip.beep) {
        expect(beeps).toHaveLength(1);
        expect(Math.abs(beeps[0]!.endMs - clip.beepEndMs!)).toBeLessThanOrEqual(40);
      } else {
        expect(beeps).toEqual([]);
      }
    });
  }

  it('human "hello?" after 1 s of silence: HUMAN once 800 ms of silence follow the word', () => {
    const { decision } = analyse(load('human-hello.wav'));
    expect(decision).toMatchObject({ result: 'HUMAN', reason: 'HUMAN', words: 1 });
    expect(decision!.atMs).toBeGreaterThan(1800);
    expect(decision!.atMs).toBeLessThan(2600);
  });

  it('initial silence: MACHINE at exactly initialSilence (2500 ms)', () => {
    expect(analyse(load('machine-initial-silence.wav')).decision).toMatchObject({
      result: 'MACHINE',
      reason: 'INITIALSILENCE',
      atMs: 2500,
    });
  });

  it("VICIdial's parameters also call the long greeting a machine and hello? a human", () => {
    expect(analyse(load('machine-long-greeting.wav'), AMD_VICIDIAL).decision?.result).toBe('MACHINE');
    expect(analyse(load('human-hello.wav'), AMD_VICIDIAL).decision?.result).toBe('HUMAN');
  });
});
