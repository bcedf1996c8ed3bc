import { describe, expect, it } from 'vitest';
import { AskedPrompts } from './asked-prompts.ts';

const say = (promptId: string) => ({
  type: 'say' as const,
  promptId,
  text: promptId,
  bargeIn: 'always' as const,
});

describe('AskedPrompts', () => {
  it('settles once every prompt asked so far is taken (played or dropped), in any order', async () => {
    const asked = new AskedPrompts();
    asked.add(say('a'));
    asked.add(say('b'));
    let settled = false;
    void asked.settled().then(() => {
      settled = true;
    });
    expect(asked.take('b')?.promptId).toBe('b');
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(asked.take('x')).toBeUndefined();
    expect(asked.take('a')?.promptId).toBe('a');
    await Promise.resolve();
    expect(settled).toBe(true);
    expect(asked.size).toBe(0);
  });

  it('the same id asked twice is taken first-asked first; clear() settles the waiters', async () => {
    const asked = new AskedPrompts();
    asked.add({ ...say('noise'), text: 'first' });
    asked.add({ ...say('noise'), text: 'second' });
    expect(asked.take('noise')?.text).toBe('first');
    const done = asked.settled();
    asked.clear();
    await expect(done).resolves.toBeUndefined();
  });
});
