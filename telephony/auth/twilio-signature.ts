/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + sorted params as name+value)).
 * Repeated names contribute each distinct value, values sorted. Validation accepts the URL with
 * and without an explicit default port, as Twilio's own signer is inconsistent about it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureParams = Record<string, string | string[]>;

export function twilioSignature(authToken: string, url: string, params: SignatureParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The URL as given, with the default port added, and with it removed (distinct entries). */
export function portVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? '443' : '80';
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostPort = authority.slice(at + 1);
  const host = hostPort.replace(/:\d+$/, '');
  const port = hostPort.slice(host.length + 1);
  const variants = [url];
  if (port === '') variants.push(`${scheme}${userinfo}${host}:${defaultPort}${rest}`);
  else if (port === defaultPort) variants.push(`${scheme}${userinfo}${host}${rest}`);
  return variants;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function validateTwilioSignature(
  authToken: string,
  signature: string,
  url: string,
  params: SignatureParams = {},
): boolean {
  if (!authToken || !signature) return false;
  let ok = false;
  // Check every variant (no early exit) so timing does not depend on which one matched.
  for (const variant of portVariants(url)) {
    if (safeEqual(twilioSignature(authToken, variant, params), signature)) ok = true;
  }
  return ok;
}
