/**
 * The demo caller giving its delivery address by voice, as a caller the customer directory does
 * not know must (over Twilio Media Streams, which carry no caller number). The address question
 * has no grammar: the recognizer's open-vocabulary model decodes the answer and hears most
 * espeak-ng addresses wrong ("forty pine street apartment two b" -> "or the like to read
 * apartment to be"), so the caller says one it hears right and checks the bot's read-back
 * before it says yes.
 */
import type { DemoCall } from './demo-voice-call.ts';

export const SPOKEN_ADDRESS = 'one hundred park avenue';
export const ADDRESS_TRIES = 3;

/** What giveAddress needs of the call. */
export type AddressCall = Pick<DemoCall, 'say' | 'prompt' | 'saidAlready' | 'heardOut'>;

const ANSWER = /I heard: .*Is that right\?|delivery address/;

const words = (t: string) =>
  t
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Speaks the address until the bot reads back exactly those words, and leaves the yes to the
 * read-back to the next step. A wrong read-back gets a "no" (the dialog asks again), a no-input
 * re-prompt the address again; after ADDRESS_TRIES it throws, naming what was heard, rather
 * than confirm an address the recognizer got wrong.
 */
export async function giveAddress(c: AddressCall): Promise<void> {
  const heard: string[] = [];
  for (let i = 0; i < ADDRESS_TRIES; i++) {
    await c.say(SPOKEN_ADDRESS);
    let next = await c.prompt(ANSWER);
    // A slow recognizer's read-back can follow the no-input re-prompt: that answers this try.
    for (let later = c.saidAlready(ANSWER); later; later = c.saidAlready(ANSWER)) {
      next = later;
      await c.heardOut(later);
    }
    const readBack = /I heard: (.*?)\.? Is that right\?/.exec(next.text)?.[1];
    if (readBack === undefined) {
      heard.push('nothing');
      continue; // the no-input re-prompt: say it again
    }
    if (words(readBack) === words(SPOKEN_ADDRESS)) return;
    heard.push(`"${readBack}"`);
    await c.say('no', 120);
    await c.prompt(/delivery address/);
  }
  throw new Error(
    `the recognizer did not hear the address "${SPOKEN_ADDRESS}" in ${ADDRESS_TRIES} tries: it heard ${heard.join(', ')}`,
  );
}
