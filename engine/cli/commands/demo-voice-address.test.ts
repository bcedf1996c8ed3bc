import { describe, expect, it } from 'vitest';
import { ADDRESS_TRIES, type AddressCall, giveAddress, SPOKEN_ADDRESS } from './demo-voice-address.ts';

const ASK = 'Please tell me the delivery address: the street, the number and the flat.';
const NO_INPUT = `Sorry, I didn't hear anything. ${ASK}`;
const readBack = (text: string) => `I heard: ${text}. Is that right? Press 1 for yes, or 2 for no.`;

/** A bot that says the lines of the next turn after each of the caller's utterances. */
function scriptedBot(turns: string[][]) {
  const said: string[] = [];
  const lines: string[] = [];
  const next = (re: RegExp) => {
    const text = lines.shift();
    if (text === undefined) throw new Error(`the bot has nothing more to say (waiting for ${re})`);
    if (!re.test(text)) throw new Error(`"${text}" does not match ${re}`);
    return { text, callerAtMs: 0 };
  };
  const call: AddressCall = {
    say: async (text) => {
      said.push(text);
      lines.push(...(turns.shift() ?? []));
    },
    prompt: async (re) => next(re),
    saidAlready: (re) => (lines.length ? next(re) : undefined),
    heardOut: async () => true,
  };
  return { call, said, lines, turns };
}

describe('the demo caller gives its address by voice', () => {
  it('stops at a read-back of its words (case and punctuation aside), before saying yes', async () => {
    const bot = scriptedBot([[readBack('One hundred Park Avenue')]]);
    await giveAddress(bot.call);
    expect(bot.said).toEqual([SPOKEN_ADDRESS]);
  });

  it('says no to a wrong read-back and the address again after a no-input re-prompt', async () => {
    const bot = scriptedBot([
      [readBack('when the park avenue')],
      [ASK],
      [NO_INPUT],
      [readBack(SPOKEN_ADDRESS)],
    ]);
    await giveAddress(bot.call);
    expect(bot.said).toEqual([SPOKEN_ADDRESS, 'no', SPOKEN_ADDRESS, SPOKEN_ADDRESS]);
    expect(bot.turns).toEqual([]);
  });

  it('takes a read-back that comes after the no-input re-prompt instead of speaking again', async () => {
    const bot = scriptedBot([[NO_INPUT, readBack(SPOKEN_ADDRESS)]]);
    await giveAddress(bot.call);
    expect(bot.said).toEqual([SPOKEN_ADDRESS]);
    expect(bot.lines).toEqual([]);
  });

  it(`fails after ${ADDRESS_TRIES} tries, naming what was heard, instead of confirming a wrong address`, async () => {
    const bot = scriptedBot([
      [readBack('or the park avenue')],
      [ASK],
      [NO_INPUT],
      [readBack('one hundred park')],
      [ASK],
    ]);
    await expect(giveAddress(bot.call)).rejects.toThrow(
      `the recognizer did not hear the address "one hundred park avenue" in 3 tries: it heard "or the park avenue", nothing, "one hundred park"`,
    );
    expect(bot.said).not.toContain('yes');
  });
});
