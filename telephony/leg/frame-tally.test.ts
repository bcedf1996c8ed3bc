import { describe, expect, it } from 'vitest';
import { Metrics } from '../../engine/metrics/metrics.ts';
import { frameTally } from './frame-tally.ts';

async function value(metrics: Metrics, name: 'framesIn' | 'framesOut', transport: string): Promise<number> {
  const v = (await metrics[name].get()).values.find((x) => x.labels.transport === transport);
  return v?.value ?? 0;
}

describe('frameTally', () => {
  it('adds counted frames to the counters on every read, per transport and per Metrics', async () => {
    const m = new Metrics();
    const other = new Metrics();
    const twilio = frameTally(m, 'twilio');
    expect(frameTally(m, 'twilio')).toBe(twilio);
    const raw = frameTally(m, 'raw');
    twilio.in += 3;
    twilio.out += 2;
    raw.in += 1;
    frameTally(other, 'twilio').in += 7;
    expect(await value(m, 'framesIn', 'twilio')).toBe(3);
    expect(await value(m, 'framesOut', 'twilio')).toBe(2);
    expect(await value(m, 'framesIn', 'raw')).toBe(1);
    twilio.in += 4;
    expect(await value(m, 'framesIn', 'twilio')).toBe(7);
    expect(await m.registry.metrics()).toMatch(/voicebot_media_frames_in_total\{transport="twilio"\} 7/);
    expect(await value(other, 'framesIn', 'twilio')).toBe(7);
  });
});
