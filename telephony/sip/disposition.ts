/**
 * Outcome of an outbound call attempt, from the final SIP response (see the SIP/Q.850 table in
 * the dialer design notes): what the dialer does next depends only on this.
 */
export type Disposition =
  | 'answered'
  | 'busy'
  | 'no-answer'
  | 'invalid'
  | 'declined'
  | 'congestion'
  | 'failed';

export function dispositionForStatus(status: number): Disposition {
  if (status >= 200 && status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 480 || status === 408 || status === 487) return 'no-answer';
  if ([404, 604, 485, 484, 410, 416].includes(status)) return 'invalid';
  if (status === 603 || status === 403) return 'declined';
  if (status >= 500 && status < 600) return 'congestion';
  return 'failed';
}
