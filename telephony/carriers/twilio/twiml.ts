/**
 * Pure pieces of Twilio outbound calling: the TwiML that connects an answered call's audio to
 * the engine (`<Connect><Stream url>` with `<Parameter>`s, which arrive as the Media Stream's
 * customParameters), and the mapping of a status callback's CallStatus to a disposition.
 */
import { dispositionForStatus } from '../../sip/disposition.ts';
import type { UnansweredDisposition } from '../carrier.ts';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const xml = (s: string) => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

export function streamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const params = Object.entries(parameters)
    .map(([name, value]) => `<Parameter name="${xml(name)}" value="${xml(value)}"/>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="${xml(streamUrl)}">${params}</Stream></Connect></Response>`;
}

/** Terminal CallStatus values that end an attempt that never reached the media stream. */
export const TERMINAL_STATUSES = ['busy', 'no-answer', 'failed', 'canceled', 'completed'] as const;

/**
 * busy -> busy, no-answer / canceled -> no-answer, failed -> by the SIP code Twilio reports
 * (SipResponseCode: 404 -> invalid, 603 -> declined, 503 -> congestion) or failed,
 * completed before any media -> failed.
 */
export function dispositionForCallStatus(
  status: string,
  sipResponseCode?: string,
): { disposition: UnansweredDisposition; code: string } | null {
  switch (status) {
    case 'busy':
      return { disposition: 'busy', code: 'twilio:busy' };
    case 'no-answer':
      return { disposition: 'no-answer', code: 'twilio:no-answer' };
    case 'canceled':
      return { disposition: 'no-answer', code: 'twilio:canceled' };
    case 'completed':
      return { disposition: 'failed', code: 'twilio:completed-without-media' };
    case 'failed': {
      const sip = Number(sipResponseCode);
      if (Number.isInteger(sip) && sip >= 300 && sip < 700) {
        const d = dispositionForStatus(sip);
        if (d !== 'answered') return { disposition: d, code: `sip:${sip}` };
      }
      return { disposition: 'failed', code: 'twilio:failed' };
    }
    default:
      return null;
  }
}
