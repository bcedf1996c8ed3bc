import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RouteHandler } from '../../http/server.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { type ControlAction, controlCampaign } from '../dialer/controls.ts';
import { EXPORT_FORMATS, type ExportFormat, exportResults } from '../export/results-export.ts';
import { importContacts } from '../import/contacts-import.ts';
import { normalizeNumber } from '../phone.ts';
import type { CampaignStore } from '../store/types.ts';
import { checkBearer, readJson, sendError, sendJson, sendThrown } from './http-json.ts';
import { campaignStatus } from './status.ts';

/**
 * The campaign REST API (docs/campaigns.md): every route needs the admin bearer token. The
 * engine passes `onControl` to start or stop its own dialer when a campaign is switched.
 */
export interface CampaignApiDeps {
  store: CampaignStore;
  adminToken: string | undefined;
  metrics?: Metrics;
  now?: () => number;
  onControl?: (campaignId: string, action: ControlAction) => void;
}

const dncBody = z.object({
  numbers: z.array(z.string().min(1).max(40)).min(1).max(10_000),
  reason: z.string().max(200).optional(),
  defaultRegion: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('US'),
});
const dncDelete = z.object({ number: z.string().min(1).max(40), defaultRegion: z.string().default('US') });

const CONTROL = /^\/api\/campaigns\/([A-Za-z0-9._-]{1,64})\/(start|pause|resume|stop)$/;
const ONE = /^\/api\/campaigns\/([A-Za-z0-9._-]{1,64})$/;
const CONTACTS = /^\/api\/campaigns\/([A-Za-z0-9._-]{1,64})\/contacts$/;
const EXPORT = /^\/api\/campaigns\/([A-Za-z0-9._-]{1,64})\/export$/;

export function campaignRoutes(deps: CampaignApiDeps): RouteHandler {
  const now = deps.now ?? Date.now;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    if (!path.startsWith('/api/campaigns') && !path.startsWith('/api/dnc')) return false;
    if (!checkBearer(req, res, deps.adminToken)) return true;
    try {
      await handle(req, res, url, deps, now);
    } catch (err) {
      if (!sendThrown(res, err)) throw err;
    }
    return true;
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: CampaignApiDeps,
  now: () => number,
): Promise<void> {
  const { store } = deps;
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const contacts = path.match(CONTACTS);
  const control = path.match(CONTROL);
  const one = path.match(ONE);
  const exp = path.match(EXPORT);
  if (path === '/api/campaigns' && method === 'POST') {
    const body = await readJson(req, res);
    if (body === null) return;
    const stored = await store.createCampaign(body as never, now());
    return sendJson(res, 201, { id: stored.campaign.id, status: stored.status, campaign: stored.campaign });
  }
  if (path === '/api/campaigns' && method === 'GET') {
    const all = await store.listCampaigns();
    return sendJson(res, 200, {
      campaigns: all.map((c) => ({ id: c.campaign.id, name: c.campaign.name, status: c.status })),
    });
  }
  if (contacts && method === 'POST') {
    const m = contacts;
    const summary = await importContacts({
      store,
      campaignId: m[1]!,
      source: req,
      nowMs: now(),
      metrics: deps.metrics,
      phoneColumn: url.searchParams.get('phoneColumn') ?? undefined,
    });
    // Rejected rows by line and reason; the numbers themselves stay out of the reply.
    const samples = summary.samples.map(({ line, reason, detail }) => ({ line, reason, detail }));
    return sendJson(res, 200, { ...summary, samples });
  }
  if (control && method === 'POST') {
    const m = control;
    const action = m[2] as ControlAction;
    const r = await controlCampaign(store, m[1]!, action);
    deps.onControl?.(m[1]!, action);
    return sendJson(res, 200, r);
  }
  if (one && method === 'GET') {
    const m = one;
    return sendJson(res, 200, await campaignStatus(store, m[1]!, now()));
  }
  if (exp && method === 'GET') {
    const m = exp;
    const format = (url.searchParams.get('format') ?? 'csv') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) {
      return sendError(res, 'CAMPAIGN_INVALID', `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    }
    await campaignStatus(store, m[1]!); // 404 before any byte is sent
    res.writeHead(200, {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json',
      'content-disposition': `attachment; filename="${m[1]}-results.${format}"`,
    });
    for await (const chunk of exportResults(store, m[1]!, format)) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
    return;
  }
  if (path === '/api/dnc' && (method === 'POST' || method === 'DELETE')) {
    const body = await readJson(req, res);
    if (body === null) return;
    if (method === 'DELETE') {
      const parsed = dncDelete.safeParse(body);
      if (!parsed.success) return sendError(res, 'CAMPAIGN_INVALID', z.prettifyError(parsed.error));
      const n = normalizeNumber(parsed.data.number, parsed.data.defaultRegion);
      if (!n.ok) return sendError(res, 'CAMPAIGN_INVALID', `number: ${n.detail}`);
      return sendJson(res, 200, { removed: await store.removeDnc(n.e164) });
    }
    const parsed = dncBody.safeParse(body);
    if (!parsed.success) return sendError(res, 'CAMPAIGN_INVALID', z.prettifyError(parsed.error));
    const rejected: { index: number; detail: string }[] = [];
    const entries: { e164: string; source: string; reason: string | null }[] = [];
    parsed.data.numbers.forEach((raw, index) => {
      const n = normalizeNumber(raw, parsed.data.defaultRegion);
      if (n.ok) entries.push({ e164: n.e164, source: 'api', reason: parsed.data.reason ?? null });
      else rejected.push({ index, detail: n.detail });
    });
    const added = entries.length > 0 ? await store.addDnc(entries, now()) : 0;
    return sendJson(res, 200, { added, rejected });
  }
  sendJson(res, 404, {
    error: { code: 'NOT_FOUND', message: `no route ${method} ${path}`, hint: 'see docs/campaigns.md' },
  });
}
