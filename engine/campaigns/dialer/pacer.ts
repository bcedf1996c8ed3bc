import type { AbandonCounts } from '../store/types.ts';

/**
 * How many lines to have ringing. Progressive: one line per idle agent (transfer scripts) or a
 * fixed concurrency (pure-bot scripts). Predictive: VICIdial-style adaptive dial level (lines
 * per idle agent) with a drop governor that keeps abandoned calls (a person waiting longer
 * than the transfer wait for an agent) at or below the target share of live answers, counted
 * over a rolling window (the regulator's period, every process of the campaign: `syncWindow`).
 * Pure: the caller passes samples, times and the store's counts.
 */
export interface PacingOptions {
  mode: 'progressive' | 'predictive';
  /** Pure-bot scripts: calls at once (default: the trunks' concurrency). */
  lines?: number;
  /** Highest dial level (lines per idle agent). */
  maxLevel?: number;
  /**
   * Abandoned / live answers the governor must keep under (default 0.03: US safe harbor,
   * Ofcom). The dialer takes the lower of this and the compliance profile's `abandon.maxRate`.
   */
  dropTarget?: number;
  /**
   * The rolling window the dialer counts abandoned calls and live answers over, for campaigns
   * whose compliance profile has no abandon rule (default 24 h; a profile's period always
   * wins). Read by the dialer, not the pacer.
   */
  abandonPeriodMs?: number;
  /** Level changes are decided this often from the samples since the last change. */
  adaptIntervalMs?: number;
  /** How fast the level moves towards keeping agents busy (0.5 = half the idle share). */
  gain?: number;
}

export interface AgentSample {
  /** Agents logged in. */
  agents: number;
  /** Agents free now. */
  ready: number;
  /** Answered people waiting for an agent now. */
  waiting: number;
}

export interface PacerState {
  mode: PacingOptions['mode'];
  level: number;
  /** Live answers in the window: every process's recorded ones plus this process's unrecorded. */
  humans: number;
  /** Abandoned calls in the window, counted the same way. */
  drops: number;
  /** drops / humans (0 with no live answer): what the governor holds under the target. */
  dropRate: number;
  /** This process's own since it started (recorded or not). */
  local: { humans: number; drops: number };
}

export class Pacer {
  readonly mode: PacingOptions['mode'];
  private readonly maxLevel: number;
  private readonly dropTarget: number;
  private readonly adaptIntervalMs: number;
  private readonly gain: number;
  private levelNow = 1;
  private readonly local = { humans: 0, drops: 0 };
  private synced: { window: AbandonCounts; ownRecorded: AbandonCounts } | null = null;
  private samples: AgentSample[] = [];
  private lastAdaptMs: number | null = null;

  constructor(options: PacingOptions) {
    this.mode = options.mode;
    this.maxLevel = options.maxLevel ?? 4;
    this.dropTarget = options.dropTarget ?? 0.03;
    this.adaptIntervalMs = options.adaptIntervalMs ?? 15_000;
    this.gain = options.gain ?? 0.5;
  }

  get level(): number {
    return this.levelNow;
  }

  /** A person answered (a live answer: the denominator of the abandon rate). */
  recordHuman(): void {
    this.local.humans++;
  }

  /** A person was not connected to an agent in time. */
  recordDrop(): void {
    this.local.drops++;
  }

  /**
   * Sets the rolling window from the store: `window`, every process's results recorded in the
   * period; `ownRecorded`, this process's results recorded since it started. This process's
   * live answers and drops beyond `ownRecorded` (calls whose result is not in the store yet)
   * count on top of the window, so nothing is counted twice or missed between syncs. Until
   * the first sync the window is this process's own count.
   */
  syncWindow(window: AbandonCounts, ownRecorded: AbandonCounts): void {
    this.synced = { window: { ...window }, ownRecorded: { ...ownRecorded } };
  }

  private windowCounts(): { humans: number; drops: number } {
    if (!this.synced) return { ...this.local };
    const { window, ownRecorded } = this.synced;
    return {
      humans: window.liveAnswers + Math.max(0, this.local.humans - ownRecorded.liveAnswers),
      drops: window.abandoned + Math.max(0, this.local.drops - ownRecorded.abandoned),
    };
  }

  state(): PacerState {
    const { humans, drops } = this.windowCounts();
    return {
      mode: this.mode,
      level: this.levelNow,
      humans,
      drops,
      dropRate: humans === 0 ? 0 : drops / humans,
      local: { ...this.local },
    };
  }

  /**
   * The drop rate the governor acts on, over the window: pessimistic while few people have
   * answered (as if the next answers were all dropped up to a sample of 1/target), so early
   * luck cannot push the level up.
   */
  private governedRate(): number {
    const { humans, drops } = this.windowCounts();
    const prior = Math.ceil(1 / this.dropTarget);
    if (humans >= prior) return drops / humans;
    return (drops + (prior - humans) * this.dropTarget) / prior;
  }

  /** Takes one sample of the agents (about once a second) and adapts the level when due. */
  sample(nowMs: number, s: AgentSample): void {
    if (this.mode !== 'predictive') return;
    this.samples.push(s);
    if (this.lastAdaptMs === null) this.lastAdaptMs = nowMs;
    if (nowMs - this.lastAdaptMs < this.adaptIntervalMs) return;
    this.lastAdaptMs = nowMs;
    const n = this.samples.length;
    const avg = (f: (x: AgentSample) => number) => this.samples.reduce((a, x) => a + f(x), 0) / n;
    const agents = avg((x) => x.agents);
    const ready = avg((x) => x.ready);
    const waiting = avg((x) => x.waiting);
    this.samples = [];
    const rate = this.governedRate();
    if (rate > this.dropTarget) {
      // Over the limit: back to one line per idle agent, which cannot drop anybody.
      this.levelNow = 1;
      return;
    }
    if (rate > 0.8 * this.dropTarget) {
      this.levelNow = Math.max(1, this.levelNow * 0.9);
      return;
    }
    if (agents <= 0) return;
    const m = (ready - waiting) / agents;
    // Near the limit the level may only grow slowly.
    const room = Math.min(1, (0.8 * this.dropTarget - rate) / (0.4 * this.dropTarget));
    const step = m >= 0 ? m * this.gain * room : m * this.gain;
    this.levelNow = Math.min(this.maxLevel, Math.max(1, this.levelNow * (1 + step)));
  }

  /**
   * Lines to start now. `ready`: idle agents (ignored for pure-bot progressive); `inFlight`:
   * calls placed and not yet connected to an agent (for pure-bot scripts: every active call).
   */
  linesToDial(ready: number, inFlight: number, botLines?: number): number {
    if (botLines !== undefined) return Math.max(0, botLines - inFlight);
    const level = this.mode === 'predictive' ? this.levelNow : 1;
    return Math.max(0, Math.round(level * ready) - inFlight);
  }
}
