import { type RtpPacket, seqDelta } from './packet.ts';

/**
 * A small reorder buffer for received RTP. In-order packets pass straight through; a packet
 * after a gap is held (up to `depth` packets, i.e. depth x 20 ms) waiting for the missing ones,
 * then the gap is given up. Duplicates and packets older than the last one released are dropped.
 * Pure; a bot needs ordered, complete-as-possible audio more than playout timing.
 */
export class JitterBuffer {
  private held = new Map<number, RtpPacket>();
  private next: number | null = null;
  private ssrc: number | null = null;
  dropped = 0;
  lost = 0;

  constructor(readonly depth = 3) {}

  /** Returns the packets that can be released now, in sequence order. */
  push(p: RtpPacket): RtpPacket[] {
    if (this.ssrc !== p.ssrc) {
      // A new stream (the peer restarted or switched source): release the old one, start over.
      const old = this.ssrc === null ? [] : this.drain(true);
      this.ssrc = p.ssrc;
      this.reset(p.sequence);
      this.held.set(p.sequence, p);
      return [...old, ...this.drain(false)];
    }
    if (this.next === null) this.next = p.sequence;
    const d = seqDelta(p.sequence, this.next);
    if (d < 0 || this.held.has(p.sequence)) {
      if (d < -1000) {
        // A sequence jump backwards by that much is a restarted stream, not a late packet.
        this.reset(p.sequence);
      } else {
        this.dropped++;
        return [];
      }
    } else if (d > 1000) {
      this.reset(p.sequence);
    }
    this.held.set(p.sequence, p);
    return this.drain(false);
  }

  /** Releases everything held (end of stream), skipping gaps. */
  flush(): RtpPacket[] {
    return this.drain(true);
  }

  private reset(seq: number): void {
    this.held.clear();
    this.next = seq;
  }

  private drain(all: boolean): RtpPacket[] {
    const out: RtpPacket[] = [];
    while (this.held.size > 0 && this.next !== null) {
      const p = this.held.get(this.next);
      if (p) {
        this.held.delete(this.next);
        out.push(p);
        this.next = (this.next + 1) & 0xffff;
      } else if (all || this.held.size > this.depth) {
        this.lost++;
        this.next = (this.next + 1) & 0xffff;
      } else break;
    }
    return out;
  }
}
