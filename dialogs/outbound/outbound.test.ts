import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDialogMachine } from '../blocks/build-machine.ts';
import { compileScript, scriptDefinition } from '../script/compile.ts';
import { parseScript } from '../script/load.ts';
import { DialogHarness } from '../testing/harness.ts';
import { describeEveryState } from '../testing/state-suite.ts';

const load = (name: string) => parseScript(name, readFileSync(join(import.meta.dirname, name), 'utf8'));
const reminder = load('appointment-reminder.yaml');
const survey = load('satisfaction-survey.yaml');
const sales = load('sales-qualification.yaml');
const vars = { firstName: 'Ann', appointmentDate: 'Monday the 30th' };
const outbound = (script: ReturnType<typeof load>, language: 'en-US' | 'zh-CN') =>
  new DialogHarness(compileScript(script), { language, direction: 'outbound', parameters: vars }).start();

describeEveryState('appointment-reminder', scriptDefinition(reminder), buildDialogMachine, {
  language: 'en-US',
  parameters: vars,
  answers: {
    remind: { said: 'confirm' },
    'ask-date': { said: 'next tuesday' },
    'confirm-date': { said: 'yes' },
  },
});
describeEveryState('satisfaction-survey', scriptDefinition(survey), buildDialogMachine, {
  language: 'zh-CN',
  parameters: vars,
  answers: { score: { keys: '4' }, 'score-again': { said: '五分' }, 'why-low': { said: '送货太慢了' } },
  noMatch: { 'why-low': { keys: '5' } },
});
describeEveryState('sales-qualification', scriptDefinition(sales), buildDialogMachine, {
  language: 'en-US',
  parameters: vars,
  answers: { owner: { said: 'yes I do' }, bill: { said: 'about 150 dollars' }, 'offer-agent': { keys: '2' } },
});

describe('outbound scripts', () => {
  it('reminder: identifies the company, confirms by voice', () => {
    const h = outbound(reminder, 'en-US');
    expect(h.lastSay()).toMatchObject({
      text: expect.stringContaining('Hello Ann, this is an automated call from Sunshine Clinic'),
      bargeIn: 'never',
    });
    h.promptDone();
    expect(h.lastSay()?.text).toContain('appointment on Monday the 30th');
    h.answer('yes that is fine, confirm');
    expect(h.lastOutcome()).toMatchObject({ status: 'confirmed', slots: { choice: 'confirm' } });
    h.promptDone();
    expect(h.of('hangup')).toHaveLength(1);
  });

  it('reminder: reschedule to a spoken date', () => {
    const h = outbound(reminder, 'en-US').promptDone();
    h.promptDone().keys('2');
    h.answer('next tuesday');
    h.answer('yes');
    expect(h.lastOutcome()).toMatchObject({
      status: 'reschedule-requested',
      slots: { choice: 'reschedule', newDate: { date: '2026-12-01' } },
    });
  });

  it.each([
    ['says stop', (h: DialogHarness) => h.said('stop')],
    ['presses 9', (h: DialogHarness) => h.keys('9')],
    ['says stop during the disclosure', (h: DialogHarness) => h.said('please stop calling')],
  ])('reminder: opt-out when the callee %s', (_name, act) => {
    const h = outbound(reminder, 'en-US');
    if (_name !== 'says stop during the disclosure') h.promptDone().promptDone();
    act(h);
    expect(h.lastOutcome()?.status).toBe('opted-out');
    h.promptDone();
    expect(h.of('hangup')).toEqual([{ type: 'hangup', reason: 'opted-out' }]);
  });

  it('survey: keypad score 2 asks what went wrong, in Chinese', () => {
    const h = outbound(survey, 'zh-CN');
    expect(h.lastSay()).toMatchObject({
      language: 'zh-CN',
      text: expect.stringContaining('Ann您好，这里是阳光超市'),
    });
    h.promptDone().promptDone().keys('2');
    expect(h.lastSay()?.text).toContain('哪里做得不好');
    h.answer('送货太慢了');
    expect(h.lastOutcome()).toMatchObject({
      status: 'completed',
      slots: { score: 2, comment: '送货太慢了' },
    });
  });

  it('survey: a score out of range is asked again; 退订 opts out', () => {
    const h = outbound(survey, 'zh-CN').promptDone();
    h.answer('七分');
    expect(h.lastSay()?.text).toContain('请说一到五之间的一个数字');
    h.answer('我要退订');
    expect(h.lastOutcome()?.status).toBe('opted-out');
  });

  it('sales: a qualified lead gets a warm transfer with a summary', () => {
    const h = outbound(sales, 'en-US').promptDone();
    h.answer('yes').answer('around 180 dollars a month').answer('yes please');
    h.promptDone();
    const t = h.of('transfer')[0]!;
    expect(t.reason).toBe('sales-qualified');
    expect(t.summary).toMatch(/homeOwner=true/);
    expect(t.summary).toMatch(/monthlyBill=180/);
    h.transferDone(false);
    expect(h.lastOutcome()?.status).toBe('callback-requested');
  });

  it('sales: a low bill is not qualified', () => {
    const h = outbound(sales, 'en-US').promptDone();
    h.answer('yes').keys('40#');
    expect(h.lastOutcome()).toMatchObject({ status: 'not-qualified', slots: { monthlyBill: 40 } });
  });
});
