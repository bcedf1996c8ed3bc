/**
 * Grammar-mode confidence and rejection for pocketsphinx. The worker scores each grammar final
 * against a free phone loop decoded over the same frames (ps-worker.py, PHONE_LOOP) and sends the
 * log-likelihood ratio per frame (`llr`, natural log): about 0 when the words fit the grammar,
 * strongly negative when the grammar forced a sentence onto other speech. A logistic curve maps
 * it to a 0..1 confidence; a final below the threshold is rejected (the caller said something
 * the grammar does not hold).
 */

/**
 * The llr per frame that maps to confidence 0.5, calibrated with bench/voice-order-asr.ts on the
 * voice-order grammars (189 answers in grammar, 70 off the menu, 7 voice/noise conditions): the
 * highest value that loses at most 2 answers read right. Units: pocketsphinx acoustic scores
 * (log base 1.0001, scaled down as its search keeps them) per frame.
 */
export const LLR_MIDPOINT = -24;
/** Width of the logistic curve, in llr per frame (answers read right have a median llr near -13). */
export const LLR_SCALE = 4;
/** Finals under this confidence are rejected unless PocketsphinxOptions.rejectBelow says otherwise. */
export const DEFAULT_REJECT_BELOW = 0.5;

/** The confidence of a grammar final from its llr per frame. */
export function grammarConfidence(llrPerFrame: number): number {
  if (!Number.isFinite(llrPerFrame)) return llrPerFrame > 0 ? 1 : 0;
  const c = 1 / (1 + Math.exp(-(llrPerFrame - LLR_MIDPOINT) / LLR_SCALE));
  return Math.round(c * 1000) / 1000;
}

/** Whether a final of this confidence is rejected at this threshold (0 rejects nothing). */
export function isRejected(confidence: number, rejectBelow: number): boolean {
  return confidence < rejectBelow;
}
