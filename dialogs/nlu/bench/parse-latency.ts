/**
 * NLU parse latency per mode: p50/p99 over 2000 warm calls each, with node and CPU info.
 * Run: node --import tsx dialogs/nlu/bench/parse-latency.ts
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseCatalog } from '../catalog.ts';
import { DeterministicNlu } from '../deterministic-nlu.ts';
import type { ExpectedSlot, NluLanguage } from '../types.ts';

const catalog = parseCatalog(
  JSON.parse(readFileSync(new URL('../../../fixtures/catalogs/meals.json', import.meta.url), 'utf8')),
);
const nlu = new DeterministicNlu();
const now = new Date('2026-11-26T02:00:00Z');
const scenarios: [string, NluLanguage, ExpectedSlot][] = [
  ['我要两份交子和一瓶可了，再来三碗牛肉面', 'zh-CN', 'menu'],
  ['two pizzas and a coke and three cans of sprite please', 'en-US', 'menu'],
  ['好的不用了', 'zh-CN', 'yesno'],
  ['幺三八 零零一三 八零零零', 'zh-CN', 'digits'],
  ['明天下午三点', 'zh-CN', 'date'],
  ['I want to talk to a real person', 'en-US', 'free'],
];
const results = scenarios.map(([text, language, expected]) => {
  const ctx = { language, expected, catalog, now, timeZone: 'Asia/Shanghai' };
  for (let i = 0; i < 300; i++) nlu.parse(text, ctx);
  const ms: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    nlu.parse(text, ctx);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { expected, language, text, p50Ms: round(ms[1000]!), p99Ms: round(ms[1980]!) };
});
console.log(
  JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, results }, null, 2),
);
