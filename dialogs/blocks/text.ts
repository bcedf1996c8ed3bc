/**
 * Prompt rendering: pick the caller's language, evaluate computed prompts, fill `{{name}}`
 * from the call's variables and the slots. Pure.
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { DialogContext, LocalizedText, Text } from './types.ts';

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function isPerLanguage(text: LocalizedText): text is Partial<Record<Language, Text>> {
  return typeof text === 'object' && text !== null;
}

/** The prompt in the context's language (falls back to the other language, then ''). */
export function renderText(text: LocalizedText | undefined, ctx: DialogContext): string {
  if (text === undefined) return '';
  let chosen: Text | undefined;
  if (isPerLanguage(text)) chosen = text[ctx.language] ?? text['en-US'] ?? text['zh-CN'];
  else chosen = text;
  if (chosen === undefined) return '';
  const raw = typeof chosen === 'function' ? chosen(ctx) : chosen;
  return fillTemplate(raw, ctx);
}

export function fillTemplate(raw: string, ctx: Pick<DialogContext, 'vars' | 'slots'>): string {
  return raw.replace(TEMPLATE, (_m, name: string) => {
    const v = ctx.vars[name] ?? ctx.slots[name];
    return v === undefined || v === null ? '' : String(v);
  });
}

/** Names used by `{{name}}` in a template string. */
export function templateNames(raw: string): string[] {
  return [...raw.matchAll(TEMPLATE)].map((m) => m[1]!);
}

/** Joins two sentences with the language's spacing. */
export function joinText(language: Language, ...parts: string[]): string {
  const kept = parts.map((p) => p.trim()).filter((p) => p.length > 0);
  return kept.join(language === 'zh-CN' ? '' : ' ');
}
