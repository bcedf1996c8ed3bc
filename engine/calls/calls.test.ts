import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readWavInfo } from '../audio/wav.ts';
import { CallRecorder } from './call-record.ts';
import { DualChannelRecorder } from './dual-channel.ts';
import { FileCallSink, safeFileName } from './file-sink.ts';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('dual-channel recording', () => {
  it('puts the caller left and the bot right on one timeline; a cut drops unplayed bot audio', () => {
    const r = new DualChannelRecorder(8000);
    r.caller(new Int16Array(1600).fill(100));
    r.bot(new Int16Array(800).fill(200), 50);
    r.cut(100);
    const { left, right } = r.channels();
    expect(left.length).toBe(1600);
    expect(left[0]).toBe(100);
    expect(right[399]).toBe(0);
    expect(right[400]).toBe(200);
    expect(right[799]).toBe(200);
    expect(right[800]).toBe(0);
    const info = readWavInfo(r.wav());
    expect(info).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16 });
  });
});

describe('call record and file sink', () => {
  it('writes <callId>.json (and .wav) with transcript, events and outcome; unsafe ids are made safe', async () => {
    dir = mkdtempSync(join(tmpdir(), 'voicebot-sink-'));
    let t = 1000;
    const rec = new CallRecorder(
      { callId: '../x y', direction: 'inbound', transport: 'raw', dialog: 'd' },
      { now: () => t },
      { sampleRate: 8000, recordAudio: true },
    );
    rec.say({ promptId: 'greeting', text: 'Hello' });
    t += 1500;
    rec.heard({ text: 'two pizzas', source: 'speech', confidence: 0.9 });
    rec.event('barge_in', { by: 'speech' });
    rec.record.outcome = { status: 'ordered', slots: { n: 2 } };
    rec.audio?.caller(new Int16Array(160));
    const record = rec.finish('caller');
    await new FileCallSink(dir).write(record, rec.audio?.wav());
    const name = safeFileName('../x y');
    expect(name).toBe('__x_y');
    const stored = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    expect(stored.transcript).toEqual([
      { atMs: 0, side: 'bot', promptId: 'greeting', text: 'Hello' },
      { atMs: 1500, side: 'caller', text: 'two pizzas', source: 'speech', confidence: 0.9 },
    ]);
    expect(stored.events).toEqual([{ atMs: 1500, type: 'barge_in', by: 'speech' }]);
    expect(stored).toMatchObject({ durationMs: 1500, endReason: 'caller', outcome: { status: 'ordered' } });
    expect(readWavInfo(readFileSync(join(dir, `${name}.wav`))).channels).toBe(2);
  });
});
