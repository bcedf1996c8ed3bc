import { VoicebotError } from '../../engine/errors.ts';
import type { OriginateRequest } from './carrier.ts';

const E164 = /^\+[1-9]\d{6,14}$/;

/** Checks an originate request; CARRIER_BAD_REQUEST names the field and the expected form. */
export function validateOriginate(r: OriginateRequest): void {
  const bad = (what: string) => new VoicebotError('CARRIER_BAD_REQUEST', what);
  if (typeof r.to !== 'string' || !E164.test(r.to)) throw bad('to must be an E.164 number like +14155550123');
  if (typeof r.from !== 'string' || !E164.test(r.from))
    throw bad('from must be an E.164 number like +14155550100');
  if (typeof r.attemptId !== 'string' || !/^[\w.:-]{1,128}$/.test(r.attemptId)) {
    throw bad('attemptId must be 1-128 letters, digits, _ . : -');
  }
  if (!Number.isFinite(r.ringTimeoutMs) || r.ringTimeoutMs <= 0 || r.ringTimeoutMs > 300_000) {
    throw bad('ringTimeoutMs must be > 0 and <= 300000');
  }
}
