import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../engine/config/schema.ts';
import { startEngine } from '../../engine/engine.ts';
import { createRootLogger } from '../../engine/log/logger.ts';
import type { CallLeg } from '../call-leg.ts';
import { requireBinary, runSipp, sippScenario } from './testing/peers.ts';

requireBinary('sipp', 'sip-tester');
const dir = mkdtempSync(join(tmpdir(), 'voicebot-engine-sip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('engine with sip.enabled', () => {
  it('answers a SIP call with the configured handler and counts it in /metrics', async () => {
    const config = configSchema.parse({
      port: 0,
      auth: { mode: 'none' },
      logLevel: 'silent',
      sip: { enabled: true, port: 0, rtpPortMin: 0 },
    });
    const legs: CallLeg[] = [];
    const engine = await startEngine({
      config,
      log: createRootLogger({ level: 'silent' }),
      handler: (leg) => {
        legs.push(leg);
        setTimeout(() => leg.hangup('bye from the engine'), 200);
      },
    });
    try {
      expect(engine.sip).toBeDefined();
      const run = await runSipp(
        [
          '-sf',
          sippScenario('uac-bot-hangs-up.xml'),
          `127.0.0.1:${engine.sip!.endpoint.port}`,
          '-i',
          '127.0.0.1',
          '-p',
          '0',
          '-mp',
          '0',
          '-m',
          '1',
        ],
        { cwd: dir, timeoutMs: 10_000 },
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(legs).toHaveLength(1);
      expect(legs[0]!.info).toMatchObject({ transport: 'sip', direction: 'inbound', sampleRate: 8000 });
      const text = await (await fetch(`${engine.url}/metrics`)).text();
      expect(text).toMatch(/voicebot_calls_started_total\{transport="sip"\} 1/);
      expect(engine.sip!.ports.inUse).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
