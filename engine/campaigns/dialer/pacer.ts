/**
 * How many lines to have ringing. Progressive: one line per idle agent (transfer scripts) or a
 * fixed concurrency (pure-bot scripts). Predictive: VICIdial-style adaptive dial level (lines
 * per idle agent) with a drop governor that keeps abandoned calls (a person waiting longer
 * than the transfer wait for an agent) at or below the target share of live answers.
 * Pure: the caller passes samples and times.
 */
export interface PacingOptions {
  mode: 'progressive' | 'predictive';
  /** Pure-bot scripts: calls at once (default: the trunks' concurrency). */
  lines?: number;
  /** Highest dial level (lines per idle agent). */
  maxLevel?: number;
  /** Abandoned / live answers the governor must keep under (0.03 = US safe harbor, Ofcom). */
  dropTarget?: number;
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
  humans: number;
  drops: number;
  dropRate: number;
}

export class Pacer {
  readonly mode: PacingOptions['mode'];
  private readonly maxLevel: number;
  private readonly dropTarget: number;
  private readonly adaptIntervalMs: number;
  private readonly gain: number;
  private levelNow = 1;
  private humans = 0;
  private drops = 0;
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
    this.humans++;
  }

  /** A person was not connected to an agent in time. */
  recordDrop(): void {
    this.drops++;
  }

  state(): PacerState {
    return {
      mode: this.mode,
      level: this.levelNow,
      humans: this.humans,
      drops: this.drops,
      dropRate: this.humans === 0 ? 0 : this.drops / this.humans,
    };
  }

  /**
   * The drop rate the governor acts on: pessimistic while few people have answered (as if
   * the next answers were all dropped up to a sample of 1/target), so early luck cannot push
   * the level up.
   */
  private governedRate(): number {
    const prior = Math.ceil(1 / this.dropTarget);
    if (this.humans >= prior) return this.drops / this.humans;
    return (this.drops + (prior - this.humans) * this.dropTarget) / prior;
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
