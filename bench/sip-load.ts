/**
 * SIP load scenario: sipp places many concurrent inbound calls with RTP both ways against one
 * voicebot SIP user agent on loopback. Each call streams espeak-ng speech to the bot and the bot
 * streams a prompt back (paced 20 ms RTP). Prints machine info and JSON results: failed calls,
 * max concurrent calls with media, RTP packets, pacer lateness, CPU and memory of the bot process.
 *
 *   node --import tsx bench/sip-load.ts [--calls 300] [--rate 20] [--limit 200] [--hold-ms 10000]
 *
 * Last run (defaults; shared 2-core AMD EPYC, Node 20.20, sipp on the same cores, load avg ~14):
 * 300/300 calls, 0 failed, 200 concurrent with media both ways, 300/300 digits, bot CPU 26% of
 * one core, RSS max 140 MiB, pacer lateness p50 0.4 ms / p99 40 ms, 0 RTP ports left in use.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Metrics } from '../engine/metrics/metrics.ts';
import { Pacer } from '../telephony/media/pacer.ts';
import { requireBinary, sippScenario, sippWorkDir, tone } from '../telephony/sip/testing/peers.ts';
import { SipUserAgent } from '../telephony/sip/user-agent.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    rate: { type: 'string', default: '20' },
    limit: { type: 'string', default: '200' },
    'hold-ms': { type: 'string', default: '10000' },
  },
});
const calls = Number(values.calls);
const rate = Number(values.rate);
const limit = Number(values.limit);
const holdMs = Number(values['hold-ms']);

requireBinary('sipp', 'sip-tester');
const dir = sippWorkDir('Hello, this is a load test call with some speech in it.');

const lateness: number[] = [];
const pacer = new Pacer({ onLateness: (ms) => lateness.push(ms) });
const metrics = new Metrics();
const ua = await SipUserAgent.start({
  port: 0,
  pacer,
  metrics,
  maxCalls: limit * 2,
  maxInvitesPerSecond: rate * 3,
});

const prompt = tone(440, 2000, 4000);
let active = 0;
let withMedia = 0;
let maxConcurrent = 0;
let maxWithMedia = 0;
let framesIn = 0;
let digits = 0;
let connected = 0;
ua.onCall = (leg) => {
  connected++;
  active++;
  maxConcurrent = Math.max(maxConcurrent, active);
  let hasMedia = false;
  leg.on('audio', () => {
    framesIn++;
    if (!hasMedia) {
      hasMedia = true;
      withMedia++;
      maxWithMedia = Math.max(maxWithMedia, withMedia);
    }
  });
  leg.on('dtmf', () => digits++);
  leg.sendAudio({ samples: prompt, sampleRate: 8000, timestampMs: 0 });
  leg.once('hangup', () => {
    active--;
    if (hasMedia) withMedia--;
  });
};

let rssMax = 0;
const sampler = setInterval(() => {
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
}, 250);
const cpuStart = process.cpuUsage();
const started = performance.now();

const sipp = spawn(
  'sipp',
  [
    '-sf',
    sippScenario('uac-load.xml'),
    `127.0.0.1:${ua.endpoint.port}`,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-mp',
    '0',
    '-r',
    String(rate),
    '-l',
    String(limit),
    '-m',
    String(calls),
    '-d',
    String(holdMs),
    '-nostdin',
    '-timeout',
    `${Math.ceil(calls / rate + holdMs / 1000 + 30)}s`,
  ],
  { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
);
let out = '';
sipp.stdout.on('data', (d) => (out += d));
sipp.stderr.on('data', (d) => (out += d));
const code: number | null = await new Promise((r) => sipp.on('close', r));
const wallS = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
clearInterval(sampler);

const total = (label: string) =>
  Number(new RegExp(`${label}\\s*\\|[^|]*\\|\\s*(\\d+)`).exec(out)?.[1] ?? NaN);
lateness.sort((a, b) => a - b);
const pct = (p: number) => lateness[Math.min(lateness.length - 1, Math.floor(lateness.length * p))] ?? 0;
const portsInUseAfter = ua.ports.inUse;
const rtpDropped = Object.fromEntries(
  (await metrics.sipRtpDropped.get()).values.map((v) => [String(v.labels.reason), v.value]),
);
await ua.close();
rmSync(dir, { recursive: true, force: true });

const result = {
  scenario: 'sip-load',
  node: process.version,
  cpu: `${cpus().length} x ${cpus()[0]?.model}`,
  settings: { calls, ratePerS: rate, concurrencyLimit: limit, holdMs },
  sippExitCode: code,
  successfulCalls: total('Successful call'),
  failedCalls: total('Failed call'),
  connectedAtBot: connected,
  maxConcurrentCalls: maxConcurrent,
  maxConcurrentWithMedia: maxWithMedia,
  framesReceived: framesIn,
  digitsReceived: digits,
  pacerLatenessMs: { p50: pct(0.5), p99: pct(0.99), max: lateness.at(-1) ?? 0 },
  botCpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / wallS) * 1000) / 10,
  botRssMaxMiB: Math.round(rssMax / 1048576),
  wallS: Math.round(wallS * 10) / 10,
  rtpPortsInUseAfter: portsInUseAfter,
  rtpDropped,
};
console.log(JSON.stringify(result, null, 2));
if (code !== 0) console.error(out.split('\n').slice(-40).join('\n'));
process.exit(code === 0 && result.failedCalls === 0 ? 0 : 1);
