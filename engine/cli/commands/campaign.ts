import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { campaignStatus } from '../../campaigns/api/status.ts';
import { type ControlAction, controlCampaign } from '../../campaigns/dialer/controls.ts';
import { Dialer } from '../../campaigns/dialer/dialer.ts';
import { EXPORT_FORMATS, type ExportFormat, exportResults } from '../../campaigns/export/results-export.ts';
import { importContacts } from '../../campaigns/import/contacts-import.ts';
import { PgCampaignStore } from '../../campaigns/store/pg-store.ts';
import { SqliteCampaignStore } from '../../campaigns/store/sqlite-store.ts';
import type { CampaignStore } from '../../campaigns/store/types.ts';
import { VoicebotError } from '../../errors.ts';
import type { RouteHandler } from '../../http/server.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot campaign <create|start|pause|resume|stop|status|export> [options]

  create FILE --contacts CSV   create a campaign from a YAML/JSON file and import its contacts;
                               prints the import summary and writes every rejected row
                               (line, reason, detail, number) to --reject-report
  start ID                     run the dialer in the foreground until the campaign is done,
                               paused or stopped (Ctrl-C: no new dials, running calls finish)
  pause ID | resume ID | stop ID
                               switch the campaign for every engine dialing it (idempotent)
  status [ID]                  counts by state and disposition (no ID: list campaigns)
  export ID                    results per contact: number, disposition, attempts, answers,
                               transcript reference, recording path

Options:
  --db PATH            SQLite file (default ./var/voicebot.db); DATABASE_URL selects PostgreSQL
  --contacts CSV       create: the contact list (a header line with a phone column)
  --reject-report P    create: where rejected rows go (default <campaign id>-rejected.csv
                       next to the database)
  --carrier NAME       start: sim (default; personas in fixtures/personas, real audio through
                       an in-process engine), twilio or sip (settings from the config: see
                       docs/campaigns.md); answered calls run AMD, the voicemail drop or the
                       campaign's script (dialogs/outbound/<scriptId>.yaml)
  --config FILE        start: config file (env VOICEBOT_CONFIG); the carrier, call records
                       (session.callsDir) and agents come from it. A campaign with a
                       transfer queue hands interested people to the config's agents of
                       that queue; agents mark themselves ready/away on the agents API
                       of the engine start runs (its URL is printed). On the sim carrier a
                       simulated agent talks 60 s x --ring-scale, then marks themselves ready
  --personas DIR       start: persona folder for the sim carrier
  --seed N             start: sim carrier seed (default 1)
  --ring-scale X       start: sim ring times x this (default 0.05)
  --worker ID          start: this process's lease owner name (default host-pid)
  --once               start: dial what is due now, then return (retries stay scheduled)
  --format csv|json    export: default csv
  --out PATH           export: write here instead of stdout
  -h, --help           this text`;

async function openStore(db: string | undefined): Promise<CampaignStore> {
  const url = process.env.DATABASE_URL;
  if (url && !db) return PgCampaignStore.open({ connectionString: url });
  const path = resolve(db ?? process.env.VOICEBOT_DB ?? './var/voicebot.db');
  mkdirSync(dirname(path), { recursive: true });
  return SqliteCampaignStore.open(path);
}

function readSpec(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VoicebotError(
      'CAMPAIGN_INVALID',
      `cannot read campaign file ${file}: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new VoicebotError('CAMPAIGN_INVALID', `${file} is not valid YAML/JSON: ${(err as Error).message}`, {
      file,
    });
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`);
/** How long a simulated agent talks with a transferred callee (times --ring-scale). */
const SIM_AGENT_TALK_MS = 60_000;

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

async function create(store: CampaignStore, args: string[], dbPath: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { contacts: { type: 'string' }, 'reject-report': { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || !values.contacts) {
    process.stderr.write('voicebot campaign create: give a campaign file and --contacts CSV\n');
    return 2;
  }
  const stored = await store.createCampaign(readSpec(file) as never, Date.now());
  const id = stored.campaign.id;
  const reportPath = resolve(values['reject-report'] ?? join(dirname(resolve(dbPath)), `${id}-rejected.csv`));
  mkdirSync(dirname(reportPath), { recursive: true });
  const report = createWriteStream(reportPath);
  report.write('line,reason,detail,number\n');
  const summary = await importContacts({
    store,
    campaignId: id,
    source: values.contacts,
    onReject: (r) => report.write(`${r.line},${r.reason},${csvCell(r.detail)},${csvCell(r.pii.raw ?? '')}\n`),
  });
  await new Promise((r) => report.end(r));
  out(`campaign ${id} created (${stored.status})`);
  out(`contacts: ${summary.rowsRead} rows read, ${summary.imported} imported, ${summary.rejected} rejected`);
  for (const [reason, n] of Object.entries(summary.byReason)) if (n > 0) out(`  ${reason.padEnd(22)} ${n}`);
  if (summary.withoutConsent > 0) out(`without consent (never dialed): ${summary.withoutConsent}`);
  out(`rejected rows: ${reportPath}`);
  return 0;
}

function table(rows: Record<string, number>): string[] {
  const entries = Object.entries(rows).sort((a, b) => b[1] - a[1]);
  const width = Math.max(11, ...entries.map(([k]) => k.length));
  const total = entries.reduce((a, [, n]) => a + n, 0);
  return [
    `${'disposition'.padEnd(width)}  count   share`,
    ...entries.map(
      ([k, n]) =>
        `${k.padEnd(width)}  ${String(n).padStart(5)}  ${((100 * n) / Math.max(1, total)).toFixed(1).padStart(5)}%`,
    ),
  ];
}

async function start(store: CampaignStore, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      carrier: { type: 'string' },
      config: { type: 'string' },
      personas: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'ring-scale': { type: 'string', default: '0.05' },
      worker: { type: 'string' },
      once: { type: 'boolean', default: false },
    },
  });
  const id = positionals[0];
  if (!id) {
    process.stderr.write('voicebot campaign start: give a campaign id\n');
    return 2;
  }
  const [
    { loadConfig },
    { startEngine },
    { OutboundRegistry },
    runtime,
    { mintToken },
    { createRootLogger },
    { AgentRegistry },
    { agentsApi },
  ] = await Promise.all([
    import('../../config/load.ts'),
    import('../../engine.ts'),
    import('../../../telephony/carriers/outbound-registry.ts'),
    import('../../campaigns/dialer/campaign-runtime.ts'),
    import('../../../telephony/auth/hmac-token.ts'),
    import('../../log/logger.ts'),
    import('../../agents/registry.ts'),
    import('../../agents/agents-api.ts'),
  ]);
  // The sim carrier's callees reach an engine on loopback with a one-off token; twilio and sip
  // use the configured listener and auth, as `voicebot serve` would.
  const secret = randomBytes(24).toString('base64url');
  const simConfig = loadConfig({
    file: values.config,
    overrides: {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      'auth.mode': 'token',
      'auth.tokenSecret': secret,
      ...(values.personas ? { 'campaigns.personasDir': values.personas } : {}),
    },
  });
  const carrierName = (values.carrier ?? simConfig.campaigns.carrier) as (typeof runtime.CARRIERS)[number];
  if (!runtime.CARRIERS.includes(carrierName)) {
    process.stderr.write(
      `voicebot campaign start: unknown carrier '${carrierName}' (${runtime.CARRIERS.join(', ')})\n`,
    );
    return 2;
  }
  const config = carrierName === 'sim' ? simConfig : loadConfig({ file: values.config });
  const log = createRootLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const agents = new AgentRegistry(config.agents);
  const pool = await runtime.agentPoolFor(store, id, agents); // before any dial: a bad queue stops here
  await controlCampaign(store, id, 'start');
  const registry = new OutboundRegistry();
  let statusRoute: RouteHandler | null = null;
  const engine = await startEngine({
    config,
    log,
    handler: registry.wrap((leg) => leg.hangup('not expected')),
    routes: [
      agentsApi(agents, { token: config.campaigns.adminToken }),
      (req, res) => statusRoute?.(req, res) ?? false,
    ],
  });
  if (pool) {
    out(
      `campaign ${id}: transfers to queue ${pool.queue} (${pool.size()} agent${pool.size() === 1 ? '' : 's'}); agents API at ${engine.url}/agents`,
    );
  }
  const runner = await runtime.createCampaignRunner(config, { log, metrics: engine.metrics });
  const carrier = runtime.createCarrier({
    name: carrierName,
    config,
    engine,
    registry,
    log,
    seed: Number(values.seed),
    ringTimeScale: Number(values['ring-scale']),
    ...(carrierName === 'sim'
      ? {
          token: () => mintToken(secret, { ttlS: 300 }),
          // The simulated agent the callee was routed to ends the call, then is ready again.
          onSimTransfer: (t: { ok: boolean; target: string }) => {
            const agent = agents.list().find((a) => a.target === t.target);
            if (!t.ok || !agent) return;
            const talkMs = SIM_AGENT_TALK_MS * Number(values['ring-scale']);
            setTimeout(() => agents.setState(agent.id, 'ready'), talkMs).unref();
          },
        }
      : {}),
  });
  statusRoute = runtime.carrierRoute(carrier, config);
  const counts: Record<string, number> = {};
  const dialer = new Dialer({
    store,
    campaignId: id,
    workerId: values.worker ?? `${process.env.HOSTNAME ?? 'local'}-${process.pid}`,
    carrier,
    runCall: runner.runCall,
    ...(pool ? { agents: pool } : {}),
    exitWhenDone: true,
    exitWhenIdle: values.once,
    metrics: engine.metrics,
    onEvent: (e) => {
      if (e.type === 'call.result') counts[e.disposition] = (counts[e.disposition] ?? 0) + 1;
    },
  });
  const onSigint = () => dialer.stop();
  process.once('SIGINT', onSigint);
  const tty = process.stdout.isTTY;
  const started = Date.now();
  const progress = setInterval(
    async () => {
      const c = await store.contactCounts(id).catch(() => null);
      if (!c) return;
      const frac = c.total === 0 ? 1 : c.done / c.total;
      const bar = `${'#'.repeat(Math.round(frac * 30))}${'.'.repeat(30 - Math.round(frac * 30))}`;
      const line = `[${bar}] ${c.done}/${c.total} done, ${dialer.activeCalls} active, ${Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`;
      if (tty) process.stdout.write(`\r${line.slice(0, (process.stdout.columns ?? 120) - 1)}\x1b[K`);
      else out(`${Math.round((Date.now() - started) / 1000)}s ${line}`);
    },
    tty ? 250 : 5000,
  );
  try {
    const summary = await dialer.run();
    clearInterval(progress);
    if (tty) process.stdout.write('\n');
    out(`campaign ${id}: ${summary.finalStatus} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const line of table(counts)) out(line);
  } finally {
    clearInterval(progress);
    process.off('SIGINT', onSigint);
    pool?.close();
    await carrier.close();
    await engine.close();
    await runner.close();
  }
  return 0;
}

async function status(store: CampaignStore, id: string | undefined): Promise<number> {
  if (!id) {
    for (const c of await store.listCampaigns())
      out(`${c.campaign.id.padEnd(24)} ${c.status.padEnd(8)} ${c.campaign.name}`);
    return 0;
  }
  const s = await campaignStatus(store, id);
  out(`campaign ${s.id} (${s.name}): ${s.status}`);
  out(
    `contacts: ${s.contacts.total} total, ${s.contacts.pending} pending, ${s.contacts.leased} in call, ${s.contacts.done} done`,
  );
  for (const line of table(s.byDisposition)) out(line);
  const a = s.abandon;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  out(
    `abandoned: ${pct(a.rate)} of ${a.liveAnswers} live answers since ${a.since} (limit ${pct(a.maxRate)})`,
  );
  for (const [reason, n] of Object.entries(s.notDialed)) out(`not dialed, ${reason}: ${n}`);
  return 0;
}

async function exportCmd(store: CampaignStore, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'csv' }, out: { type: 'string' } },
  });
  const id = positionals[0];
  const format = values.format as ExportFormat;
  if (!id || !EXPORT_FORMATS.includes(format)) {
    process.stderr.write('voicebot campaign export: give a campaign id and --format csv|json\n');
    return 2;
  }
  await campaignStatus(store, id); // CAMPAIGN_NOT_FOUND before writing anything
  const sink: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : process.stdout;
  for await (const chunk of exportResults(store, id, format)) {
    if (!sink.write(chunk)) await new Promise((r) => sink.once('drain', r));
  }
  if (values.out) {
    await new Promise<void>((r) => sink.end(() => r()));
    process.stderr.write(`wrote ${values.out}\n`);
  }
  return 0;
}

const command: Command = {
  summary: 'create, run, pause/resume/stop, inspect and export outbound campaigns',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: false,
      options: { db: { type: 'string' } },
    });
    const db = typeof values.db === 'string' ? values.db : undefined;
    const args = rest.filter((a, i) => a !== '--db' && rest[i - 1] !== '--db' && !a.startsWith('--db='));
    if (!sub) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    const store = await openStore(db);
    try {
      switch (sub) {
        case 'create':
          return await create(store, args, db ?? './var/voicebot.db');
        case 'start':
          return await start(store, args);
        case 'pause':
        case 'resume':
        case 'stop': {
          const id = positionals[0];
          if (!id) {
            process.stderr.write(`voicebot campaign ${sub}: give a campaign id\n`);
            return 2;
          }
          const r = await controlCampaign(store, id, sub as ControlAction);
          out(`campaign ${id}: ${r.status}${r.changed ? '' : ' (unchanged)'}`);
          return 0;
        }
        case 'status':
          return await status(store, positionals[0]);
        case 'export':
          return await exportCmd(store, args);
        default:
          process.stderr.write(`voicebot campaign: unknown subcommand '${sub}'\n\n${usage}\n`);
          return 2;
      }
    } finally {
      await store.close();
    }
  },
};

export default command;
