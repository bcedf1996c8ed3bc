/**
 * Inbound routing: which dialog answers a call, from the config's `routes` (first match wins).
 * A rule matches on the called number (Twilio/raw `to`, the SIP To user), on platform
 * parameters (Twilio customParameters, raw metadata), and on the transport; a rule with no
 * conditions is the default. No match -> null (the engine's fallback handler takes the call).
 */
import type { CallInfo } from '../../telephony/call-leg.ts';
import type { RouteRule } from './route-schema.ts';

/** `sip:+4420...@host;user=phone`, `tel:+1 (555) 010-0000` -> `+4420...`, `+15550100000`. */
export function normalizeNumber(value: string): string {
  let v = value.trim().replace(/^<|>$/g, '');
  v = v.replace(/^(sips?|tel):/i, '');
  v = v.split(/[@;]/)[0] ?? '';
  const plus = v.startsWith('+');
  const digits = v.replace(/[^0-9]/g, '');
  return plus ? `+${digits}` : digits;
}

export function matchesRule(info: CallInfo, rule: RouteRule): boolean {
  if (rule.transports && !rule.transports.includes(info.transport)) return false;
  if (rule.calledNumber !== undefined) {
    if (!info.to) return false;
    const want = normalizeNumber(rule.calledNumber);
    const got = normalizeNumber(info.to);
    if (want === '' || (got !== want && got.replace(/^\+/, '') !== want.replace(/^\+/, ''))) return false;
  }
  for (const [key, value] of Object.entries(rule.parameters ?? {})) {
    if (info.parameters[key] !== value) return false;
  }
  return true;
}

/** The dialog name for a call, or null when no rule matches. */
export function routeCall(info: CallInfo, rules: readonly RouteRule[]): string | null {
  return rules.find((rule) => matchesRule(info, rule))?.dialog ?? null;
}
