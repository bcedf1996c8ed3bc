/** RFC 4733 telephone-event payloads and a receiver that reports each digit exactly once. Pure. */

const DIGITS = '0123456789*#ABCD';

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent {
  if (payload.length < 4) throw new Error(`telephone-event payload of ${payload.length} bytes (expected 4)`);
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function serializeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  return Uint8Array.of(
    e.event,
    (e.end ? 0x80 : 0) | (e.volume & 0x3f),
    (e.duration >> 8) & 0xff,
    e.duration & 0xff,
  );
}

export function eventToDigit(event: number): string | undefined {
  return DIGITS[event];
}

export function digitToEvent(digit: string): number {
  const i = DIGITS.indexOf(digit.toUpperCase());
  if (i < 0) throw new Error(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return i;
}

/**
 * Turns a stream of telephone-event packets into digits. An event is identified by
 * (SSRC, RTP timestamp); it is reported once, on its first end packet, or on the first packet
 * of a later event if all its end packets were lost. Retransmitted end packets are ignored.
 */
export class DtmfReceiver {
  private current: { key: string; event: number; duration: number; reported: boolean } | null = null;
  private readonly recent: string[] = [];

  /** Returns the digit and its duration (ms) when an event completes, else null. */
  push(ssrc: number, timestamp: number, payload: Uint8Array): { digit: string; durationMs: number } | null {
    const ev = parseTelephoneEvent(payload);
    const key = `${ssrc}:${timestamp}`;
    let result: { digit: string; durationMs: number } | null = null;
    if (this.current && this.current.key !== key && !this.current.reported) {
      // The previous event never saw an end packet: report it now.
      result = this.finish(this.current);
    }
    if (this.recent.includes(key)) return result;
    if (!this.current || this.current.key !== key)
      this.current = { key, event: ev.event, duration: ev.duration, reported: false };
    this.current.duration = Math.max(this.current.duration, ev.duration);
    if (ev.end) result = this.finish(this.current) ?? result;
    return result;
  }

  private finish(c: { key: string; event: number; duration: number; reported: boolean }) {
    c.reported = true;
    this.recent.push(c.key);
    if (this.recent.length > 16) this.recent.shift();
    if (this.current === c) this.current = null;
    const digit = eventToDigit(c.event);
    return digit ? { digit, durationMs: Math.round(c.duration / 8) } : null;
  }
}
