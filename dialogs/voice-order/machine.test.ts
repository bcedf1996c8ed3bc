import { describe, expect, it } from 'vitest';
import { settle, voiceOrderHarness } from './test-setup.ts';

describe('voice-order happy paths', () => {
  it('cooperative English caller orders two items with the registered address', async () => {
    const { h, submitted } = voiceOrderHarness();
    h.start();
    expect(h.lastSay()?.text).toContain('welcome to Sunshine Grocery');
    expect(h.lastSay()?.rate).toBe(0.8);
    h.promptDone();
    expect(h.lastSay()?.text).toContain('What would you like to order?');
    expect(h.lastListen()?.expected).toBe('menu');
    h.answer('two loaves of bread');
    expect(h.lastSay()?.text).toMatch(/^two loaves of bread, is that right\?/);
    h.answer('yes');
    expect(h.lastSay()?.text).toMatch(/^Anything else\?/);
    h.answer('yes');
    h.answer('a carton of milk');
    expect(h.lastSay()?.text).toMatch(/^one carton of milk, is that right/);
    h.answer('yes');
    h.answer('no');
    expect(h.lastSay()?.text).toMatch(
      /^You ordered two loaves of bread and one carton of milk\. The total is 30 yuan\. Shall I place the order\?/,
    );
    h.answer('yes');
    await settle();
    expect(h.lastSay()?.text).toMatch(/registered address, 12 Garden Road, flat 3\?/);
    h.answer('yes');
    await settle();
    expect(submitted).toHaveLength(1);
    expect(submitted[0]).toMatchObject({
      lines: [
        { itemId: 'bread', quantity: 2, priceMinor: 1200 },
        { itemId: 'milk', quantity: 1, priceMinor: 600 },
      ],
      totalMinor: 3000,
      address: '12 Garden Road, flat 3',
      addressSource: 'registered',
      idempotencyKey: 'order-call-test',
    });
    await settle();
    expect(h.lastSay()?.text).toContain('The order number is A1');
    expect(h.lastOutcome()).toMatchObject({ status: 'order-placed', slots: { orderId: 'A1' } });
    h.promptDone();
    expect(h.of('hangup')).toEqual([{ type: 'hangup', reason: 'order-placed' }]);
    expect(h.done()).toBe(true);
  });
});
