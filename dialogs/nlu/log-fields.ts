/**
 * Fields for logging an NLU result: what was understood goes in plain fields, the caller's words
 * and slot values (digits, items, dates can identify a person) only under `pii`, which the
 * logger redacts unless VOICEBOT_LOG_PII=1.
 */
import type { NluResult } from './types.ts';

export function nluLogFields(result: NluResult): Record<string, unknown> {
  return {
    intent: result.intent,
    confidence: result.confidence,
    slotNames: Object.keys(result.slots),
    alternatives: result.alternatives.length,
    pii: { text: result.text.original, normalized: result.text.normalized, slots: result.slots },
  };
}
