/**
 * The order being built: lines, totals and how they are read to the caller in each language.
 * Pure.
 */
import type { Language } from '../../asr-tts/asr.ts';
import type { Catalog, CatalogItem } from '../nlu/catalog.ts';

export interface CartLine {
  itemId: string;
  quantity: number;
  priceMinor: number;
}

export function findItem(catalog: Catalog, itemId: string): CatalogItem | undefined {
  return catalog.items.find((i) => i.id === itemId);
}

export function totalMinor(lines: readonly CartLine[]): number {
  return lines.reduce((sum, l) => sum + l.quantity * l.priceMinor, 0);
}

/** Adds a line, merging with an existing line of the same item. */
export function addLine(lines: readonly CartLine[], line: CartLine): CartLine[] {
  const existing = lines.find((l) => l.itemId === line.itemId);
  if (!existing) return [...lines, line];
  return lines.map((l) => (l.itemId === line.itemId ? { ...l, quantity: l.quantity + line.quantity } : l));
}

const EN_NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const ZH_NUMBERS = ['零', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十'];

/** The English plural of a noun ("loaf" -> "loaves", "box" -> "boxes", "berry" -> "berries"). */
export function plural(word: string): string {
  if (word === 'loaf') return 'loaves';
  if (/(s|sh|ch|x)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

/** "two loaves of bread", "one pizza", "两个面包"... as spoken. */
export function describeLine(
  catalog: Catalog,
  line: Pick<CartLine, 'itemId' | 'quantity'>,
  language: Language,
): string {
  const item = findItem(catalog, line.itemId);
  if (!item) return line.itemId;
  const name = item.names[language];
  const q = line.quantity;
  if (language === 'zh-CN') {
    const n = q <= 10 ? ZH_NUMBERS[q]! : String(q);
    return `${n}${item.unit['zh-CN']}${name}`;
  }
  const n = q <= 10 ? EN_NUMBERS[q]! : String(q);
  const unit = item.unit['en-US'];
  if (unit === name || name.endsWith(unit)) return `${n} ${q === 1 ? name : plural(name)}`;
  return `${n} ${q === 1 ? unit : plural(unit)} of ${name}`;
}

export function describeMoney(minor: number, currency: string, language: Language): string {
  const major = Math.floor(minor / 100);
  const cents = minor % 100;
  if (language === 'zh-CN') {
    const jiao = Math.floor(cents / 10);
    const fen = cents % 10;
    return `${major}元${jiao ? `${jiao}角` : ''}${fen ? `${fen}分` : ''}`;
  }
  const unit = currency === 'CNY' ? 'yuan' : currency === 'USD' ? 'dollars' : currency;
  return cents === 0 ? `${major} ${unit}` : `${major} ${unit} ${cents}`;
}

export function describeCart(
  catalog: Catalog,
  lines: readonly Pick<CartLine, 'itemId' | 'quantity'>[],
  language: Language,
): string {
  const parts = lines.map((l) => describeLine(catalog, l, language));
  if (language === 'zh-CN') return parts.join('，');
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
