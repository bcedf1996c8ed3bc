import type { ScheduleContact } from './model.ts';
import type { AttemptRow, ContactRow } from './store/types.ts';

/**
 * What the scheduling rules need, from stored rows. Pass the attempt id of the claim being
 * decided on (`claimDue` creates it before anything is dialed) so that attempt counts neither
 * as in progress nor against the per-callee limits.
 */
export function scheduleContactOf(
  contact: Pick<ContactRow, 'zones' | 'subdivision'>,
  attempts: readonly AttemptRow[],
  dnc: boolean,
  currentAttemptId?: string,
): ScheduleContact {
  return {
    zones: contact.zones,
    subdivision: contact.subdivision,
    dnc,
    attempts: attempts
      .filter((a) => a.id !== currentAttemptId)
      .map((a) => ({ startedAtMs: a.startedAtMs, endedAtMs: a.endedAtMs, disposition: a.disposition })),
  };
}
