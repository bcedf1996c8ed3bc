import type { IncomingMessage } from 'node:http';
import type { Config } from '../../engine/config/schema.ts';
import { VoicebotError } from '../../engine/errors.ts';
import { verifyToken } from '../auth/hmac-token.ts';
import { validateTwilioSignature } from '../auth/twilio-signature.ts';

export interface UpgradeIdentity {
  method: 'token' | 'twilio' | 'none';
  subject?: string;
}

/**
 * The URLs Twilio may have signed for this upgrade: `<publicUrl or ws(s)://Host><path>`, with
 * and without a trailing slash (ports: both forms, see validateTwilioSignature).
 */
export function twilioSignedUrlCandidates(req: IncomingMessage, publicUrl?: string): string[] {
  const target = req.url ?? '/';
  const bases: string[] = [];
  if (publicUrl) {
    const u = new URL(publicUrl);
    const scheme = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss' : 'ws';
    bases.push(`${scheme}://${u.host}${u.pathname.replace(/\/+$/, '')}`);
  } else {
    const host = req.headers.host ?? '';
    bases.push(`wss://${host}`, `ws://${host}`);
  }
  const [path, query] = [
    target.split('?')[0] ?? '/',
    target.includes('?') ? target.slice(target.indexOf('?')) : '',
  ];
  const paths = path.endsWith('/') && path.length > 1 ? [path, path.slice(0, -1)] : [path, `${path}/`];
  const out: string[] = [];
  for (const base of bases) for (const p of paths) out.push(`${base}${p}${query}`);
  return out;
}

/**
 * Checks the upgrade's credential per auth.mode: `?token=` (HMAC token) on any path, or a valid
 * X-Twilio-Signature on /twilio. Throws AUTH_MISSING / AUTH_INVALID / AUTH_EXPIRED.
 */
export function authorizeUpgrade(
  req: IncomingMessage,
  route: 'twilio' | 'raw',
  config: Pick<Config, 'auth' | 'publicUrl'>,
  nowS?: number,
): UpgradeIdentity {
  const { auth } = config;
  if (auth.mode === 'none') return { method: 'none' };
  const url = new URL(req.url ?? '/', 'http://localhost');
  const token = url.searchParams.get('token');
  const header = req.headers['x-twilio-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  const allowToken = auth.mode === 'token' || auth.mode === 'token-or-twilio';
  const allowTwilio = (auth.mode === 'twilio' || auth.mode === 'token-or-twilio') && route === 'twilio';
  let failure: VoicebotError | undefined;

  if (token && allowToken) {
    if (!auth.tokenSecret) {
      failure = new VoicebotError('AUTH_INVALID', 'token given but auth.tokenSecret is not configured');
    } else {
      try {
        const { subject } = verifyToken(auth.tokenSecret, token, {
          maxAgeS: auth.tokenMaxAgeS,
          ...(nowS === undefined ? {} : { nowS }),
        });
        return subject === undefined ? { method: 'token' } : { method: 'token', subject };
      } catch (err) {
        failure = err as VoicebotError;
      }
    }
  }
  if (signature && allowTwilio) {
    if (!auth.twilioAuthToken) {
      failure ??= new VoicebotError(
        'AUTH_INVALID',
        'X-Twilio-Signature given but auth.twilioAuthToken is not set',
      );
    } else {
      for (const candidate of twilioSignedUrlCandidates(req, config.publicUrl)) {
        if (validateTwilioSignature(auth.twilioAuthToken, signature, candidate, {}))
          return { method: 'twilio' };
      }
      failure ??= new VoicebotError(
        'AUTH_INVALID',
        'X-Twilio-Signature does not match: check auth.twilioAuthToken and publicUrl (the URL Twilio dials)',
      );
    }
  }
  if (failure) throw failure;
  const accepted = [allowToken ? '?token=' : '', allowTwilio ? 'X-Twilio-Signature' : '']
    .filter(Boolean)
    .join(' or ');
  throw new VoicebotError('AUTH_MISSING', `no credential: this path accepts ${accepted || 'nothing'}`);
}
