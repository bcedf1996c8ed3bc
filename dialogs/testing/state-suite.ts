/**
 * A generated test suite over every resting state of a dialog: a person is reachable ("agent",
 * and key 0 or * where 0 is a digit) and leads to a transfer command; no-input and no-match
 * re-prompt and then escalate to a person (elderly mode: the first re-prompt offers the keypad
 * and a person, the second failure hands over; standard mode: the offer at the second, a person
 * at the third); an answer during the prompt (barge-in) is taken;
 * repeat / slower / goodbye are honoured; hang-up ends the dialog with an outcome.
 */
import { describe, expect, it } from 'vitest';
import { type DialogMachine, speechWaitMs } from '../blocks/build-machine.ts';
import { phrases } from '../blocks/phrases.ts';
import type { DialogContext, DialogDefinition } from '../blocks/types.ts';
import { DialogHarness, type HarnessOptions } from './harness.ts';

export type SampleAnswer = { said: string } | { keys: string };

export interface StateSuiteOptions extends HarnessOptions {
  /** A valid answer for each ask node (moves the dialog on). */
  answers: Record<string, SampleAnswer>;
  /** Words that mean "a person" in the harness language. */
  humanWords?: string;
  /** Input that the node cannot take, where nonsense words would be a valid answer (free speech). */
  noMatch?: Record<string, SampleAnswer>;
  /** Context to rest in (e.g. an item pending confirmation). */
  context?: Partial<DialogContext>;
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** `build` turns a definition into the machine under test (with its actors provided). */
export function describeEveryState(
  name: string,
  def: DialogDefinition,
  build: (def: DialogDefinition) => DialogMachine,
  opts: StateSuiteOptions,
) {
  const zh = opts.language === 'zh-CN';
  const p = phrases(opts.language ?? 'en-US');
  /**
   * A call that starts right in node `id` (its entry runs as on a real visit), prompt played;
   * `elderly` forces the mode (with its own defaults) instead of the options' input.
   */
  const at = (id: string, elderly?: boolean) => {
    const machine = build({
      ...def,
      start: id,
      onStart: (ctx) => {
        const base = { ...ctx, ...def.onStart?.(ctx) };
        return { ...base, ...opts.context, slots: { ...base.slots, ...opts.context?.slots } };
      },
    });
    const h = new DialogHarness(
      machine,
      elderly === undefined ? opts : { ...opts, input: { elderly } },
    ).start();
    if (def.nodes[id]!.kind === 'ask') h.promptDone();
    return h;
  };
  const resting = Object.entries(def.nodes).filter(([, n]) => n.kind !== 'branch' && n.kind !== 'hangup');
  const asks = resting.filter(([, n]) => n.kind === 'ask');

  const expectTransfer = (h: DialogHarness) => {
    expect(h.lastSay()?.promptId).toMatch(/^_human#/);
    h.promptDone();
    const transfer = h.of('transfer').at(-1);
    expect(transfer).toBeDefined();
    expect(transfer!.summary).toContain('reason:');
    h.transferDone(true);
    expect(h.lastOutcome()?.status).toBe('transferred');
    expect(h.done()).toBe(true);
  };

  describe(`${name}: every state`, () => {
    it.each(resting.map(([id]) => id))('%s: "agent" leads to a transfer', async (id) => {
      const h = at(id);
      await settle();
      if (def.nodes[id]!.kind === 'transfer') {
        expect(h.node()).toBe(id);
        return;
      }
      h.said(opts.humanWords ?? (zh ? '转人工' : 'agent'));
      expectTransfer(h);
    });

    it.each(resting.map(([id]) => id))('%s: the keypad reaches a person', async (id) => {
      const h = at(id);
      await settle();
      if (def.nodes[id]!.kind === 'transfer') return;
      const n = def.nodes[id]!;
      h.keys(n.kind === 'ask' && n.dtmf?.leadingZero ? '*' : '0');
      expectTransfer(h);
    });

    it.each(resting.map(([id]) => id))('%s: hang-up ends the dialog with an outcome', async (id) => {
      const h = at(id);
      await settle();
      h.hangup();
      expect(h.done()).toBe(true);
      expect(h.lastOutcome()?.status).toBe(
        def.nodes[id]!.kind === 'transfer' ? 'caller-hung-up' : 'caller-hung-up',
      );
    });

    it.each(asks.map(([id]) => id))('%s: no-input re-prompts, then escalates to a person', (id) => {
      const h = at(id);
      const timeout = h.actor.getSnapshot().context.noInputTimeoutMs;
      const limit = h.actor.getSnapshot().context.humanAfterFailures;
      h.silence(timeout);
      expect(h.lastSay()?.promptId).toMatch(new RegExp(`^${id}#`));
      expect(h.lastSay()?.text.startsWith(p.noInput) || limit <= 2).toBe(true);
      for (let i = 1; i < limit; i++) h.promptDone().silence(timeout);
      expect(h.lastSay()?.text).toBe(p.toHumanAfterFailures);
      h.promptDone();
      expect(h.of('transfer').at(-1)?.reason).toBe('bot-failure');
    });

    it.each(asks.map(([id]) => id))('%s: no-match re-prompts, then escalates to a person', (id) => {
      const h = at(id);
      const limit = h.actor.getSnapshot().context.humanAfterFailures;
      const bad = opts.noMatch?.[id] ?? { said: zh ? '紫色的大象在唱歌' : 'purple elephants singing' };
      const give = () => ('said' in bad ? h.said(bad.said) : h.keys(bad.keys));
      give();
      expect(h.lastSay()?.text.startsWith(p.noMatch)).toBe(true);
      for (let i = 1; i < limit; i++) {
        h.promptDone();
        give();
      }
      expect(h.lastSay()?.text).toBe(p.toHumanAfterFailures);
    });

    it.each(asks.map(([id]) => id))(
      '%s: speech start holds the no-input timer; a slow answer is taken with no failure',
      async (id) => {
        const h = at(id);
        const { noInputTimeoutMs } = h.actor.getSnapshot().context;
        const question = h.lastSay();
        h.silence(noInputTimeoutMs - 500)
          .speechStart()
          .silence(5000);
        expect(h.lastSay()).toBe(question);
        const a = opts.answers[id]!;
        if ('said' in a) h.said(a.said);
        else h.keys(a.keys);
        await settle();
        expect(h.node()).not.toBe('_human');
        expect(h.actor.getSnapshot().context.failuresAt[id] ?? 0).toBe(0);
      },
    );

    it.each(asks.map(([id]) => id))(
      '%s: speech that gives no words is asked for again after a fresh wait, counting half',
      (id) => {
        const h = at(id);
        const { humanAfterFailures: limit } = h.actor.getSnapshot().context;
        const wait = speechWaitMs(h.actor.getSnapshot().context);
        const question = h.lastSay();
        h.speechStart().silence(wait - 1);
        expect(h.lastSay()).toBe(question);
        h.speechStart().silence(wait - 1); // a second utterance: a fresh wait
        expect(h.lastSay()).toBe(question);
        h.silence(1);
        expect(h.lastSay()?.text.startsWith(p.unheard)).toBe(true);
        expect(h.actor.getSnapshot().context.failures).toBe(0.5);
        // Twice as many as the failures that reach a person: the last one does.
        for (let i = 1; i < 2 * limit - 1; i++) h.promptDone().speechStart().silence(wait);
        expect(h.lastSay()?.promptId).toMatch(new RegExp(`^${id}#`));
        h.promptDone().speechStart().silence(wait);
        expect(h.lastSay()?.text).toBe(p.toHumanAfterFailures);
      },
    );

    it.each(asks.map(([id]) => id))(
      '%s: when the session says the speech gave no words, it is asked for again at once',
      (id) => {
        const h = at(id);
        const question = h.lastSay();
        h.unheard(); // no speech start: not for this question, ignored
        expect(h.lastSay()).toBe(question);
        h.speechStart().silence(2000).unheard();
        expect(h.lastSay()?.text.startsWith(p.unheard)).toBe(true);
        expect(h.actor.getSnapshot().context.failures).toBe(0.5);
      },
    );

    /** One failure of `kind` at the current question: silence, or an answer it cannot take. */
    const fail = (h: DialogHarness, id: string, kind: 'no-input' | 'no-match') => {
      if (kind === 'no-input') return h.silence(h.actor.getSnapshot().context.noInputTimeoutMs);
      const bad = opts.noMatch?.[id] ?? { said: zh ? '紫色的大象在唱歌' : 'purple elephants singing' };
      return 'said' in bad ? h.said(bad.said) : h.keys(bad.keys);
    };
    const cause = { 'no-input': p.noInput, 'no-match': p.noMatch };
    const offerOf = (id: string) => {
      const n = def.nodes[id]!;
      return n.kind === 'ask' && n.dtmf?.leadingZero ? p.personOfferStar : p.personOffer;
    };
    const keypadOffered = (id: string, text: string) => {
      const n = def.nodes[id]!;
      return n.kind !== 'ask' || n.keypadHint === undefined || text.includes(p.keypadIntro);
    };
    const failureRuns = [
      ['no-input', 'no-input'],
      ['no-match', 'no-match'],
      ['no-input', 'no-match'],
      ['no-match', 'no-input'],
    ] as const;
    const cases = asks.flatMap(([id]) => failureRuns.map(([first, second]) => [id, first, second] as const));

    it.each(cases)(
      '%s: elderly mode: the first re-prompt offers the keypad and a person, a person after %s + %s',
      (id, first, second) => {
        const h = at(id, true);
        fail(h, id, first);
        const reprompt = h.lastSay()!;
        expect(reprompt.promptId).toMatch(new RegExp(`^${id}#`));
        expect(reprompt.text.startsWith(cause[first])).toBe(true);
        expect(reprompt.text.endsWith(offerOf(id))).toBe(true);
        expect(keypadOffered(id, reprompt.text)).toBe(true);
        fail(h.promptDone(), id, second);
        expect(h.lastSay()?.text).toBe(p.toHumanAfterFailures);
        h.promptDone();
        expect(h.of('transfer').at(-1)?.reason).toBe('bot-failure');
      },
    );

    it.each(cases)(
      '%s: standard mode: the second failure offers the keypad and a person, a person after %s + %s + one more',
      (id, first, second) => {
        const h = at(id, false);
        fail(h, id, first);
        expect(h.lastSay()?.promptId).toMatch(new RegExp(`^${id}#`));
        expect(h.lastSay()?.text.startsWith(cause[first])).toBe(true);
        expect(h.lastSay()?.text).not.toContain(offerOf(id));
        fail(h.promptDone(), id, second);
        expect(h.lastSay()?.promptId).toMatch(new RegExp(`^${id}#`));
        expect(h.lastSay()?.text.endsWith(offerOf(id))).toBe(true);
        expect(keypadOffered(id, h.lastSay()!.text)).toBe(true);
        fail(h.promptDone(), id, first);
        expect(h.lastSay()?.text).toBe(p.toHumanAfterFailures);
        h.promptDone();
        expect(h.of('transfer').at(-1)?.reason).toBe('bot-failure');
      },
    );

    it.each(asks.map(([id]) => id))(
      '%s: elderly mode: speech that gives no words counts half, a person at the fourth',
      (id) => {
        const h = at(id, true);
        for (let i = 1; i <= 3; i++) {
          h.speechStart().unheard();
          expect(h.lastSay()?.promptId).toMatch(new RegExp(`^${id}#`));
          expect(h.lastSay()?.text.startsWith(p.unheard)).toBe(true);
          expect(h.lastSay()?.text.endsWith(offerOf(id))).toBe(true);
          h.promptDone();
        }
        h.speechStart().unheard();
        expect(h.lastSay()?.text).toBe(p.toHumanAfterFailures);
      },
    );

    it.each(asks.map(([id]) => id))(
      '%s: barge-in: an answer that cuts the prompt short is taken',
      async (id) => {
        const h = at(id);
        h.silence(h.actor.getSnapshot().context.noInputTimeoutMs); // a re-prompt is playing
        expect(h.lastSay()?.text.startsWith(p.noInput) || h.lastSay()?.text).toBeTruthy();
        const a = opts.answers[id];
        expect(a, `sample answer for ${id}`).toBeDefined();
        h.promptDone(true);
        if (a && 'said' in a) h.said(a.said);
        else if (a) h.keys(a.keys);
        await settle();
        expect(h.node()).not.toBe(id);
        expect(h.node()).not.toBe('_human');
      },
    );

    it.each(asks.map(([id]) => id))('%s: repeat, slower and goodbye are honoured', (id) => {
      const h = at(id);
      h.silence(h.actor.getSnapshot().context.noInputTimeoutMs);
      const reprompt = h.lastSay()!;
      h.promptDone().said(zh ? '请再说一遍' : 'repeat that please');
      expect(h.lastSay()?.text).toBe(reprompt.text);
      h.promptDone().said(zh ? '说慢一点' : 'slower please');
      expect(h.lastSay()?.text).toBe(reprompt.text);
      expect(h.lastSay()!.rate!).toBeLessThan(reprompt.rate!);
      h.promptDone().said(zh ? '再见' : 'goodbye');
      expect(h.lastSay()?.text).toBe(p.goodbye);
      expect(h.lastOutcome()?.status).toBe('ended-by-caller');
      h.promptDone();
      expect(h.of('hangup')).toHaveLength(1);
      expect(h.done()).toBe(true);
    });
  });
}
