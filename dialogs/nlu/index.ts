export { type Catalog, type CatalogItem, catalogItem, parseCatalog } from './catalog.ts';
export { DeterministicNlu } from './deterministic-nlu.ts';
export { nluLogFields } from './log-fields.ts';
export { normalize } from './normalize.ts';
export { renderChinese, renderEnglish } from './render-number.ts';
export type * from './types.ts';
