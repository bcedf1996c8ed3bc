import { describe, expect, it } from 'vitest';
import type { DialogHarness } from '../testing/harness.ts';
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

describe('voice-order other callers', () => {
  it('cooperative Chinese caller, no registered address: spoken address read back', async () => {
    const { h, submitted } = voiceOrderHarness({ language: 'zh-CN', from: '+8613999999999' });
    h.start().promptDone();
    expect(h.lastSay()).toMatchObject({
      text: expect.stringContaining('请问您想买点什么'),
      language: 'zh-CN',
    });
    h.answer('两个面包');
    expect(h.lastSay()?.text).toMatch(/^两个面包，对吗？/);
    h.answer('对');
    h.answer('不要了');
    expect(h.lastSay()?.text).toMatch(/^您点了两个面包，一共24元。现在下单吗？/);
    h.answer('好的');
    await settle();
    expect(h.lastSay()?.text).toMatch(/^请告诉我送货地址/);
    h.answer('人民路五号三楼');
    expect(h.lastSay()?.text).toMatch(/^我听到的是：人民路五号三楼，对吗？/);
    h.answer('对的');
    await settle();
    await settle();
    expect(submitted[0]).toMatchObject({
      address: '人民路五号三楼',
      addressSource: 'spoken',
      language: 'zh-CN',
    });
    expect(h.lastSay()?.text).toContain('订单号是A1');
  });

  it('keypad-only caller: item number, quantity, 1/2 for yes/no', async () => {
    const { h, submitted } = voiceOrderHarness();
    h.start().promptDone().promptDone();
    expect(h.lastSay()?.text).toContain('type the item number'); // elderly: keypad offered at once
    expect(h.lastListen()?.dtmf).toEqual({ maxDigits: 2, terminator: '#' });
    h.keys('22#'); // bread
    expect(h.lastSay()?.text).toMatch(/^How many loaves of bread\?/);
    h.promptDone().keys('3#');
    expect(h.lastSay()?.text).toMatch(/^three loaves of bread, is that right\? Press 1 for yes/);
    h.promptDone().keys('1');
    h.promptDone().keys('2'); // nothing else
    h.promptDone().keys('1'); // place it
    await settle();
    h.promptDone().keys('1'); // registered address
    await settle();
    await settle();
    expect(submitted[0]?.lines).toEqual([{ itemId: 'bread', quantity: 3, priceMinor: 1200 }]);
    expect(h.lastOutcome()?.status).toBe('order-placed');
  });

  it('elderly caller who pauses, asks to repeat and to slow down', async () => {
    const { h, submitted } = voiceOrderHarness();
    h.start().promptDone().promptDone();
    const question = h.lastSay()!;
    h.silence(14_999);
    expect(h.lastSay()).toBe(question); // 15 s of patience before a re-prompt
    h.silence(1);
    // One failure: the reworded question, the keypad and the way to a person (the next one hands over).
    expect(h.lastSay()?.text).toMatch(
      /^Sorry, I didn't hear anything\. Please tell me one thing you would like/,
    );
    expect(h.lastSay()?.text).toContain('press 0, to talk to a person');
    h.promptDone().said('pardon, could you repeat that');
    h.promptDone().said('slower please');
    expect(h.lastSay()?.rate).toBe(0.64);
    h.promptDone().said('one pizza and two cokes');
    expect(h.lastSay()?.text).toMatch(/^one pizza, is that right/);
    h.answer('yes');
    expect(h.lastSay()?.text).toMatch(/^two bottles of coke, is that right/);
    h.answer('yes');
    h.answer('no');
    expect(h.lastSay()?.text).toContain('The total is 58 yuan');
    h.answer('yes');
    await settle();
    h.answer('yes');
    await settle();
    await settle();
    expect(submitted[0]?.totalMinor).toBe(5800);
  });

  it('a failed submission apologises and transfers with a summary of the order', async () => {
    const { h } = voiceOrderHarness({ failSubmit: true });
    h.start().promptDone().answer('two loaves of bread').answer('yes').answer('no').answer('yes');
    await settle();
    h.answer('yes');
    await settle();
    await settle();
    expect(h.lastSay()?.text).toMatch(/could not place your order/);
    h.promptDone();
    const transfer = h.of('transfer')[0]!;
    expect(transfer.reason).toBe('bot-failure');
    expect(transfer.summary).toContain('two loaves of bread');
    h.transferDone(false);
    expect(h.lastOutcome()?.status).toBe('callback-requested');
  });

  it('keypad quantity question reads naturally when the unit is the item itself', () => {
    const { h } = voiceOrderHarness({ language: 'en-US' });
    h.start().promptDone().promptDone().keys('1#');
    expect(h.lastSay()?.text).toMatch(/^How many pizzas\? Say a number/);
    const zh = voiceOrderHarness({ language: 'zh-CN' }).h;
    zh.start().promptDone().promptDone().keys('22');
    expect(zh.lastSay()?.text).toMatch(/^面包要几个？/);
  });

  it('an interrupter who answers during the greeting has the answer taken', () => {
    const { h } = voiceOrderHarness({ parameters: { elderly: 'false' } });
    h.start().said('two loaves of bread please'); // the final result beats the greeting's prompt.done
    h.actor.send({ type: 'prompt.done', promptId: 'greeting#1', interrupted: true }); // late: ignored
    expect(h.of('say').map((s) => s.promptId)).toEqual(['greeting#1', 'confirmItem#2']);
    expect(h.lastSay()?.text).toBe('two loaves of bread, is that right?');
    expect(h.node()).toBe('confirmItem');
    h.answer('yes');
    expect(h.lastSay()?.text).toBe('Anything else?');
  });

  it('0 or "agent" during the greeting (input first, the cut reported after it): a person, no item question', () => {
    for (const ask of [(h: DialogHarness) => h.keys('0'), (h: DialogHarness) => h.said('agent')]) {
      const { h } = voiceOrderHarness({});
      ask(h.start());
      h.actor.send({ type: 'prompt.done', promptId: 'greeting#1', interrupted: true }); // late: ignored
      expect(h.of('say').map((s) => s.promptId)).toEqual(['greeting#1', '_human#2']);
      h.promptDone();
      expect(h.of('transfer')).toHaveLength(1);
    }
  });

  it('the caller parameter elderly=false switches to normal pace', () => {
    const { h } = voiceOrderHarness({ parameters: { elderly: 'false' } });
    h.start();
    expect(h.lastSay()?.rate).toBe(1);
    h.promptDone();
    expect(h.lastSay()?.text).toBe('What would you like to order?');
  });
});
