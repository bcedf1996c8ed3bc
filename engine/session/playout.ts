/**
 * When the bot's words have reached the caller: waiting until every prompt asked so far has
 * played (before a transfer), and hanging up once the last prompt has played (at once when
 * nothing is queued, else at a mark behind the queued audio).
 */
import type { CallLeg } from '../../telephony/call-leg.ts';
import type { Playback } from './playback.ts';

export class Playout {
  private hangupMark: string | null = null;
  private hangupReason = 'bot';

  constructor(
    private readonly leg: CallLeg,
    private readonly playback: Playback,
  ) {}

  /** Resolves once every prompt asked so far has played (or been flushed), or the call ended. */
  async playedOut(): Promise<void> {
    await this.playback.settled();
    if (!this.leg.active || this.leg.queuedMs() === 0) return;
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        this.leg.off('drained', finish);
        this.leg.off('hangup', finish);
        resolve();
      };
      this.leg.on('drained', finish);
      this.leg.on('hangup', finish);
    });
  }

  /** Hangs up with `reason` once the prompts asked so far have played. */
  hangupAfter(reason: string): void {
    void this.playback.settled().then(() => {
      if (!this.leg.active) return;
      if (this.leg.queuedMs() === 0) {
        this.leg.hangup(reason);
        return;
      }
      this.hangupReason = reason;
      this.hangupMark = `hangup:${reason}`;
      this.leg.mark(this.hangupMark);
    });
  }

  /** A mark came back: true when it was the hang-up mark (and the call is hung up). */
  onMark(name: string): boolean {
    if (name !== this.hangupMark) return false;
    this.leg.hangup(this.hangupReason);
    return true;
  }
}
