/**
 * Dialog registry: turns the dialog names of the config's `routes` into dialog machines.
 *   - 'voice-order'      the voice-ordering IVR on the fixture catalog, orders appended to a file
 *                        sink (JSON Lines, config orders.file), addresses looked up in the
 *                        customers file (orders.customersFile); both checked at start-up;
 *   - 'skeleton'         the walking skeleton (echo / keypad menu): no session, the engine's
 *                        fallback handler takes the call;
 *   - 'script:<path>'    a YAML/JSON dialog script compiled to a machine (path relative to baseDir).
 * Every route's dialog is built once, at start-up, so a bad name or script fails `voicebot serve`
 * before it listens instead of failing a caller. createRoutedSessionHandler wires the registry
 * into createSessionHandler with the embedded speech engines, after warming each routed
 * dialog's turn path (warm-up.ts; config session.warmUp).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Language } from '../../asr-tts/asr.ts';
import { EspeakTts } from '../../asr-tts/providers/espeak/espeak-tts.ts';
import { PocketsphinxAsr } from '../../asr-tts/providers/pocketsphinx/pocketsphinx-asr.ts';
import { WebRtcVad } from '../../asr-tts/providers/webrtc-vad/webrtc-vad.ts';
import { type Catalog, parseCatalog } from '../../dialogs/nlu/catalog.ts';
import { DeterministicNlu } from '../../dialogs/nlu/deterministic-nlu.ts';
import type { Nlu } from '../../dialogs/nlu/types.ts';
import { compileScriptText } from '../../dialogs/script/compile.ts';
import { catalogWords } from '../../dialogs/voice-order/grammar.ts';
import { createVoiceOrderDialog } from '../../dialogs/voice-order/machine.ts';
import type { CallHandler, CallInfo } from '../../telephony/call-leg.ts';
import { AgentRegistry } from '../agents/registry.ts';
import { FileCallSink } from '../calls/file-sink.ts';
import type { Config } from '../config/schema.ts';
import { isVoicebotError, VoicebotError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { CustomerDirectory } from '../orders/customer-directory.ts';
import { FileOrderSink } from '../orders/file-sink.ts';
import { createSessionHandler } from './handler.ts';
import type { RouteRule } from './route-schema.ts';
import { routeCall } from './router.ts';
import type { CallSession, DialogSpec } from './session.ts';
import { type WarmUpRun, warmUpDialogs } from './warm-up.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface DialogRegistryOptions {
  /** Relative paths (scripts, files below) resolve against this folder (default: the cwd). */
  baseDir?: string;
  /** Catalog of the voice-order dialog (default fixtures/catalogs/meals.json). */
  catalogFile?: string;
  /** Registered addresses by caller ID (config orders.customersFile; default fixtures/customers/customers.json). */
  customersFile?: string;
  /** JSON Lines file the voice-order dialog appends placed orders to (config orders.file; default orders.jsonl). */
  ordersFile?: string;
}

/**
 * The customers file, or CONFIG_INVALID naming the setting and the file once, what is wrong
 * and how to write it.
 */
function loadCustomers(path: string): CustomerDirectory {
  const where = `orders.customersFile (VOICEBOT_CUSTOMERS_FILE) ${path}`;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new VoicebotError(
      'CONFIG_INVALID',
      e.code
        ? `${where}: cannot read it (${e.code}); give an existing JSON file of {"+E164": {"address": ...}}`
        : `${where} is not JSON (${e.message}); fix it to a JSON object of {"+E164": {"address": ...}}`,
      { path },
    );
  }
  try {
    return CustomerDirectory.fromJson(data);
  } catch (err) {
    if (!isVoicebotError(err)) throw err;
    throw new VoicebotError('CONFIG_INVALID', `${where} is ${err.message}`, { ...err.details, path });
  }
}

/** Checks at start-up that placed orders can be written to `path` (not at the first order). */
function checkOrdersFile(path: string): void {
  const where = `orders.file (VOICEBOT_ORDERS_FILE) ${path}`;
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory())
    throw new VoicebotError(
      'CONFIG_INVALID',
      `${where} is a folder; give a file path such as ${path}/orders.jsonl`,
      {
        path,
      },
    );
  const target = stat ? path : dirname(path);
  try {
    if (!stat && !statSync(target).isDirectory()) throw new Error('not a folder');
    accessSync(target, constants.W_OK);
  } catch {
    throw new VoicebotError(
      'CONFIG_INVALID',
      stat
        ? `${where} is not writable; fix its permissions or choose another file`
        : `${where}: the folder ${target} does not exist or is not writable; create it or choose another file`,
      { path },
    );
  }
}

const LANGUAGES: readonly Language[] = ['en-US', 'zh-CN'];

/** The call's language from its `language` parameter (en-US or zh-CN), else en-US. */
function callLanguage(info: CallInfo): Language {
  const wanted = info.parameters.language;
  return LANGUAGES.find((l) => l === wanted) ?? 'en-US';
}

export class DialogRegistry {
  readonly orders: FileOrderSink;
  readonly ordersFile: string;
  private readonly baseDir: string;
  /** The voice-order catalog (also given to script dialogs for menu answers). */
  readonly catalog: Catalog;
  private readonly customers: CustomerDirectory;
  private readonly built = new Map<string, Omit<DialogSpec, 'language'> | null>();

  constructor(options: DialogRegistryOptions = {}) {
    this.baseDir = options.baseDir ?? process.cwd();
    const catalogFile = this.path(options.catalogFile ?? `${FIXTURES}catalogs/meals.json`);
    this.catalog = parseCatalog(JSON.parse(readFileSync(catalogFile, 'utf8')), catalogFile);
    this.customers = loadCustomers(this.path(options.customersFile ?? `${FIXTURES}customers/customers.json`));
    this.ordersFile = this.path(options.ordersFile ?? 'orders.jsonl');
    checkOrdersFile(this.ordersFile);
    this.orders = new FileOrderSink(this.ordersFile);
  }

  /** The registered delivery address of a caller ID (the customers file), or null. */
  customerAddress(callerId: string): Promise<string | null> {
    return this.customers.lookupAddress(callerId);
  }

  /** The dialog of a route name (null: the skeleton); throws CONFIG_INVALID for unknown names. */
  get(name: string): Omit<DialogSpec, 'language'> | null {
    if (!this.built.has(name)) this.built.set(name, this.build(name));
    return this.built.get(name) ?? null;
  }

  /** Builds every routed dialog now, so that a bad route fails at start-up. */
  check(routes: readonly RouteRule[]): void {
    for (const rule of routes) this.get(rule.dialog);
  }

  /** The session handler's dialogFor for these routes (null: the fallback handler). */
  dialogFor(routes: readonly RouteRule[]): (info: CallInfo) => DialogSpec | null {
    this.check(routes);
    return (info) => {
      const name = routeCall(info, routes);
      const spec = name === null ? null : this.get(name);
      return spec ? { ...spec, language: callLanguage(info) } : null;
    };
  }

  /**
   * Runs each distinct routed dialog's turn path once in every call language, in memory
   * (warm-up.ts: no orders, records, webhooks or call metrics), so that the first caller after a
   * start does not pay for first-run code. Logs its duration; errors are logged, never thrown.
   */
  warmUp(routes: readonly RouteRule[], nlu: Nlu, log: Logger, budgetMs?: number): WarmUpRun[] {
    const names = [...new Set(routes.map((r) => r.dialog))];
    const dialogs = names.flatMap((name) => {
      const spec = this.get(name);
      return spec ? [spec] : [];
    });
    return warmUpDialogs({
      dialogs,
      nlu,
      languages: LANGUAGES,
      log,
      ...(budgetMs !== undefined ? { budgetMs } : {}),
    });
  }

  private path(p: string): string {
    return isAbsolute(p) ? p : resolve(this.baseDir, p);
  }

  private build(name: string): Omit<DialogSpec, 'language'> | null {
    if (name === 'skeleton') return null;
    if (name === 'voice-order') {
      const machine = createVoiceOrderDialog(
        { catalog: this.catalog },
        {
          lookupAddress: (callerId) => this.customers.lookupAddress(callerId),
          submitOrder: (order) => this.orders.submit(order),
        },
      );
      return { name, machine, catalog: this.catalog };
    }
    if (name.startsWith('script:') && name.length > 'script:'.length) {
      const file = this.path(name.slice('script:'.length));
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new VoicebotError('CONFIG_INVALID', `routes: cannot read the dialog script ${file}`, {
          dialog: name,
          cause: err instanceof Error ? err.message : String(err),
        });
      }
      return { name, machine: compileScriptText(file, text), catalog: this.catalog };
    }
    throw new VoicebotError(
      'CONFIG_INVALID',
      `routes: unknown dialog '${name}'; use 'voice-order', 'skeleton' or 'script:<path to a YAML/JSON script>'`,
      { dialog: name },
    );
  }
}

export interface RoutedHandlerOptions {
  config: Config;
  log: Logger;
  metrics: Metrics;
  registry?: DialogRegistry;
  /** The engine's agents (shared with the agents API and the dialers); default: config.agents. */
  agents?: AgentRegistry;
  /** Takes calls no route claims and 'skeleton' routes (the engine's walking skeleton). */
  fallback?: CallHandler;
  onSession?: (session: CallSession) => void;
}

export interface RoutedHandler {
  handler: CallHandler;
  registry: DialogRegistry;
  close(): Promise<void>;
}

/**
 * The CallHandler of `voicebot serve` when `routes` are configured: dialog sessions with
 * pocketsphinx ASR, espeak-ng TTS, WebRTC VAD and the deterministic NLU; call records in
 * session.callsDir; agents from the config.
 */
export async function createRoutedSessionHandler(options: RoutedHandlerOptions): Promise<RoutedHandler> {
  const { config, log, metrics } = options;
  const registry =
    options.registry ??
    new DialogRegistry({
      ordersFile: config.orders.file,
      ...(config.orders.customersFile ? { customersFile: config.orders.customersFile } : {}),
    });
  const dialogFor = registry.dialogFor(config.routes);
  const asr = new PocketsphinxAsr();
  await asr.warmUp();
  if (config.routes.some((r) => r.dialog === 'voice-order')) {
    const unheard = asr.unknownWords(catalogWords(registry.catalog));
    if (unheard.length > 0)
      log.warn(
        { words: unheard },
        'voice-order: catalog words the recognizer cannot hear are left out of its grammars; add their pronunciations to asr-tts/providers/pocketsphinx/extra.dict (cmudict format)',
      );
  }
  const nlu = new DeterministicNlu();
  if (config.session.warmUp) registry.warmUp(config.routes, nlu, log);
  const handler = createSessionHandler({
    dialogFor,
    asr,
    tts: new EspeakTts(),
    createVad: () => WebRtcVad.create(),
    nlu,
    agents: options.agents ?? new AgentRegistry(config.agents),
    sink: new FileCallSink(config.session.callsDir),
    log,
    metrics,
    timings: {
      maxCallMs: config.session.maxCallMs,
      minSpeechMs: config.session.minSpeechMs,
      backchannelMaxMs: config.session.backchannelMaxMs,
      endpointSilenceMs: config.session.endpointSilenceMs,
    },
    recordAudio: config.session.recordAudio,
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(options.onSession ? { onSession: options.onSession } : {}),
  });
  return { handler, registry, close: async () => asr.close?.() };
}
