/**
 * The turn machine on a SimulatedClock with every effect recorded by name (and params), for
 * the turn-taking tests. `record` names the effects kept in the log (default: all but the
 * playPrompts / dropPrompts bookkeeping).
 */
import { createActor, SimulatedClock } from 'xstate';
import { type TurnContext, type TurnEvent, type TurnTimings, turnMachine } from '../turn-machine.ts';

type Rec = [string, unknown?];

const EFFECTS = [
  'clearPlayback',
  'pausePlayback',
  'resumePlayback',
  'reportInterrupted',
  'reportPlayed',
  'deliverWords',
  'deliverDtmf',
  'reportSpeechStart',
  'reportUnheard',
  'ignoreWords',
  'falseTrigger',
  'bargedIn',
  'flushAsr',
  'noiseReprompt',
  'maxDuration',
] as const;
export const PROMPT_EFFECTS = ['playPrompts', 'dropPrompts'] as const;

export function startTurn(
  timings: Partial<TurnTimings> = {},
  record: readonly string[] = EFFECTS,
): {
  advance: (ms: number) => void;
  log: Rec[];
  send: (e: TurnEvent) => void;
  names: () => string[];
  state: () => string;
  context: () => TurnContext;
  status: () => string;
} {
  const clock = new SimulatedClock();
  const log: Rec[] = [];
  const rec =
    (name: string) =>
    (_: unknown, params?: unknown): void => {
      if (record.includes(name)) log.push(params === undefined ? [name] : [name, params]);
    };
  const actions = Object.fromEntries([...EFFECTS, ...PROMPT_EFFECTS].map((n) => [n, rec(n)]));
  const actor = createActor(turnMachine.provide({ actions }), { clock, input: { timings } });
  actor.start();
  return {
    log,
    send: (e) => actor.send(e),
    names: () => log.map(([n]) => n),
    /** SimulatedClock starts timers set during increment() from the end of it: step in 10 ms. */
    advance: (ms) => {
      for (let left = ms; left > 0; left -= 10) clock.increment(Math.min(10, left));
    },
    state: () => JSON.stringify(actor.getSnapshot().value),
    context: () => actor.getSnapshot().context,
    status: () => actor.getSnapshot().status,
  };
}
