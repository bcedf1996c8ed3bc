/**
 * The ordering catalog (items, names and synonyms in both languages, prices, units), validated
 * with zod. Validation is strict because a bad catalog silently breaks ordering: unknown keys,
 * duplicate ids and a synonym shared by two items are refused with the path and a fix.
 * Pure: callers read the file and pass the parsed JSON.
 */
import { z } from 'zod';
import { VoicebotError } from '../../engine/errors.ts';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

const perLanguage = <T extends z.ZodType>(t: T) => z.strictObject({ 'en-US': t, 'zh-CN': t });

export const CatalogItemSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes (e.g. "fried-rice")'),
  category: nonEmpty,
  names: perLanguage(nonEmpty),
  synonyms: perLanguage(z.array(nonEmpty)).default({ 'en-US': [], 'zh-CN': [] }),
  /** Price of one unit in the smallest currency unit (cents, fen). */
  priceMinor: z.number().int('use the smallest currency unit (cents, fen) as an integer').nonnegative(),
  /** What one unit is called: "bottle" / "瓶". */
  unit: perLanguage(nonEmpty),
});

export const CatalogSchema = z.strictObject({
  id: nonEmpty,
  currency: z.string().regex(/^[A-Z]{3}$/, 'use an ISO 4217 code such as "CNY" or "USD"'),
  items: z.array(CatalogItemSchema).min(1, 'a catalog needs at least one item'),
});

export type CatalogItem = z.infer<typeof CatalogItemSchema>;
export type Catalog = z.infer<typeof CatalogSchema>;

/** Validates parsed JSON as a catalog; throws NLU_CATALOG_INVALID naming every problem's path. */
export function parseCatalog(json: unknown, source = 'catalog'): Catalog {
  const result = CatalogSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new VoicebotError(
      'NLU_CATALOG_INVALID',
      `${source} is not a valid catalog: ${problems.join('; ')}`,
      {
        source,
        problems,
      },
    );
  }
  const catalog = result.data;
  const problems: string[] = [];
  const ids = new Map<string, number>();
  catalog.items.forEach((item, idx) => {
    const first = ids.get(item.id);
    if (first !== undefined) problems.push(`items[${idx}].id: "${item.id}" is also used by items[${first}]`);
    else ids.set(item.id, idx);
  });
  for (const lang of ['en-US', 'zh-CN'] as const) {
    const owner = new Map<string, string>();
    catalog.items.forEach((item, idx) => {
      for (const alias of [item.names[lang], ...item.synonyms[lang]]) {
        const key = alias.toLowerCase().normalize('NFKC').replace(/\s+/g, ' ');
        const other = owner.get(key);
        if (other !== undefined && other !== item.id) {
          problems.push(
            `items[${idx}] (${item.id}): ${lang} name/synonym "${alias}" also belongs to "${other}": keep it on one item`,
          );
        } else owner.set(key, item.id);
      }
    });
  }
  if (problems.length > 0) {
    throw new VoicebotError(
      'NLU_CATALOG_INVALID',
      `${source} is not a valid catalog: ${problems.join('; ')}`,
      {
        source,
        problems,
      },
    );
  }
  return catalog;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** Looks an item up by id. */
export function catalogItem(catalog: Catalog, id: string): CatalogItem | undefined {
  return catalog.items.find((i) => i.id === id);
}
