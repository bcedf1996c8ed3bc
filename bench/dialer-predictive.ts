/**
 * Predictive pacing simulation (virtual time, seeded): the call mix of docs/campaigns.md
 * (human 20%, machine 15%, busy 10%, no answer 55%; AMD 2.5 s; AHT exp(180 s) + 10 s wrap; a
 * person waiting > 2 s for an agent is abandoned), 10k contacts per run, 10/20/50 agents,
 * progressive vs predictive with the drop governor (target 3%).
 *
 *   node --import tsx bench/dialer-predictive.ts [--contacts 10000] [--seeds 3]
 *
 * Prints one line per (agents, mode): occupancy (talk time / agent time until the last dial),
 * abandon rate (abandoned / live answers), final dial level; then a JSON line.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type SimResult, simulatePacing } from '../engine/campaigns/dialer/pacing-sim.ts';

const { values } = parseArgs({
  options: { contacts: { type: 'string', default: '10000' }, seeds: { type: 'string', default: '3' } },
});
const contacts = Number(values.contacts);
const seeds = Number(values.seeds);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}; ${contacts} contacts x ${seeds} seeds`);
const rows: (SimResult & { maxAbandonRate: number; cpuMs: number })[] = [];
for (const agents of [10, 20, 50]) {
  for (const mode of ['progressive', 'predictive'] as const) {
    const started = process.cpuUsage();
    const runs = Array.from({ length: seeds }, (_, i) =>
      simulatePacing({ agents, contacts, seed: i + 1, pacing: { mode } }),
    );
    const cpu = process.cpuUsage(started);
    const mean = (f: (r: SimResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
    const row = {
      ...runs[0]!,
      occupancy: mean((r) => r.occupancy),
      abandonRate: mean((r) => r.abandonRate),
      humans: Math.round(mean((r) => r.humans)),
      abandoned: Math.round(mean((r) => r.abandoned)),
      finalLevel: mean((r) => r.finalLevel),
      hours: mean((r) => r.hours),
      maxAbandonRate: Math.max(...runs.map((r) => r.abandonRate)),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    };
    rows.push(row);
    console.log(
      `${String(agents).padStart(3)} agents ${mode.padEnd(11)} occupancy ${row.occupancy.toFixed(3)}  ` +
        `abandon ${(row.abandonRate * 100).toFixed(2)}% (max ${(row.maxAbandonRate * 100).toFixed(2)}%)  ` +
        `level ${row.finalLevel.toFixed(2)}  ${row.hours.toFixed(1)} h simulated`,
    );
  }
}
const ok = rows.every((r) => r.maxAbandonRate <= 0.03);
console.log(JSON.stringify({ scenario: 'dialer-predictive', contacts, seeds, governorHolds: ok, rows }));
if (!ok) process.exitCode = 1;
