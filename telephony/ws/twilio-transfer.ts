import { VoicebotError } from '../../engine/errors.ts';
import type { TransferRequest, TransferResult } from '../call-leg.ts';
import { transferTwiml } from '../codecs/twilio.ts';

export interface TwilioRestSettings {
  /** https://api.twilio.com, or a local server in tests. */
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
}

/**
 * Redirects a live call to new TwiML that dials the target (Twilio's call-update REST shape:
 * POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json, form `Twiml=…`, HTTP Basic).
 * Twilio then ends the media stream. Failures reject with TRANSFER_FAILED (CALL_NOT_ACTIVE for
 * Twilio's 20404, a call that has already ended).
 */
export async function twilioTransfer(
  settings: TwilioRestSettings,
  callSid: string,
  request: TransferRequest,
): Promise<TransferResult> {
  const twiml = transferTwiml(request.target);
  const base = settings.apiBaseUrl.replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Calls/${encodeURIComponent(callSid)}.json`;
  const auth = Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Twiml: twiml }).toString(),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (err) {
    throw new VoicebotError(
      'TRANSFER_FAILED',
      `Twilio call update failed: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { ok: true };
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  if (res.status === 404 && code === 20404) {
    throw new VoicebotError('CALL_NOT_ACTIVE', 'Twilio says the call has already ended (20404)');
  }
  throw new VoicebotError(
    'TRANSFER_FAILED',
    `Twilio call update answered HTTP ${res.status}${typeof code === 'number' ? ` (code ${code})` : ''}`,
    { status: res.status },
    { retryable: res.status >= 500 || res.status === 429 },
  );
}
