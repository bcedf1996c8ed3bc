/**
 * Gateway load benchmark: N concurrent Twilio Media Streams calls, mu-law both ways.
 *
 *   node --expose-gc --import tsx bench/gateway-load.ts --calls 100,500,1000 --seconds 20
 *
 * The engine runs in this process with a handler that streams continuous audio to every caller
 * (1 s chunks, topped up on each played mark) and receives theirs. The callers run in a child
 * process (so the engine's CPU is measured alone), share one drift-free pacer, ramp up at
 * --ramp calls/s, hold for --seconds, then hang up. Per step it prints: engine CPU % over the
 * hold window (process.cpuUsage; 100 % = one core), RSS per call ((loaded - idle) / N), pacer
 * (peak, and after a forced GC with all calls up, with the JS heap's share), pacer
 * lateness p50/p99 at the engine, inter-arrival jitter p50/p99 at the callers, frames lost each
 * way, and a JSON line. Not part of the test suite.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadConfig } from '../engine/config/load.ts';
import { startEngine } from '../engine/engine.ts';
import { createRootLogger } from '../engine/log/logger.ts';
import { Metrics } from '../engine/metrics/metrics.ts';
import { MsHistogram, type Percentiles } from '../fixtures/sim-caller/stats.ts';
import { mintToken } from '../telephony/auth/hmac-token.ts';
import type { CallHandler } from '../telephony/call-leg.ts';

interface ChildResult {
  connected: number;
  failed: number;
  framesSent: number;
  framesReceived: number;
  jitter: ReturnType<MsHistogram['toJSON']>;
  cpuPct: number;
  cpuPerFrameUs: number;
}

type ChildMessage =
  | { type: 'ramped'; connected: number; failed: number }
  | { type: 'holding-done' }
  | ({ type: 'result' } & ChildResult);

/** Streams a 400 Hz tone forever: two 1 s chunks queued, one more each time a chunk has played. */
function streamingHandler(): CallHandler {
  const chunk = new Int16Array(8000).map((_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * 400 * i) / 8000)),
  );
  return (leg) => {
    let n = 0;
    const top = () => {
      leg.sendAudio({ samples: chunk, sampleRate: 8000, timestampMs: 0 });
      leg.mark(`chunk-${++n}`);
    };
    leg.on('mark', (m) => {
      if (m.played && leg.active) top();
    });
    leg.on('audio', () => {});
    top();
    top();
  };
}

async function counter(metrics: Metrics, name: 'framesIn' | 'framesOut'): Promise<number> {
  const v = await metrics[name].get();
  return v.values.reduce((a, b) => a + b.value, 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

async function runStep(calls: number, seconds: number, ramp: number): Promise<Record<string, unknown>> {
  const secret = randomBytes(24).toString('hex');
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      logLevel: 'warn',
      'auth.mode': 'token',
      'auth.tokenSecret': secret,
      'gateway.maxCalls': calls + 100,
    },
  });
  const metrics = new Metrics();
  // Pacer lateness at 0.1 ms resolution (the Prometheus histogram's buckets are too coarse here).
  let lateness = new MsHistogram(0.1, 1000);
  const observe = metrics.sendLateness.observe.bind(metrics.sendLateness);
  metrics.sendLateness.observe = ((value: number) => {
    lateness.record(value * 1000);
    observe(value);
  }) as typeof metrics.sendLateness.observe;
  const log = createRootLogger({ level: 'warn' });
  const engine = await startEngine({ config, handler: streamingHandler(), log, metrics });
  gc();
  await sleep(300);
  const rssIdle = process.memoryUsage().rss;
  const heapIdle = process.memoryUsage().heapUsed;

  const child = fork(new URL('./load-callers.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: ChildMessage[] = [];
  const waiters: ((m: ChildMessage) => void)[] = [];
  child.on('message', (m: ChildMessage) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w(m);
  });
  const waitFor = async <T extends ChildMessage['type']>(
    type: T,
  ): Promise<Extract<ChildMessage, { type: T }>> => {
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found as Extract<ChildMessage, { type: T }>;
      await new Promise<ChildMessage>((r) => waiters.push(r));
    }
  };
  child.send({
    url: engine.url,
    token: mintToken(secret, { ttlS: 3600 }),
    calls,
    seconds,
    ramp,
  });
  const ramped = await waitFor('ramped');
  await sleep(1000); // settle after the ramp
  // What the calls hold once garbage is gone (all calls up, before the CPU window starts).
  gc();
  const memAfterGc = process.memoryUsage();
  lateness = new MsHistogram(0.1, 1000);
  const framesAtStart = (await counter(metrics, 'framesIn')) + (await counter(metrics, 'framesOut'));
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const t0 = performance.now();
  let rssPeak = process.memoryUsage().rss;
  const rssTimer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 500);
  const activeAtStart = engine.gateway.activeCalls();
  await waitFor('holding-done');
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const framesInWindow =
    (await counter(metrics, 'framesIn')) + (await counter(metrics, 'framesOut')) - framesAtStart;
  const cpuUs = cpu.user + cpu.system;
  loopDelay.disable();
  clearInterval(rssTimer);
  const rssLoaded = Math.max(rssPeak, process.memoryUsage().rss);
  const engineLateness = lateness.summary();
  const result = await waitFor('result');
  await sleep(300);
  const framesIn = await counter(metrics, 'framesIn');
  const framesOut = await counter(metrics, 'framesOut');
  const activeAfter = engine.gateway.activeCalls();
  await engine.close();
  if (child.connected) child.disconnect();

  const callerJitter: Percentiles = MsHistogram.fromJSON(result.jitter).summary();
  return {
    calls,
    connected: ramped.connected,
    connectFailed: ramped.failed,
    activeAtWindowStart: activeAtStart,
    activeAfterHangup: activeAfter,
    holdS: Math.round(wallMs / 100) / 10,
    engineCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
    callersCpuPct: result.cpuPct,
    callersCpuPerFrameUs: result.cpuPerFrameUs,
    // Load-independent cost: engine CPU per media frame (in or out) during the hold, and what
    // that projects to for 1000 calls (100 frames/s each: 50 in + 50 out).
    engineCpuPerFrameUs: Math.round((cpuUs / Math.max(1, framesInWindow)) * 10) / 10,
    projectedCpuPctAt1000Calls: Math.round(((cpuUs / Math.max(1, framesInWindow)) * 1000 * 100) / 1e4),
    framesInWindow,
    engineEventLoopUtilization: Math.round(elu.utilization * 1000) / 1000,
    engineLoopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
      p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
      max: Math.round(loopDelay.max / 1e4) / 100,
    },
    rssIdleMb: Math.round(rssIdle / 1e5) / 10,
    rssLoadedMb: Math.round(rssLoaded / 1e5) / 10,
    rssPerCallKb: Math.round((rssLoaded - rssIdle) / 1024 / Math.max(1, ramped.connected)),
    rssAfterGcMb: Math.round(memAfterGc.rss / 1e5) / 10,
    rssAfterGcPerCallKb: Math.round((memAfterGc.rss - rssIdle) / 1024 / Math.max(1, ramped.connected)),
    heapAfterGcPerCallKb: Math.round((memAfterGc.heapUsed - heapIdle) / 1024 / Math.max(1, ramped.connected)),
    pacerLatenessMs: engineLateness,
    callerJitterMs: callerJitter,
    framesCallerSent: result.framesSent,
    framesEngineIn: framesIn,
    framesLostInbound: result.framesSent - framesIn,
    framesEngineOut: framesOut,
    framesCallerReceived: result.framesReceived,
    framesLostOutbound: framesOut - result.framesReceived,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '100,500,1000' },
      seconds: { type: 'string', default: '20' },
      ramp: { type: 'string', default: '50' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: node --expose-gc --import tsx bench/gateway-load.ts [--calls 100,500,1000] [--seconds 20] [--ramp 50]\n',
    );
    return;
  }
  const steps = values.calls.split(',').map((s) => Number(s.trim()));
  if (steps.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bad --calls ${values.calls}`);
  const seconds = Number(values.seconds);
  const ramp = Number(values.ramp);
  const cpu = cpus();
  const machine = {
    node: process.version,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
    gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
  process.stdout.write(`gateway-load: ${JSON.stringify(machine)}\n`);
  for (const calls of steps) {
    const loadBefore = Math.round(loadavg()[0]! * 100) / 100;
    const r = await runStep(calls, seconds, ramp);
    const lat = r.pacerLatenessMs as Percentiles;
    const jit = r.callerJitterMs as Percentiles;
    process.stdout.write(
      [
        `\n== ${calls} calls (${r.connected} connected, ${r.connectFailed} failed), hold ${r.holdS} s, load avg before ${loadBefore}`,
        `  engine CPU            ${r.engineCpuPct} % of one core (callers' process: ${r.callersCpuPct} %), event-loop utilization ${r.engineEventLoopUtilization}`,
        `  engine loop delay     ${JSON.stringify(r.engineLoopDelayMs)} ms`,
        `  engine cost           ${r.engineCpuPerFrameUs} us CPU per frame (${r.framesInWindow} frames in the window) -> ${r.projectedCpuPctAt1000Calls} % of one core for 1000 calls; callers ${r.callersCpuPerFrameUs} us per frame`,
        `  RSS                   idle ${r.rssIdleMb} MB, loaded peak ${r.rssLoadedMb} MB (${r.rssPerCallKb} KB per call); after GC with calls up ${r.rssAfterGcMb} MB: ${r.rssAfterGcPerCallKb} KB per call (JS heap ${r.heapAfterGcPerCallKb} KB)`,
        `  pacer lateness        p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms (${lat.count} slots)`,
        `  caller jitter         p50 ${jit.p50} ms, p99 ${jit.p99} ms, max ${jit.max} ms (${jit.count} gaps)`,
        `  frames lost           inbound ${r.framesLostInbound} of ${r.framesCallerSent}, outbound ${r.framesLostOutbound} of ${r.framesEngineOut}`,
        `  calls left after hang-up: ${r.activeAfterHangup}`,
      ].join('\n') + '\n',
    );
    process.stdout.write(`${JSON.stringify({ bench: 'gateway-load', machine, loadBefore, ...r })}\n`);
    await sleep(1000);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`gateway-load: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
