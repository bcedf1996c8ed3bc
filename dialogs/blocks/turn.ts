/**
 * What a caller's words or keys mean to the current node: a global intent, one of the node's
 * exits, or no match. Pure; the machine stores the result in `context.turn`.
 */
import type { GlobalIntent, NluResult } from '../nlu/types.ts';
import type { AskNode, DialogContext, DialogDefinition, Turn } from './types.ts';

const GLOBAL: ReadonlySet<GlobalIntent> = new Set([
  'repeat',
  'slower',
  'human',
  'goodbye',
  'cancel',
  'back',
  'help',
]);

function saidOptOut(def: DialogDefinition, nlu: NluResult): boolean {
  const words = def.optOut?.words;
  if (!words || words.length === 0) return false;
  const normalized = ` ${nlu.text.normalized} `;
  return words.some((w) => {
    const word = w.toLowerCase();
    return /[\u4e00-\u9fff]/.test(word) ? normalized.includes(word) : normalized.includes(` ${word} `);
  });
}

export function turnFromSpeech(
  def: DialogDefinition,
  node: AskNode,
  ctx: DialogContext,
  nlu: NluResult,
): Turn {
  if (saidOptOut(def, nlu)) return { kind: 'intent', intent: 'opt-out' };
  if (nlu.intent !== 'none' && GLOBAL.has(nlu.intent)) {
    const exit = node.intentExits?.[nlu.intent];
    if (exit !== undefined) return { kind: 'exit', exit };
    // A filled slot beats a weak intent reading ("no, cancel that" on a yes/no question is a no).
    if (nlu.intent !== 'human' && nlu.confidence < 0.9) {
      const decision = node.accept({ source: 'voice', text: nlu.text.original, nlu }, ctx);
      if (decision) return { kind: 'exit', ...decision };
    }
    return { kind: 'intent', intent: nlu.intent };
  }
  const decision = node.accept({ source: 'voice', text: nlu.text.original, nlu }, ctx);
  return decision ? { kind: 'exit', ...decision } : { kind: 'no-match' };
}

export function turnFromKeys(node: AskNode, ctx: DialogContext, digits: string): Turn {
  const decision = node.accept({ source: 'keypad', digits }, ctx);
  return decision ? { kind: 'exit', ...decision } : { kind: 'no-match' };
}

/** Keys that mean the same in every node: 0 (first key) = a person, * = repeat. */
export function globalKey(def: DialogDefinition, node: AskNode | undefined, buffer: string, key: string) {
  if (def.optOut?.key !== undefined && key === def.optOut.key && buffer === '' && !node?.dtmf)
    return 'opt-out';
  // A terminator with nothing typed (e.g. '#' after the max length already ended the entry).
  if (node?.dtmf?.terminator !== undefined && key === node.dtmf.terminator && buffer === '') return 'ignore';
  if (key === '0' && buffer === '' && !node?.dtmf?.leadingZero) return 'human';
  if (key === '*') return node?.dtmf?.leadingZero ? 'human' : 'repeat';
  return null;
}

/** Whether this key completes the node's keypad entry. */
export function keysComplete(node: AskNode, buffer: string, key: string): boolean {
  if (!node.dtmf) return true;
  if (node.dtmf.terminator !== undefined && key === node.dtmf.terminator) return true;
  return node.dtmf.maxDigits !== undefined && (buffer + key).length >= node.dtmf.maxDigits;
}
