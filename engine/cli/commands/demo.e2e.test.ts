/**
 * END-TO-END, REAL AUDIO: `voicebot demo`'s voice scenarios as the quick start runs them — the
 * engine on a loopback port, the voice-order dialog with espeak-ng, pocketsphinx, WebRTC VAD and
 * the deterministic NLU, the simulated caller speaking espeak-ng audio through G.711 over the
 * real WebSocket gateway. Each call takes real time (about a minute for the order).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVoiceDemo, type VoiceScenario } from './demo-voice.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function demo(scenario: VoiceScenario) {
  const outDir = mkdtempSync(join(tmpdir(), 'voicebot-demo-test-'));
  dirs.push(outDir);
  const printed: string[] = [];
  const result = await runVoiceDemo({
    scenario,
    protocol: 'raw',
    outDir,
    recordPath: join(outDir, 'caller-heard.wav'),
    timeoutMs: 120_000,
    print: (l) => printed.push(l),
    write: (l) => printed.push(l),
  });
  return { result, outDir, out: printed.join('\n') };
}

describe('voicebot demo (e2e, real audio)', () => {
  it('voice-order: an order for two pizzas placed by voice, with barge-in and a repeat', async () => {
    const { result, outDir, out } = await demo('voice-order');
    expect(result.ok, out).toBe(true);
    expect(result.order?.lines).toEqual([{ itemId: 'pizza', quantity: 2, priceMinor: 4800 }]);
    expect(result.order?.totalMinor).toBe(9600);
    expect(result.order?.address).toBe('40 Pine Street, apartment 2B');
    // The summary shows the order as stored, and the files are in the out folder.
    expect(out).toMatch(/result {15}ok: order placed/);
    expect(out).toMatch(/2 x pizza at 48\.00 CNY = 96\.00 CNY/);
    expect(result.ordersFile.startsWith(outDir)).toBe(true);
    expect(readFileSync(result.ordersFile, 'utf8')).toContain('"itemId":"pizza"');
    expect(existsSync(result.recordFile) && existsSync(result.recordFile.replace(/\.json$/, '.wav'))).toBe(
      true,
    );
    const events = result.record?.events.map((e) => e.type) ?? [];
    expect(events).toContain('barge_in');
    const said = result.record?.transcript.filter((t) => t.side === 'caller').map((t) => t.text) ?? [];
    expect(
      said.some((t) => /repeat/.test(t)),
      out,
    ).toBe(true);
    expect(out).toMatch(/recognizer heard ".*pizzas.*" .*-> NLU \(menu\): items 2 x pizza/);
  }, 150_000);
});
