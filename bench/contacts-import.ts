/**
 * Contact import benchmark: generates a CSV of --rows contacts (default 1,000,000; US numbers
 * across area codes, 1 in 1000 repeated, a few bad rows) in a temp dir, imports it into a fresh
 * SQLite campaign store, and prints rows/s, the rejects by reason, and peak RSS (sampled every
 * 100 ms, plus the kernel's high-water mark) to show memory stays bounded by the batch size,
 * not the file size. Ends with a JSON line. Not part of the test suite.
 *
 *   node --import tsx bench/contacts-import.ts [--rows 1000000] [--batch 2000] [--keep]
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importContacts } from '../engine/campaigns/import/contacts-import.ts';
import { SqliteCampaignStore } from '../engine/campaigns/store/sqlite-store.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const batchSize = Number(values.batch);

// Area codes in several zones (and Florida), so zones and subdivisions are resolved for real.
const AREA = [
  '212',
  '305',
  '312',
  '415',
  '602',
  '720',
  '808',
  '850',
  '917',
  '646',
  '713',
  '206',
  '404',
  '617',
];

async function writeCsv(path: string): Promise<{ bad: number; dup: number }> {
  const out = createWriteStream(path);
  let bad = 0;
  let dup = 0;
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r));
  await write('phone,first_name,last_name,appointment,amount\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    let line: string;
    if (i % 10_000 === 5_000) {
      line = `12345,Bad,Number${i},2026-07-01 09:00,1.00\n`;
      bad++;
    } else {
      const k = i % 1000 === 999 ? i - 1 : i; // a repeat of the row before
      if (k !== i) dup++;
      const area = AREA[k % AREA.length]!;
      const sub = 2_000_000 + Math.floor(k / AREA.length);
      const num = String(sub).padStart(7, '0');
      line = `+1 ${area} ${num.slice(0, 3)} ${num.slice(3)},First${i},Last${i},2026-07-${String(1 + (i % 28)).padStart(2, '0')} 10:00,${(i % 500) + 0.5}\n`;
    }
    chunk += line;
    if (chunk.length > 64_000) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return { bad, dup };
}

function kernelPeakRssMb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'voicebot-bench-import-'));
try {
  const csv = join(dir, 'contacts.csv');
  const t0 = performance.now();
  const expected = await writeCsv(csv);
  const genMs = performance.now() - t0;
  const fileMb = statSync(csv).size / 1024 / 1024;

  const store = await SqliteCampaignStore.open(join(dir, 'campaigns.db'));
  await store.createCampaign(
    { id: 'bench', name: 'bench', scriptId: 'reminder', callerId: '+14155550100', compliance: 'US' },
    Date.now(),
  );
  const rssBefore = process.memoryUsage().rss / 1024 / 1024;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss / 1024 / 1024);
  }, 100);
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const summary = await importContacts({ store, campaignId: 'bench', source: csv, batchSize });
  const importMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss / 1024 / 1024);
  const counts = await store.contactCounts('bench');
  await store.close();

  const ok = summary.rowsRead === rows && summary.imported + summary.rejected === rows;
  const result = {
    scenario: 'contacts-import',
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadavg1m: Number(loadavg()[0]!.toFixed(2)),
    rows,
    batchSize,
    fileMb: Number(fileMb.toFixed(1)),
    generateS: Number((genMs / 1000).toFixed(1)),
    importS: Number((importMs / 1000).toFixed(1)),
    rowsPerSec: Math.round(rows / (importMs / 1000)),
    // On a shared machine wall time depends on the load; CPU time does not.
    importCpuS: Number(cpuS.toFixed(1)),
    rowsPerCpuSec: Math.round(rows / cpuS),
    imported: summary.imported,
    stored: counts.total,
    rejected: summary.byReason,
    expectedBad: expected.bad,
    expectedDuplicates: expected.dup,
    rssBeforeMb: Math.round(rssBefore),
    peakRssMb: Math.round(peakRss),
    kernelPeakRssMb: Math.round(kernelPeakRssMb() ?? 0),
    countsConsistent: ok,
  };
  console.log(
    `contacts-import: ${rows} rows (${result.fileMb} MB) in ${result.importS} s = ${result.rowsPerSec} rows/s ` +
      `(${result.importCpuS} CPU-s = ${result.rowsPerCpuSec} rows per CPU-second); ` +
      `imported ${summary.imported}, rejected ${summary.rejected} ` +
      `(bad_number ${summary.byReason.bad_number}, duplicate_in_file ${summary.byReason.duplicate_in_file}); ` +
      `peak RSS ${result.peakRssMb} MB (before import ${result.rssBeforeMb} MB); load ${result.loadavg1m} on ${result.cores} cores`,
  );
  console.log(JSON.stringify(result));
  if (
    !ok ||
    summary.byReason.bad_number !== expected.bad ||
    summary.byReason.duplicate_in_file !== expected.dup
  ) {
    process.exitCode = 1;
  }
} finally {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
