/**
 * What the voice demo prints: the engine's side of the timeline (prompts with their text, what
 * the recognizer heard and what the NLU made of it, barge-ins, transfers, the outcome) and the
 * summary lines (order as stored, latencies, where the files are). Pure formatting.
 */
import type { NluResult } from '../../../dialogs/nlu/types.ts';
import type { OrderReceipt, OrderRequest } from '../../../dialogs/voice-order/machine.ts';
import type { SimEvent } from '../../../fixtures/sim-caller/sim-caller.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import type { TimelineLine } from './demo-timeline.ts';
import type { NluReading } from './demo-voice-engine.ts';

export type PlacedOrder = OrderRequest & OrderReceipt;

/** What an NLU reading meant, in a few words. */
export function describeNlu(r: NluResult): string {
  const parts: string[] = [];
  if (r.intent !== 'none') parts.push(`intent ${r.intent}`);
  const s = r.slots;
  if (s.items?.length) parts.push(`items ${s.items.map((i) => `${i.quantity} x ${i.itemId}`).join(', ')}`);
  if (s.yesno) parts.push(s.yesno.value ? 'yes' : 'no');
  if (s.number) parts.push(`number ${s.number.value}`);
  if (s.digits) parts.push(`digits ${JSON.stringify(s.digits)}`);
  return parts.length ? parts.join(', ') : 'nothing understood';
}

function describeEvent(e: CallRecord['events'][number]): string | null {
  switch (e.type) {
    case 'barge_in':
      return `barge-in (${e.by}): the caller talks over the prompt, the bot stops and clears its audio`;
    case 'barge_in.rejected':
      return `not a barge-in (${e.why}): the bot keeps talking`;
    case 'barge_in.noise':
      return 'the interruption was noise: the bot re-prompts';
    case 'transfer.requested':
      return `transfer requested (${e.reason})`;
    case 'transfer.agent':
      return `agent ${e.agentId} reserved for the transfer`;
    case 'transfer.done':
      return `transfer ${e.ok ? 'done' : `failed${e.detail ? ` (${e.detail})` : ''}`}`;
    case 'callback.requested':
      return `callback requested (${e.reason})`;
    case 'outcome':
      return `outcome: ${e.status}`;
    case 'speech.error':
      return `speech error ${e.code}`;
    case 'call.hangup':
      return `call ended (${e.reason})`;
    default:
      return null;
  }
}

/** The engine's side of the call as timeline lines; `offsetMs` turns record times into caller times. */
export function engineLines(
  record: CallRecord,
  readings: readonly NluReading[],
  offsetMs: number,
): TimelineLine[] {
  const lines: TimelineLine[] = [];
  const unused = [...readings];
  for (const t of record.transcript) {
    const atMs = t.atMs + offsetMs;
    if (t.side === 'bot') {
      lines.push({ atMs, who: 'bot', text: `says "${t.text}"${t.interrupted ? ' (interrupted)' : ''}` });
    } else if (t.source === 'dtmf') {
      lines.push({ atMs, who: 'engine', text: `key ${t.text}` });
    } else if (t.ignored !== undefined) {
      lines.push({ atMs, who: 'engine', text: `recognizer heard "${t.ignored}": not an answer, ignored` });
    } else {
      const i = unused.findIndex((r) => r.text === t.text);
      const reading = i >= 0 ? unused.splice(i, 1)[0] : undefined;
      const conf = t.confidence === undefined ? '' : ` (confidence ${t.confidence.toFixed(2)})`;
      const meaning = reading ? ` -> NLU (${reading.expected}): ${describeNlu(reading.result)}` : '';
      lines.push({ atMs, who: 'engine', text: `recognizer heard "${t.text}"${conf}${meaning}` });
    }
  }
  for (const e of record.events) {
    const text = describeEvent(e);
    if (text) lines.push({ atMs: e.atMs + offsetMs, who: 'engine', text });
  }
  return lines;
}

function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

/** The order as the sink stored it, one line per item. */
export function orderLines(order: PlacedOrder | undefined): string[] {
  if (!order) return ['  order                none placed'];
  return [
    `  order                ${order.orderId}, ${order.lines.length} item line(s), total ${money(order.totalMinor, order.currency)}`,
    ...order.lines.map(
      (l) =>
        `                         ${l.quantity} x ${l.itemId} at ${money(l.priceMinor, order.currency)} = ${money(l.quantity * l.priceMinor, order.currency)}`,
    ),
    `  deliver to           ${order.address} (${order.addressSource} address)`,
  ];
}

/** Caller speech onset -> clear/killAudio at the caller, for each clear. */
export function bargeInReactions(events: readonly SimEvent[]): number[] {
  const out: number[] = [];
  for (const c of events) {
    if (c.type !== 'bot.clear' && c.type !== 'bot.kill_audio') continue;
    const onset = events.findLast((e) => e.type === 'caller.speech.start' && e.atMs <= c.atMs);
    if (onset) out.push(Math.round(c.atMs - onset.atMs));
  }
  return out;
}
