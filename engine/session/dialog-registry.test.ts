import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeterministicNlu } from '../../dialogs/nlu/deterministic-nlu.ts';
import { SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import type { CallInfo } from '../../telephony/call-leg.ts';
import { loadConfig } from '../config/load.ts';
import { startEngine } from '../engine.ts';
import { createRootLogger } from '../log/logger.ts';
import { Metrics } from '../metrics/metrics.ts';
import { waitFor } from '../testing/wait-for.ts';
import { loopbackBase } from './testing/loopback-engine.ts';
import { createRoutedSessionHandler, DialogRegistry } from './dialog-registry.ts';
import type { CallSession } from './session.ts';

const dir = mkdtempSync(join(tmpdir(), 'voicebot-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const thrownMessage = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

const info = (to: string, parameters: Record<string, string> = {}): CallInfo =>
  ({ callId: 'c1', transport: 'raw', to, from: '+14155550100', parameters }) as unknown as CallInfo;

describe('DialogRegistry', () => {
  it('maps route names to dialogs: voice-order, skeleton (null), unknown names refused', () => {
    const reg = new DialogRegistry({ baseDir: dir });
    expect(reg.get('voice-order')).toMatchObject({ name: 'voice-order' });
    expect(reg.get('voice-order')).toBe(reg.get('voice-order'));
    expect(reg.get('skeleton')).toBeNull();
    expect(() => reg.get('voice-ordr')).toThrow(/unknown dialog 'voice-ordr'; use 'voice-order'/);
    expect(() => reg.get('script:missing.yaml')).toThrow(/cannot read the dialog script .*missing\.yaml/);
  });

  it('routes calls by called number, with the language from the call parameters', () => {
    const reg = new DialogRegistry({ baseDir: dir });
    const dialogFor = reg.dialogFor([
      { dialog: 'voice-order', calledNumber: '+15550100002' },
      { dialog: 'skeleton' },
    ]);
    expect(dialogFor(info('+15550100002', { language: 'zh-CN' }))).toMatchObject({
      name: 'voice-order',
      language: 'zh-CN',
    });
    expect(dialogFor(info('+15550100002'))?.language).toBe('en-US');
    expect(dialogFor(info('+15550100999'))).toBeNull();
    expect(() => reg.dialogFor([{ dialog: 'nope' }])).toThrow(/unknown dialog 'nope'/);
  });

  it('compiles script:<path> routes, and names the problems of a bad script', () => {
    const reg = new DialogRegistry({ baseDir: join(import.meta.dirname, '../..') });
    const survey = reg.get('script:dialogs/outbound/satisfaction-survey.yaml');
    expect(survey?.name).toBe('script:dialogs/outbound/satisfaction-survey.yaml');
    expect(survey?.machine.id).toBeTruthy();
    expect(() => reg.get('script:fixtures/scripts/bad/unknown-node.yaml')).toThrow(/unknown-node\.yaml/);
    writeFileSync(join(dir, 'not-yaml.yaml'), 'steps: [\n');
    expect(() => new DialogRegistry({ baseDir: dir }).get('script:not-yaml.yaml')).toThrow(/not-yaml\.yaml/);
  });
});

describe('order sink and customers files (config orders.file, orders.customersFile)', () => {
  it('come from VOICEBOT_ORDERS_FILE / VOICEBOT_CUSTOMERS_FILE into the routed handler', async () => {
    const customers = join(dir, 'my-customers.json');
    writeFileSync(customers, JSON.stringify({ '+14155550177': { address: '9 Elm Court' } }));
    const config = loadConfig({
      env: { VOICEBOT_ORDERS_FILE: join(dir, 'my-orders.jsonl'), VOICEBOT_CUSTOMERS_FILE: customers },
      overrides: { 'auth.mode': 'none', logLevel: 'silent' },
    });
    expect(config.orders).toEqual({ file: join(dir, 'my-orders.jsonl'), customersFile: customers });
    config.routes = [{ dialog: 'voice-order' }];
    const routed = await createRoutedSessionHandler({
      config,
      log: createRootLogger({ level: 'silent' }),
      metrics: new Metrics(),
    });
    try {
      expect(routed.registry.ordersFile).toBe(join(dir, 'my-orders.jsonl'));
      await expect(routed.registry.customerAddress('+14155550177')).resolves.toBe('9 Elm Court');
      await expect(routed.registry.customerAddress('+14155550100')).resolves.toBeNull();
    } finally {
      await routed.close();
    }
    expect(loadConfig({ env: { VOICEBOT_AUTH_MODE: 'none' } }).orders).toEqual({ file: 'orders.jsonl' });
  });

  it('bad values stop start-up with the setting, the file and the fix', () => {
    expect(() => loadConfig({ env: { VOICEBOT_AUTH_MODE: 'none', VOICEBOT_ORDERS_FILE: ' ' } })).toThrow(
      /orders\.file \(from env VOICEBOT_ORDERS_FILE\) = " ": give a file path/,
    );
    const bad = (opts: ConstructorParameters<typeof DialogRegistry>[0]) => () => new DialogRegistry(opts);
    expect(bad({ baseDir: dir, customersFile: 'none.json' })).toThrow(
      /orders\.customersFile \(VOICEBOT_CUSTOMERS_FILE\) .*none\.json: cannot read it \(ENOENT\)/,
    );
    writeFileSync(join(dir, 'broken.json'), '{"+1415": ');
    expect(bad({ baseDir: dir, customersFile: 'broken.json' })).toThrow(
      /broken\.json is not JSON \(.+\); fix it to a JSON object of \{"\+E164": \{"address": \.\.\.\}\}$/,
    );
    writeFileSync(
      join(dir, 'wrong.json'),
      JSON.stringify({ 'Ann Lee': { address: '5 Elm Street' }, '+14155550177': { address: 'x' } }),
    );
    // The setting and the file once, each wrong entry with its fix, and the form of an entry.
    expect(thrownMessage(bad({ baseDir: dir, customersFile: 'wrong.json' }))).toBe(
      `orders.customersFile (VOICEBOT_CUSTOMERS_FILE) ${join(dir, 'wrong.json')} is not a valid customer file: ` +
        'the key "Ann Lee" is not a phone number in E.164 form; write the number in E.164 form: "+", ' +
        'the country code and the number, no spaces (e.g. "+8613800000001"); ' +
        '+14155550177.address: Too small: expected string to have >=3 characters. ' +
        'Each entry is "+E164": {"address": "...", "name": "..."} (name optional).',
    );
    expect(bad({ baseDir: dir, ordersFile: 'no/such/folder/orders.jsonl' })).toThrow(
      /orders\.file \(VOICEBOT_ORDERS_FILE\) .*the folder .*no\/such\/folder does not exist or is not writable/,
    );
    expect(bad({ baseDir: dir, ordersFile: '.' })).toThrow(/orders\.file .* is a folder/);
    for (const f of [
      bad({ baseDir: dir, customersFile: 'none.json' }),
      bad({ baseDir: dir, ordersFile: '.' }),
    ]) {
      try {
        f();
      } catch (err) {
        expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
      }
    }
  });
});

describe('start-up warm-up (config session.warmUp, warm-up.ts)', () => {
  const survey = `script:${join(import.meta.dirname, '../../dialogs/outbound/satisfaction-survey.yaml')}`;
  const capture = () => {
    const lines: { msg?: string; dialogs?: number }[] = [];
    const log = createRootLogger({
      level: 'info',
      destination: { write: (s: string) => lines.push(JSON.parse(s)) },
    });
    return { log, lines };
  };

  it('warms each routed dialog once per call language, skips the skeleton and places no order', () => {
    const ordersFile = join(dir, 'warm-orders.jsonl');
    const reg = new DialogRegistry({ ordersFile });
    const { log, lines } = capture();
    const runs = reg.warmUp(
      [
        { dialog: 'voice-order', calledNumber: '+15550100002' },
        { dialog: 'voice-order', calledNumber: '+15550100003' },
        { dialog: 'skeleton' },
        { dialog: survey },
      ],
      new DeterministicNlu(),
      log,
    );
    expect(runs.map((r) => `${r.dialog} ${r.language}`)).toEqual([
      'voice-order en-US',
      'voice-order zh-CN',
      `${survey} en-US`,
      `${survey} zh-CN`,
    ]);
    expect(runs.every((r) => r.turns > 0 && r.error === undefined)).toBe(true);
    expect(lines.filter((l) => l.msg === 'dialog warm-up done')).toMatchObject([{ dialogs: 2 }]);
    expect(existsSync(ordersFile)).toBe(false);
  });

  it('runs in createRoutedSessionHandler unless session.warmUp is false', async () => {
    for (const [value, expected] of [
      ['true', 1],
      ['false', 0],
    ] as const) {
      const config = loadConfig({
        env: { VOICEBOT_DIALOG_WARM_UP: value, VOICEBOT_ORDERS_FILE: join(dir, 'routed-warm-orders.jsonl') },
        overrides: { 'auth.mode': 'none' },
      });
      expect(config.session.warmUp).toBe(value === 'true');
      config.routes = [{ dialog: 'voice-order' }];
      const { log, lines } = capture();
      const metrics = new Metrics();
      const routed = await createRoutedSessionHandler({ config, log, metrics });
      await routed.close();
      expect(lines.filter((l) => l.msg === 'dialog warm-up done')).toHaveLength(expected);
      expect(existsSync(join(dir, 'routed-warm-orders.jsonl'))).toBe(false);
    }
  });
});

describe('voicebot serve wiring: routed voice-order session over the WS gateway', () => {
  it('a keypad caller orders three loaves of bread into the file order sink', async () => {
    const { config, log, metrics, token } = loopbackBase({ 'session.callsDir': join(dir, 'calls') });
    config.routes = [{ dialog: 'voice-order', calledNumber: '+15550100002' }];
    const sessions: CallSession[] = [];
    const registry = new DialogRegistry({ ordersFile: join(dir, 'orders.jsonl') });
    const routed = await createRoutedSessionHandler({
      config,
      log,
      metrics,
      registry,
      onSession: (s) => sessions.push(s),
    });
    const engine = await startEngine({ config, handler: routed.handler, log, metrics });
    const c = new SimCaller({
      url: engine.url,
      protocol: 'raw',
      token: token(),
      from: '+14155550100', // registered in fixtures/customers: 40 Pine Street
      to: '+15550100002',
      callSid: 'CA-reg-1',
    });
    try {
      await c.connect();
      const lastBot = () => sessions[0]?.recorder.record.transcript.filter((t) => t.side === 'bot').at(-1);
      // Waits for a bot prompt matching `re`, then until its audio has finished playing.
      const afterPrompt = async (re: RegExp) => {
        await waitFor(() => re.test(lastBot()?.text ?? ''), {
          what: `the prompt ${re}`,
          timeoutMs: 20_000,
          detail: () => `; last: ${lastBot()?.text}`,
        });
        await waitFor(
          () => {
            const seg = c.heardSegments().at(-1);
            return c.now() - (seg ? seg.startMs + seg.samples.length / 8 : 0) > 300;
          },
          { what: `the prompt ${re} to play out`, timeoutMs: 20_000 },
        );
      };
      const keys = (s: string) => {
        for (const d of s) c.dtmf(d);
      };
      await afterPrompt(/type the item number/);
      keys('22#');
      await afterPrompt(/^How many loaves of bread\?/);
      keys('3#');
      await afterPrompt(/is that right\?/);
      keys('1');
      await afterPrompt(/anything else/i);
      keys('2');
      await afterPrompt(/press 1/i);
      keys('1');
      await afterPrompt(/40 Pine Street/);
      keys('1');
      await waitFor(() => sessions[0]?.recorder.record.outcome?.status === 'order-placed', {
        what: 'the order to be placed',
        timeoutMs: 15_000,
        detail: () => `; last: ${lastBot()?.text}`,
      });
      expect(sessions[0]?.recorder.record.outcome, JSON.stringify(lastBot())).toMatchObject({
        status: 'order-placed',
      });
      const [stored] = await registry.orders.list();
      expect(stored).toMatchObject({
        lines: [{ itemId: 'bread', quantity: 3 }],
        address: '40 Pine Street, apartment 2B',
      });
    } finally {
      if (!c.closeInfo) c.terminate();
      await engine.close();
      await routed.close();
    }
  }, 60_000);
});
