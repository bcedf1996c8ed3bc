/**
 * The dialog-level call simulator and its personas: deterministic calls through the real
 * voice-order dialog and turn machine end the way the persona's plan says, and the error model
 * and probes do what they claim.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeAsr } from '../../../asr-tts/testing/fake-asr.ts';
import { FakeTts } from '../../../asr-tts/testing/fake-tts.ts';
import { parseCatalog } from '../../../dialogs/nlu/catalog.ts';
import { rngFor } from '../../../telephony/carriers/sim/rng.ts';
import { ASR_ERROR_LEVELS, applyAsrErrors } from './asr-errors.ts';
import { simulateCall } from './dialog-sim.ts';
import { makePlan, PersonaCaller, type PersonaName } from './personas.ts';
import { CallProbe, probeAsr, probeTts } from './probes.ts';

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);

async function call(persona: PersonaName, key: string) {
  const rng = rngFor(7, key);
  const caller = new PersonaCaller(makePlan(persona, rng, catalog), rng, catalog);
  const r = await simulateCall({ caller, catalog, rng, asrErrors: ASR_ERROR_LEVELS.none! });
  return { caller, r };
}

describe('dialog-level call simulation (voice-order + turn machine, SimulatedClock)', () => {
  it('a keypad-only caller places exactly the order of its plan', async () => {
    for (let i = 0; i < 5; i++) {
      const { caller, r } = await call('keypad-only', `keypad-${i}`);
      expect(r.outcome?.status, r.transcript.join('\n')).toBe('order-placed');
      const cart = ((r.outcome?.slots.cart ?? []) as { itemId: string; quantity: number }[]).map((l) => [
        l.itemId,
        l.quantity,
      ]);
      expect(cart).toEqual(caller.plan.lines.map((l) => [l.itemId, l.quantity]));
      expect(r.verdict).toEqual({ ok: true, why: 'order-placed' });
    }
  });

  it('a silent caller is re-prompted, then handed to a person', async () => {
    const { r } = await call('silent', 'silent');
    expect(r.verdict.ok).toBe(true);
    expect(r.outcome?.status).toBe('transferred');
    expect(r.turns).toBe(0);
    expect(r.transcript.filter((l) => l.includes("didn't hear anything")).length).toBeGreaterThanOrEqual(1);
  });

  it('a caller who says "agent" is transferred', async () => {
    const rng = rngFor(7, 'human');
    const plan = { ...makePlan('wants-a-human', rng, catalog), humanAt: 'askItem' };
    const r = await simulateCall({
      caller: new PersonaCaller(plan, rng, catalog),
      catalog,
      rng,
      asrErrors: ASR_ERROR_LEVELS.none!,
    });
    expect(r.outcome?.status, r.transcript.join('\n')).toBe('transferred');
  });

  it('the same seed gives the same call', async () => {
    const a = await call('elderly', 'same');
    const b = await call('elderly', 'same');
    expect(a.r.transcript).toEqual(b.r.transcript);
  });

  it('an interrupter barges in on prompts', async () => {
    const { r } = await call('interrupter', 'barge');
    expect(r.bargeIns).toBeGreaterThan(0);
    expect(r.transcript.some((l) => l.includes('bot cut at'))).toBe(true);
  });
});

describe('ASR error model', () => {
  it('leaves words alone at rate 0, drops all at deletion 1, substitutes at substitution 1', () => {
    const rng = rngFor(1, 'asr');
    expect(applyAsrErrors('two pizzas please', ASR_ERROR_LEVELS.none!, rng)).toBe('two pizzas please');
    expect(applyAsrErrors('two pizzas please', { substitution: 0, deletion: 1 }, rng)).toBe('');
    const sub = applyAsrErrors('two yes', { substitution: 1, deletion: 0 }, rng).split(' ');
    expect(['to', 'too', 'do']).toContain(sub[0]);
    expect(sub[1]).not.toBe('yes');
  });

  it('the grammar level changes about a fifth of 2-3 word utterances', () => {
    const rng = rngFor(2, 'rate');
    let changed = 0;
    for (let i = 0; i < 2000; i++) {
      if (applyAsrErrors('two pizzas please', ASR_ERROR_LEVELS.grammar!, rng) !== 'two pizzas please')
        changed++;
    }
    expect(changed / 2000).toBeGreaterThan(0.18);
    expect(changed / 2000).toBeLessThan(0.3);
  });

  it('the measured level changes about a tenth of item answers (voice-order-asr: 93/105 right)', () => {
    const rng = rngFor(2, 'measured');
    const answer = "I'd like two pizzas please";
    let changed = 0;
    for (let i = 0; i < 4000; i++)
      if (applyAsrErrors(answer, ASR_ERROR_LEVELS.measured!, rng) !== answer) changed++;
    expect(changed / 4000).toBeGreaterThan(0.08);
    expect(changed / 4000).toBeLessThan(0.16);
  });
});

describe('timing probes', () => {
  it('stamp a forced final and the first synthesized frame, and pass everything through', async () => {
    const probe = new CallProbe();
    const asr = probeAsr(new FakeAsr({ results: ['one pizza'] }), probe);
    const stream = asr.stream({ language: 'en-US' });
    const loud = new Int16Array(160).fill(3000);
    stream.push({ samples: loud, sampleRate: 8000, timestampMs: 0 });
    stream.flush();
    stream.end();
    const events = [];
    for await (const e of stream) events.push(e.type);
    expect(events).toContain('asr.final');
    expect(probe.of('asr.flush')).toHaveLength(1);
    expect(probe.of('asr.final')[0]?.text).toBe('one pizza');

    const tts = probeTts(new FakeTts(), probe);
    let frames = 0;
    for await (const _ of tts.synthesize('hi', { language: 'en-US', sampleRate: 8000 })) frames++;
    expect(frames).toBeGreaterThan(0);
    const start = probe.of('tts.start')[0]!;
    const first = probe.of('tts.first')[0]!;
    expect(first.at).toBeGreaterThanOrEqual(start.at);
    probe.wrote();
    probe.wrote();
    expect(probe.of('wire.first')).toHaveLength(1);
  });
});
