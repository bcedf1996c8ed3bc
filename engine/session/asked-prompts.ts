/**
 * Prompts the dialog has asked for that the turn machine has not yet put on the line or
 * dropped: it defers them while the caller holds the floor. Hanging up and transferring wait
 * until none is left, so the last words are not lost behind the caller's turn.
 */
import type { SayCommand } from '../../dialogs/contract.ts';

export class AskedPrompts {
  private list: SayCommand[] = [];
  private waiters: (() => void)[] = [];

  add(cmd: SayCommand): void {
    this.list.push(cmd);
  }

  /** The command of a prompt now put on the line or dropped (the first asked with that id). */
  take(promptId: string): SayCommand | undefined {
    const i = this.list.findIndex((c) => c.promptId === promptId);
    if (i < 0) return undefined;
    const [cmd] = this.list.splice(i, 1);
    if (this.list.length === 0) this.wake();
    return cmd;
  }

  get size(): number {
    return this.list.length;
  }

  /** Resolves once every prompt asked so far is on the line or dropped (or the call ended). */
  settled(): Promise<void> {
    if (this.list.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The call ended: nothing more will play. */
  clear(): void {
    this.list = [];
    this.wake();
  }

  private wake(): void {
    for (const f of this.waiters.splice(0)) f();
  }
}
