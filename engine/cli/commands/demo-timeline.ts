/**
 * The demo's timeline: one line per thing that happened on the call, from the simulated
 * caller's event log and from the engine's side, on the caller's clock (ms since it connected).
 * Pure formatting.
 */
import type { SimEvent } from '../../../fixtures/sim-caller/sim-caller.ts';

export interface TimelineLine {
  /** ms since the caller began connecting. */
  atMs: number;
  who: 'caller' | 'bot' | 'engine';
  text: string;
}

/** The caller's side of the call in words (null: an event not worth a line). */
export function describeCaller(e: SimEvent): string | null {
  switch (e.type) {
    case 'ws.open':
      return `connected (${e.protocol}${e.subprotocol ? `, subprotocol ${e.subprotocol}` : ''})`;
    case 'caller.start':
      return 'sent the start message';
    case 'caller.speech.start':
      return `starts speaking "${e.label}" (${Math.round(e.ms as number)} ms of audio)`;
    case 'caller.speech.end':
      return 'stops speaking';
    case 'caller.dtmf':
      return `presses ${e.digit}`;
    case 'bot.audio.start':
      return e.latencyMs === undefined
        ? 'hears bot audio'
        : `hears bot audio, ${e.latencyMs} ms after its ${e.after === 'dtmf' ? 'key press' : 'speech ended'}`;
    case 'caller.mark':
      return `acknowledges mark ${e.name} (${e.cleared ? 'cleared, not played' : 'played'})`;
    case 'bot.clear':
    case 'bot.kill_audio':
      return `gets ${e.type === 'bot.clear' ? 'clear' : 'killAudio'}: drops ${e.droppedMs} ms of buffered bot audio`;
    case 'bot.transfer':
      return `gets a transfer request ${JSON.stringify(e.data)}`;
    case 'caller.transferred':
      return `answers the transfer request: ${e.ok ? 'transferred' : 'failed'}`;
    case 'bot.disconnect':
      return 'gets disconnect';
    case 'ws.close':
      return `socket closed ${e.code}${e.reason ? ` "${e.reason}"` : ''} (by ${e.by})`;
    case 'ws.refused':
      return `upgrade refused with HTTP ${e.status}`;
    default:
      return null;
  }
}

/** The caller's events as timeline lines. */
export function callerLines(events: readonly SimEvent[]): TimelineLine[] {
  const lines: TimelineLine[] = [];
  for (const e of events) {
    const text = describeCaller(e);
    if (text) lines.push({ atMs: e.atMs, who: 'caller', text });
  }
  return lines;
}

/** The lines in time order under a header, ready to print. */
export function formatTimeline(lines: readonly TimelineLine[]): string[] {
  const sorted = [...lines].sort((a, b) => a.atMs - b.atMs);
  return [
    '  time       who     what',
    ...sorted.map((l) => `  ${(l.atMs / 1000).toFixed(3).padStart(7)} s  ${l.who.padEnd(6)}  ${l.text}`),
  ];
}
