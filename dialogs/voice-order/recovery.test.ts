/**
 * How the voice-order dialog recovers from mishearing: a rejected read-back is a failure of the
 * question it read back (elderly mode: the keypad and a person offered after one, a person after
 * two; standard mode: after two and three), a
 * correction in the same answer, a spoken address said in two parts, a slow caller's answer
 * that starts before the no-input timer runs out, and a late answer to a re-prompt.
 */
import { describe, expect, it } from 'vitest';
import { phrases } from '../blocks/phrases.ts';
import { settle, voiceOrderHarness } from './test-setup.ts';

const EN = phrases('en-US');

const STANDARD = { parameters: { elderly: 'false' } };

describe('voice-order: a rejected read-back counts as a failure of its question', () => {
  it('elderly: the item read back wrong: sorry with the keypad and a person, then a person', () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone().answer('two pizzas');
    h.answer("no that's wrong");
    expect(h.lastSay()?.text).toMatch(/^Sorry about that\. Please tell me one thing you would like/);
    expect(h.lastSay()?.text).toContain(EN.keypadIntro);
    expect(h.lastSay()?.text.endsWith(EN.personOffer)).toBe(true);
    h.answer('two pizzas').answer('no it is not');
    expect(h.lastSay()?.text).toBe(EN.toHumanAfterFailures);
    h.promptDone();
    expect(h.of('transfer').at(-1)?.reason).toBe('bot-failure');
  });

  it('standard mode: sorry, then the offer of a person, then a person', () => {
    const { h } = voiceOrderHarness(STANDARD);
    h.start().promptDone().answer('two pizzas');
    h.answer("no that's wrong");
    expect(h.lastSay()?.text).toMatch(/^Sorry about that\. What would you like to order\?$/);
    h.answer('two pizzas').answer('no it is not');
    expect(h.lastSay()?.text).toMatch(/^Please tell me one thing you would like/);
    expect(h.lastSay()?.text.endsWith(EN.personOffer)).toBe(true);
    h.answer('two pizzas').answer('no');
    expect(h.lastSay()?.text).toBe(EN.toHumanAfterFailures);
  });

  it('a yes clears the count: the next item starts again from no failure', () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone().answer('two pizzas').answer('no').answer('two pizzas').answer('yes');
    expect(h.actor.getSnapshot().context.failuresAt.askItem).toBe(0);
    h.answer('a coke').answer('no');
    expect(h.lastSay()?.text).toMatch(/^Sorry about that\./);
    expect(h.actor.getSnapshot().context.failuresAt.askItem).toBe(1);
  });

  it('a misheard spoken address loops no more: a person after the second rejection (standard: third)', async () => {
    for (const [opts, limit] of [[{}, 2] as const, [STANDARD, 3] as const]) {
      const { h } = voiceOrderHarness({ ...opts, from: '+15550100077' });
      h.start().promptDone().answer('two pizzas').answer('yes').answer('no').answer('yes');
      await settle();
      for (let i = 1; i < limit; i++) {
        expect(h.lastSay()?.promptId).toMatch(/^askAddress#/);
        h.answer('i will go to a lot at all');
        expect(h.lastSay()?.text).toMatch(/^I heard: i will go to a lot at all\. Is that right\?/);
        h.answer('no');
      }
      // Asked again with the offer of the keypad and a person before the last try.
      expect(h.lastSay()?.text.endsWith(EN.personOffer)).toBe(true);
      h.answer('i will go to a lot at all').answer('no');
      expect(h.lastSay()?.text).toBe(EN.toHumanAfterFailures);
    }
  });

  it('the whole order rejected twice: a person (standard mode: three times)', () => {
    for (const [opts, limit] of [[{}, 2] as const, [STANDARD, 3] as const]) {
      const { h } = voiceOrderHarness(opts);
      h.start().promptDone();
      for (let i = 1; i < limit; i++) {
        h.answer('two pizzas').answer('yes').answer('no').answer('no');
        expect(h.lastSay()?.text).toBe('All right, let us start again.');
        h.promptDone();
      }
      h.answer('two pizzas').answer('yes').answer('no').answer('no');
      expect(h.lastSay()?.text).toBe(EN.toHumanAfterFailures);
    }
  });
});

describe('voice-order: a correction in the same answer', () => {
  it('"no, three pizzas" and "no, three" are read back at once (standard mode: two corrections)', () => {
    const { h } = voiceOrderHarness(STANDARD);
    h.start().promptDone().answer('two pizzas');
    expect(h.lastListen()?.expected).toBe('free');
    h.answer('no, three pizzas');
    expect(h.lastSay()?.text).toMatch(/^three pizzas, is that right\?/);
    h.answer('no I said four');
    expect(h.lastSay()?.text).toMatch(/^four pizzas, is that right\?/);
    h.answer('yes').answer('no').answer('yes');
    expect(h.actor.getSnapshot().context.slots.cart).toEqual([
      { itemId: 'pizza', quantity: 4, priceMinor: expect.any(Number) },
    ]);
  });

  it('another item instead: "no, two bottles of coke"; a plain yes is not a correction', () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone().answer('two pizzas').answer('no, two bottles of coke');
    expect(h.lastSay()?.text).toMatch(/^two bottles of coke, is that right\?/);
    h.answer('yes, two');
    expect(h.lastSay()?.text).toMatch(/^Anything else\?/);
  });

  it('Chinese: "不对，要三份" corrects the quantity', () => {
    const { h } = voiceOrderHarness({ language: 'zh-CN' });
    h.start().promptDone().answer('两份披萨');
    expect(h.lastSay()?.text).toMatch(/^两份披萨，对吗？/);
    h.answer('不对，要三份');
    expect(h.lastSay()?.text).toMatch(/^三份披萨，对吗？/);
  });

  it('corrections count as rejections: the second hands the call to a person (standard mode: the third)', () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone().answer('two pizzas');
    h.answer('no three pizzas');
    expect(h.lastSay()?.text).toMatch(/^three pizzas, is that right\?/);
    h.answer('no three pizzas');
    expect(h.lastSay()?.text).toBe(EN.toHumanAfterFailures);
    const standard = voiceOrderHarness(STANDARD).h;
    standard.start().promptDone().answer('two pizzas');
    standard.answer('no three pizzas').answer('no three pizzas');
    expect(standard.lastSay()?.text).toMatch(/^three pizzas, is that right\?/);
    standard.answer('no three pizzas');
    expect(standard.lastSay()?.text).toBe(EN.toHumanAfterFailures);
  });
});

describe('voice-order: slow and split answers', () => {
  it('an address said in two parts ("12" ... "Oak Lane, flat 4") is read back whole', async () => {
    const { h } = voiceOrderHarness({ from: '+15550100077' });
    h.start().promptDone().answer('two pizzas').answer('yes').answer('no').answer('yes');
    await settle();
    h.promptDone().said('12');
    expect(h.lastSay()?.promptId).toMatch(/^askAddress#/);
    h.silence(5000).said('Oak Lane, flat 4');
    expect(h.lastSay()?.text).toMatch(/^I heard: 12 Oak Lane, flat 4\. Is that right\?/);
    h.answer('no');
    // Said again whole: not joined to the old part.
    h.answer('12 Oak Lane, flat 4');
    expect(h.lastSay()?.text).toMatch(/^I heard: 12 Oak Lane, flat 4\./);
  });

  it('an address cut before its flat number: the number that follows completes it', async () => {
    const { h } = voiceOrderHarness({ from: '+15550100077' });
    h.start().promptDone().answer('two pizzas').answer('yes').answer('no').answer('yes');
    await settle();
    h.promptDone().said('12 Oak Lane, flat');
    expect(h.lastSay()?.promptId).toMatch(/^askAddress#/);
    h.said('4');
    expect(h.lastSay()?.text).toMatch(/^I heard: 12 Oak Lane, flat 4\./);
  });

  it('an address cut before its flat number and then said again whole is not doubled', async () => {
    const { h } = voiceOrderHarness({ from: '+15550100077' });
    h.start().promptDone().answer('two pizzas').answer('yes').answer('no').answer('yes');
    await settle();
    h.promptDone().said('12 Oak Lane, flat').said('12 Oak Lane, flat 4');
    expect(h.lastSay()?.text).toMatch(/^I heard: 12 Oak Lane, flat 4\./);
  });

  it('an answer begun at 14 s is not talked over by the re-prompt; its words at 20 s are taken', () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone().promptDone();
    const question = h.lastSay();
    h.silence(14_000).speechStart().silence(6000);
    expect(h.lastSay()).toBe(question);
    h.said('two pizzas');
    expect(h.lastSay()?.text).toMatch(/^two pizzas, is that right\?/);
    expect(h.actor.getSnapshot().context.failuresAt.askItem ?? 0).toBe(0);
  });

  it('speech begun while the prompt plays: the wait after it is for the words, not a no-input', () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone();
    const question = h.lastSay();
    h.speechStart().promptDone(true).silence(14_000);
    expect(h.lastSay()).toBe(question);
    h.silence(1000);
    // Half a failure: the reworded question with the keypad and a person (elderly mode).
    expect(h.lastSay()?.text).toMatch(
      /^Sorry, I didn't catch that\. Please tell me one thing you would like/,
    );
    expect(h.lastSay()?.text.endsWith(EN.personOffer)).toBe(true);
  });

  it('a late answer to a no-input re-prompt is taken, and the next question starts with no failure', async () => {
    const { h } = voiceOrderHarness();
    h.start().promptDone().promptDone().silence(15_000);
    expect(h.lastSay()?.text).toMatch(/^Sorry, I didn't hear anything\./);
    h.said('two pizzas'); // over the re-prompt
    expect(h.lastSay()?.text).toMatch(/^two pizzas, is that right\?/);
    h.promptDone().silence(15_000);
    expect(h.lastSay()?.text).toMatch(/^Sorry, I didn't hear anything\. two pizzas, is that right\?/);
    h.answer('yes');
    expect(h.lastSay()?.text).toMatch(/^Anything else\?/);
    await settle();
    expect(h.node()).toBe('anythingElse');
  });
});
