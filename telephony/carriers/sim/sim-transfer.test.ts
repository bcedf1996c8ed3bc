/**
 * The sim carrier as the platform's switch: a bot's transfer to a target it cannot reach is
 * refused (the leg's transfer() rejects with the reason, the call goes on); one to a SIP URI is
 * routed (the leg ends with reason 'transfer', the callee's stream closes), and both are listed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../../engine/errors.ts';
import type { HangupEvent } from '../../call-leg.ts';
import type { AnsweredResult } from '../carrier.ts';
import { loadPersonas } from './persona.ts';
import type { SimCarrier } from './sim-carrier.ts';
import { type SimTransfer, simRoutable } from './sim-transfer.ts';
import { type SimEngine, startSimEngine } from './testing/sim-engine.ts';

let sim: SimEngine;
let carrier: SimCarrier;
const seen: SimTransfer[] = [];

beforeAll(async () => {
  sim = await startSimEngine({
    personas: loadPersonas(join(import.meta.dirname, '../../../fixtures/personas')),
    ringTimeScale: 0.01,
    onTransfer: (t) => seen.push(t),
  });
  carrier = sim.carrier;
});

afterAll(() => sim?.close());

describe('sim carrier transfers', () => {
  it('knows which targets it can reach', () => {
    for (const t of ['sip:ann@pbx.example', 'sips:ann@pbx.example:5061', 'tel:+442071234567', 'queue:sales'])
      expect(simRoutable(t), t).toBe(true);
    for (const t of ['', 'ann', 'sip:pbx.example', 'tel:12', 'http://x'])
      expect(simRoutable(t), t).toBe(false);
  });

  it('refuses an unreachable target, then routes the callee to an agent', async () => {
    const r = (await carrier.originate({
      campaignId: 'c1',
      attemptId: 'xfer-1',
      to: '+14155550123',
      from: '+14155550100',
      ringTimeoutMs: 30_000,
      amd: { mode: 'engine' },
      parameters: { persona: 'human-yes' },
    })) as AnsweredResult;
    expect(r.status).toBe('answered');
    const request = { reason: 'sales-qualified', summary: 'owns the home, bill 150' };
    const refused = await r.leg.transfer({ target: 'ann', ...request }).catch((e: unknown) => e);
    expect(isVoicebotError(refused) && refused.code).toBe('TRANSFER_FAILED');
    expect((refused as Error).message).toMatch(/cannot route "ann"/);
    expect(r.leg.active).toBe(true);
    const ended = new Promise<HangupEvent>((resolve) => r.leg.once('hangup', resolve));
    expect(await r.leg.transfer({ target: 'sip:ann@pbx.example', ...request })).toEqual({ ok: true });
    expect((await ended).reason).toBe('transfer');
    expect(carrier.transfers()).toEqual(seen);
    expect(seen.map((t) => [t.attemptId, t.target, t.ok, t.reason, t.summary])).toEqual([
      ['xfer-1', 'ann', false, 'sales-qualified', 'owns the home, bill 150'],
      ['xfer-1', 'sip:ann@pbx.example', true, 'sales-qualified', 'owns the home, bill 150'],
    ]);
    expect(seen[1]?.providerCallId).toBe(r.providerCallId);
  });
});
