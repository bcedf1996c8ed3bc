/**
 * How many pocketsphinx worker processes an adapter runs. A worker is one single-threaded
 * Python process: the streams on it are decoded one after another, so a worker with more audio
 * than one core decodes falls behind and its finals come late (six calls on one worker: finals
 * 5-12 s after the speech). Workers beyond the cores add no decoding and cost a model each.
 */
import { availableParallelism } from 'node:os';

/**
 * The pool size: one worker per call that can be decoding at once, at most one per core, at
 * least one. `calls` unknown (a server taking any number of calls): one per core.
 */
export function poolSize(cores: number, calls = Number.POSITIVE_INFINITY): number {
  return Math.max(1, Math.min(Math.floor(cores), Math.floor(calls)));
}

/** The default `workers` of PocketsphinxAsr: poolSize on this machine's cores. */
export function defaultWorkers(calls?: number): number {
  return poolSize(availableParallelism(), calls);
}
