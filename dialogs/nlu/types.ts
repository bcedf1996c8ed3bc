/**
 * The NLU contract shared by the dialog runtime and every NLU implementation. The deterministic
 * one (deterministic-nlu.ts) is pure and synchronous; an LLM-backed one can implement the same
 * interface later (wrapped so that it answers within the turn budget).
 */
import type { Catalog } from './catalog.ts';

export type NluLanguage = 'zh-CN' | 'en-US';

/** What the dialog is waiting for. `free` extracts whatever it finds. */
export type ExpectedSlot = 'yesno' | 'number' | 'digits' | 'menu' | 'date' | 'free';

/** Intents that are honoured in every state of every dialog. */
export type GlobalIntent = 'repeat' | 'slower' | 'human' | 'goodbye' | 'cancel' | 'back' | 'help';

export interface NluContext {
  language: NluLanguage;
  expected?: ExpectedSlot;
  /** Required when `expected` is `menu` (and used by `free` when given). */
  catalog?: Catalog;
  /** Item ids in the order they were read to the caller, so "the second one" / "第二个" resolves. */
  offered?: readonly string[];
  /** Reference instant for relative dates; required when `expected` is `date`. */
  now?: Date;
  /** IANA zone of the caller, e.g. `Asia/Shanghai`; defaults to UTC. */
  timeZone?: string;
}

export interface YesNoSlot {
  value: boolean;
  confidence: number;
}

export interface NumberSlot {
  value: number;
  /** Measure word or unit noun next to the number ("份", "bottles"), if any. */
  unit?: string;
  confidence: number;
}

export interface OrdinalSlot {
  value: number;
  confidence: number;
}

export interface DigitsSlot {
  value: string;
  confidence: number;
}

export interface ItemCandidate {
  itemId: string;
  score: number;
}

export interface OrderLine {
  itemId: string;
  /** The catalog name in the caller's language. */
  name: string;
  quantity: number;
  unit?: string;
  /** Match score in 0..1 (1 = exact name or synonym). */
  score: number;
  /** The other items this mention could have been, best first. */
  candidates: ItemCandidate[];
}

export interface DateSlot {
  /** Calendar date in the caller's zone, YYYY-MM-DD. */
  date: string;
  /** Wall-clock time in the caller's zone, HH:MM, when one was said. */
  time?: string;
  /** The instant (UTC ISO string) when a time was said. */
  instant?: string;
  timeZone: string;
  confidence: number;
}

export interface NluSlots {
  yesno?: YesNoSlot;
  number?: NumberSlot;
  ordinal?: OrdinalSlot;
  digits?: DigitsSlot;
  items?: OrderLine[];
  date?: DateSlot;
}

export interface NluInterpretation {
  intent: GlobalIntent | 'none';
  slots: NluSlots;
  confidence: number;
}

export interface NluResult extends NluInterpretation {
  /** Other readings, best first (e.g. a weak global intent beside a filled slot). */
  alternatives: NluInterpretation[];
  /** The caller's words: personal data, log only under `pii` (see log-fields.ts). */
  text: { original: string; normalized: string };
}

export interface Nlu {
  parse(text: string, context: NluContext): NluResult;
}
