import type { Disposition } from '../model.ts';

/**
 * Whether an attempt's result is a live answer (a person picked up): the denominator of the
 * abandon rate. Decided once, when the result is recorded, and kept in the attempt's
 * `live_answer` column so both backends count the same thing.
 *
 * - `abandoned` is always a live answer (a person was left waiting for an agent).
 * - A boolean `liveAnswer` in the result data says it (the dialer sets it when a person
 *   answered: AMD said human or was off).
 * - Otherwise (results written without it): `answered` and `opt-out` count unless AMD said
 *   `MACHINE` (`answers.amd`, mode `continue`); every other disposition does not.
 */
export function isLiveAnswer(
  disposition: Disposition,
  data: Readonly<Record<string, unknown>> | null | undefined,
): boolean {
  if (disposition === 'abandoned') return true;
  if (typeof data?.liveAnswer === 'boolean') return data.liveAnswer;
  if (disposition !== 'answered' && disposition !== 'opt-out') return false;
  const answers = data?.answers;
  const amd = answers && typeof answers === 'object' ? (answers as Record<string, unknown>).amd : undefined;
  return amd !== 'MACHINE';
}
