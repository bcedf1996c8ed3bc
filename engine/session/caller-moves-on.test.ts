/**
 * A caller whose key or words move the dialog on while a prompt plays (0 or "agent" during the
 * greeting) hears the dialog's answer next, not first the question of the node the interrupted
 * prompt would have led to. The real voice-order dialog and turn machine joined as the session
 * joins them (testing/dialog-sim.ts), on a SimulatedClock.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../dialogs/nlu/catalog.ts';
import { rngFor } from '../../telephony/carriers/sim/rng.ts';
import { ASR_ERROR_LEVELS } from './testing/asr-errors.ts';
import { simulateCall } from './testing/dialog-sim.ts';
import { type CallerAction, type HeardPrompt, makePlan, PersonaCaller } from './testing/personas.ts';

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);

/** Acts once, 1.5 s into the greeting; then only listens. */
class GreetingInterrupter extends PersonaCaller {
  constructor(private readonly action: CallerAction) {
    const rng = rngFor(1, 'greeting-interrupter');
    super(makePlan('wants-a-human', rng, catalog), rng, catalog);
  }

  override react(prompt: HeardPrompt): CallerAction {
    return prompt.node === 'greeting' ? this.action : { kind: 'none' };
  }
}

/** Seconds into the call of the first transcript line matching `re`. */
const at = (lines: string[], re: RegExp): number => {
  const line = lines.find((l) => re.test(l));
  if (line === undefined) throw new Error(`no line ${re}:\n${lines.join('\n')}`);
  return Number.parseFloat(line);
};

async function interruptGreeting(action: CallerAction, input: Record<string, unknown>) {
  const caller = new GreetingInterrupter(action);
  const rng = rngFor(1, 'greeting-interrupter-asr');
  const r = await simulateCall({
    caller,
    catalog,
    rng,
    asrErrors: ASR_ERROR_LEVELS.none!,
    agentFree: 1,
    dialogInput: input,
  });
  return r;
}

describe('caller input that moves the dialog on cuts the prompt and skips what it led to', () => {
  for (const elderly of [true, false]) {
    const input = { elderly };
    it(`key 0 during the greeting (elderly ${elderly}): "Connecting you" next, no item question, transferred`, async () => {
      const r = await interruptGreeting({ kind: 'keys', digits: '0', when: 'during', delayMs: 1500 }, input);
      const log = r.transcript.join('\n');
      expect(r.outcome?.status, log).toBe('transferred');
      expect(log).toMatch(/bot cut at/);
      expect(log).not.toMatch(/bot askItem#/);
      const bots = r.transcript.filter((l) => / bot [^ ]+#\d+:/.test(l)).map((l) => l.split(' ')[2]);
      expect(bots, log).toEqual(['greeting#1:', '_human#2:']);
      // "Connecting you" starts with the key; the hand-over waits for it alone.
      expect(at(r.transcript, /bot _human#/) - at(r.transcript, /caller keys 0/), log).toBeLessThanOrEqual(
        0.1,
      );
      expect(at(r.transcript, /transfer done/), log).toBeGreaterThan(at(r.transcript, /bot _human#/));
    });

    it(`"agent" during the greeting (elderly ${elderly}): no item question before "Connecting you"`, async () => {
      const r = await interruptGreeting(
        { kind: 'say', text: 'agent', when: 'during', delayMs: 1500, tempo: 1 },
        input,
      );
      const log = r.transcript.join('\n');
      expect(r.outcome?.status, log).toBe('transferred');
      expect(log).toMatch(/heard "agent"/);
      expect(log).not.toMatch(/bot askItem#/);
      expect(at(r.transcript, /bot _human#/) - at(r.transcript, /heard "agent"/), log).toBeLessThanOrEqual(
        0.1,
      );
    });
  }
});
