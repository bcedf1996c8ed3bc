import { createHash, randomBytes } from 'node:crypto';
import { parseChallenge } from './header-values.ts';

/** HTTP Digest for SIP (RFC 3261 §22, RFC 2617 / 7616: MD5 and SHA-256, qop=auth or none). Pure but for the cnonce. */

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestInput {
  method: string;
  uri: string;
  challenge: string;
  credentials: DigestCredentials;
  nc?: number;
  cnonce?: string;
}

function hash(algorithm: string, text: string): string {
  return createHash(algorithm.toUpperCase().startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(text)
    .digest('hex');
}

/** Builds the value of an Authorization / Proxy-Authorization header answering `challenge`. */
export function digestAuthorization(input: DigestInput): string {
  const { scheme, params } = parseChallenge(input.challenge);
  if (scheme.toLowerCase() !== 'digest') throw new Error(`unsupported auth scheme ${scheme}`);
  const algorithm = params.algorithm ?? 'MD5';
  if (!/^(MD5|SHA-256)$/i.test(algorithm)) throw new Error(`unsupported digest algorithm ${algorithm}`);
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const qops = (params.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
  const useQop = qops.includes('auth');
  const ha1 = hash(algorithm, `${input.credentials.username}:${realm}:${input.credentials.password}`);
  const ha2 = hash(algorithm, `${input.method}:${input.uri}`);
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex');
  const response = useQop
    ? hash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)
    : hash(algorithm, `${ha1}:${nonce}:${ha2}`);
  const parts = [
    `username="${input.credentials.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${input.uri}"`,
    `response="${response}"`,
    `algorithm=${algorithm}`,
  ];
  if (params.opaque !== undefined) parts.push(`opaque="${params.opaque}"`);
  if (useQop) parts.push('qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}
