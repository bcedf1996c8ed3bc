/**
 * The voice-order end-to-end tests' caller: the simulated caller on the raw protocol with
 * helpers that wait for a bot prompt (by its text in the call record, then until its audio has
 * played out) and answer it with espeak-ng speech through the G.711 channel or with keys.
 */
import { readFileSync } from 'node:fs';
import { parseCatalog } from '../../../dialogs/nlu/catalog.ts';
import { createVoiceOrderDialog, type OrderRequest } from '../../../dialogs/voice-order/machine.ts';
import { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import { phoneChannel, speak } from '../../../fixtures/speech/generate.ts';
import { CustomerDirectory } from '../../orders/customer-directory.ts';
import type { DialogSpec } from '../session.ts';
import type { SessionEngine } from './session-engine.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
  'meals.json',
);
const customers = CustomerDirectory.fromFile(
  new URL('../../../fixtures/customers/customers.json', import.meta.url).pathname,
);

/**
 * The voice-order dialog on the fixture catalog and customers, orders kept in `orders`. Call
 * parameters: elderly=false turns elderly mode off; noInputMs shortens the no-input timeout.
 */
export function voiceOrderDialog() {
  const orders: OrderRequest[] = [];
  const machine = createVoiceOrderDialog(
    { catalog },
    {
      lookupAddress: (id) => customers.lookupAddress(id),
      submitOrder: async (order) => {
        orders.push(order);
        return { orderId: `A${orders.length}` };
      },
    },
  );
  const dialogFor = (info: { parameters: Record<string, string> }): DialogSpec => ({
    name: 'voice-order',
    machine,
    input: {
      elderly: info.parameters.elderly !== 'false',
      ...(info.parameters.noInputMs ? { noInputTimeoutMs: Number(info.parameters.noInputMs) } : {}),
    },
    catalog,
    language: 'en-US',
  });
  return { orders, dialogFor };
}

const rendered = new Map<string, Int16Array>();

/** An espeak-ng utterance through the G.711 channel, with a short lead and tail of silence. */
export function utterance(text: string, wpm = 150): Int16Array {
  const key = `${wpm}|${text}`;
  const hit = rendered.get(key);
  if (hit) return hit;
  const speech = phoneChannel(speak(text, 'en-us', wpm));
  const out = new Int16Array(speech.length + 8000 * 0.4);
  out.set(speech, 8000 * 0.1);
  rendered.set(key, out);
  return out;
}

/**
 * Renders the callers' lines before any call starts. espeak-ng runs synchronously: rendering
 * during a call stops the whole test process (the engine included) for a few hundred ms, and
 * when it resumes, timers run before the queued audio is read, so another call's endpoint
 * timer can fire in the middle of its caller's sentence.
 */
export function prerender(lines: readonly (string | [string, number])[]): void {
  for (const line of lines) {
    if (typeof line === 'string') utterance(line);
    else utterance(line[0], line[1]);
  }
}

export type OrderCaller = Awaited<ReturnType<typeof orderCaller>>;

/** A caller of its own on the engine, connected, with helpers to wait for prompts and answer. */
export async function orderCaller(
  se: SessionEngine,
  callers: SimCaller[],
  callSid: string,
  from: string,
  parameters: Record<string, string> = {},
) {
  const c = new SimCaller({
    url: se.engine.url,
    protocol: 'raw',
    token: se.token(),
    from,
    to: '+15550100002',
    callSid,
    customParameters: parameters,
    transferAnswer: { ok: true },
  });
  callers.push(c);
  await c.connect();
  const session = () => se.sessions.find((s) => s.recorder.record.providerCallId === callSid);
  const record = () => session()?.recorder.record;
  const botLines = () => record()?.transcript.filter((t) => t.side === 'bot') ?? [];
  let seen = 0;
  /** Until the bot's audio so far has played out (300 ms without new audio). */
  const playedOut = async () => {
    for (;;) {
      const seg = c.heardSegments().at(-1);
      const endMs = seg ? seg.startMs + seg.samples.length / 8 : 0;
      if (c.now() - endMs > 300) return;
      await sleep(25);
    }
  };
  const callerLines = () => record()?.transcript.filter((t) => t.side === 'caller');
  /**
   * The barge-in events so far, counted by type: a prompt that never comes is often one the
   * session keeps pausing for speech it thinks it hears (on a silent line: no caller words).
   */
  const bargeIns = () => {
    const counts: Record<string, number> = {};
    for (const e of record()?.events ?? []) {
      if (e.type.startsWith('barge_in')) counts[e.type] = (counts[e.type] ?? 0) + 1;
    }
    return JSON.stringify(counts);
  };
  /** Waits for a new bot prompt matching `re`, then (quiet) for its audio to finish playing. */
  const prompt = async (re: RegExp, quiet = true) => {
    const until = performance.now() + 20_000;
    for (;;) {
      const lines = botLines();
      const i = lines.findIndex((l, n) => n >= seen && re.test(l.text));
      if (i >= 0) {
        seen = i + 1;
        break;
      }
      if (performance.now() > until)
        throw new Error(
          `no prompt ${re}; bot said: ${JSON.stringify(lines.map((l) => l.text))}; caller: ${JSON.stringify(callerLines())}; barge-in events: ${bargeIns()}`,
        );
      await sleep(25);
    }
    if (quiet) await playedOut();
  };
  /** The bot's first line after the caller's last words (waited for, then played out). */
  const reply = async (): Promise<string> => {
    const until = performance.now() + 20_000;
    for (;;) {
      const transcript = record()?.transcript ?? [];
      const lastCaller = transcript.findLastIndex((t) => t.side === 'caller');
      const line =
        lastCaller >= 0 ? transcript.slice(lastCaller + 1).find((t) => t.side === 'bot') : undefined;
      if (line) {
        seen = botLines().indexOf(line) + 1;
        await playedOut();
        return line.text;
      }
      if (performance.now() > until)
        throw new Error(
          `no reply; transcript: ${JSON.stringify(transcript)}; barge-in events: ${bargeIns()}`,
        );
      await sleep(25);
    }
  };
  const say = (text: string, wpm?: number) => c.play(utterance(text, wpm), text);
  const keys = (digits: string) => {
    for (const d of digits) c.dtmf(d);
  };
  const outcome = async (timeoutMs = 15_000) => {
    const until = performance.now() + timeoutMs;
    while (!record()?.outcome && performance.now() < until) await sleep(50);
    return record()?.outcome;
  };
  /** What the caller said as the session recorded it (text heard, or keys). */
  const heard = () => (record()?.transcript ?? []).filter((t) => t.side === 'caller').map((t) => t.text);
  return { c, record, prompt, reply, say, keys, outcome, heard, bargeIns };
}
