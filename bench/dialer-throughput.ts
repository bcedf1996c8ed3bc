/**
 * Dialer throughput and cap adherence: N contacts (default 10k) on a SQLite file, the real
 * Dialer in virtual time against the virtual carrier (the documented call mix: 20% answer and
 * talk 30-180 s, 15% machine-like short answers, 10% busy, 55% ring out), two trunks with CPS
 * and concurrency caps. Prints dialer CPU per attempt, attempts per CPU-second, the highest
 * starts in any 1 s window and the peak concurrency per trunk against their caps.
 *
 *   node --import tsx bench/dialer-throughput.ts [--contacts 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VirtualClock } from '../engine/campaigns/dialer/clock.ts';
import { Dialer } from '../engine/campaigns/dialer/dialer.ts';
import { rng } from '../engine/campaigns/dialer/pacing-sim.ts';
import {
  type Persona,
  VirtualCarrier,
  waitForHangup,
} from '../engine/campaigns/dialer/testing/virtual-carrier.ts';
import { SqliteCampaignStore } from '../engine/campaigns/store/sqlite-store.ts';

const { values } = parseArgs({ options: { contacts: { type: 'string', default: '10000' } } });
const n = Number(values.contacts);
const dir = mkdtempSync(join(tmpdir(), 'vb-dialer-bench-'));
const store = await SqliteCampaignStore.open(join(dir, 'bench.db'));
const t0 = Date.parse('2026-06-10T13:00:00Z');
const trunks = [
  { name: 'a', cps: 5, maxConcurrent: 40 },
  { name: 'b', cps: 2, maxConcurrent: 15 },
];
await store.createCampaign(
  {
    id: 'bench',
    name: 'bench',
    scriptId: 'reminder',
    callerId: '+14155550100',
    window: { start: '00:00', end: '24:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
    retry: { 'no-answer': { retry: false }, busy: { retry: false } },
    trunks,
  },
  t0,
);
await store.setCampaignStatus('bench', 'running');
for (let i = 0; i < n; i += 1000) {
  await store.addContacts(
    'bench',
    Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
      e164: `+1212${String(2000000 + i + k).padStart(7, '0')}`,
      zones: ['America/New_York'],
      subdivision: null,
      variables: {},
    })),
    t0,
  );
}
const clock = new VirtualClock(t0);
const rand = rng(7);
const persona = (): Persona => {
  const r = rand();
  if (r < 0.2) return { kind: 'answer', ringMs: 5000 + rand() * 15_000, talkMs: 30_000 + rand() * 150_000 };
  if (r < 0.35) return { kind: 'answer', ringMs: 5000 + rand() * 15_000, talkMs: 8000 };
  if (r < 0.45) return { kind: 'busy', ringMs: 3000 };
  return { kind: 'no-answer', ringMs: 25_000 };
};
const carriers = new Map(trunks.map((t) => [t.name, new VirtualCarrier(clock, persona)]));
const dialer = new Dialer({
  store,
  campaignId: 'bench',
  workerId: 'bench',
  carrier: (name) => carriers.get(name)!,
  clock,
  tickMs: 1000,
  exitWhenDone: true,
  runCall: async (leg) => {
    await waitForHangup(leg, clock, 600_000);
    return { disposition: 'answered' };
  },
});
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
let done = false;
void dialer.run().then(() => {
  done = true;
});
await clock.run(() => done, 30 * 24 * 3_600_000);
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const perTrunk = trunks.map((t) => {
  const c = carriers.get(t.name)!;
  const starts = c.log.map((r) => r.startMs).sort((a, b) => a - b);
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= 1000) j++;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  return { ...t, dials: c.log.length, maxStartsIn1s: maxPerSecond, peakConcurrent: c.peakConcurrent };
});
const counts = await store.contactCounts('bench');
const dials = perTrunk.reduce((a, t) => a + t.dials, 0);
const result = {
  scenario: 'dialer-throughput',
  node: process.version,
  cpu: cpus()[0]?.model,
  contacts: n,
  done: counts.done,
  dials,
  virtualHours: (clock.now() - t0) / 3_600_000,
  dialsPerVirtualSecond: dials / ((clock.now() - t0) / 1000),
  cpuS,
  wallS: (performance.now() - wall0) / 1000,
  attemptsPerCpuSecond: dials / cpuS,
  trunks: perTrunk,
};
console.log(
  `${dials} attempts for ${n} contacts (${counts.done} done) in ${result.virtualHours.toFixed(2)} virtual h: ` +
    `${result.dialsPerVirtualSecond.toFixed(2)} dials/s (cap ${trunks.reduce((a, t) => a + t.cps, 0)}), ` +
    `${result.attemptsPerCpuSecond.toFixed(0)} attempts per CPU-second (${cpuS.toFixed(1)} CPU-s)`,
);
for (const t of perTrunk) {
  console.log(
    `  trunk ${t.name}: ${t.dials} dials, max ${t.maxStartsIn1s} starts in any 1 s (cps ${t.cps}), peak ${t.peakConcurrent} concurrent (cap ${t.maxConcurrent})`,
  );
}
console.log(JSON.stringify(result));
await store.close();
rmSync(dir, { recursive: true, force: true });
