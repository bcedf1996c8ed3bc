/**
 * The caller side of bench/gateway-load.ts, run as a child process (forked with IPC): N
 * simulated Twilio callers sharing one pacer and one jitter histogram, each streaming a tone
 * in real time. Protocol with the parent: receives {url, token, calls, seconds, ramp}; sends
 * {type:'ramped'}, then {type:'holding-done'} after the hold, then {type:'result', ...}.
 */

import { SimCaller } from '../fixtures/sim-caller/sim-caller.ts';
import { MsHistogram } from '../fixtures/sim-caller/stats.ts';
import { Pacer } from '../telephony/media/pacer.ts';

interface Job {
  url: string;
  token: string;
  calls: number;
  seconds: number;
  ramp: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function send(message: Record<string, unknown>): void {
  process.send?.(message);
}

async function run(job: Job): Promise<void> {
  const pacer = new Pacer();
  const jitter = new MsHistogram(0.1, 1000);
  const speech = new Int16Array(8000 * 10).map((_, i) =>
    Math.round(5000 * Math.sin((2 * Math.PI * 220 * i) / 8000) * (0.6 + 0.4 * Math.sin(i / 800))),
  );
  const callers: SimCaller[] = [];
  let failed = 0;
  const failures = new Map<string, number>();
  const started = performance.now();
  const connects: Promise<void>[] = [];
  for (let i = 0; i < job.calls; i++) {
    // Ramp: call i starts at i / ramp seconds.
    const due = started + (i * 1000) / job.ramp;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const caller = new SimCaller({
      url: job.url,
      protocol: 'twilio',
      token: job.token,
      pacer,
      jitter,
      record: false,
    });
    connects.push(
      caller.connect().then(
        () => {
          callers.push(caller);
          // Talk continuously for the whole call (the tone loops).
          const talk = (): void => {
            if (caller.connected) void caller.play(speech, 'tone').then(talk);
          };
          talk();
        },
        (err: unknown) => {
          failed++;
          const reason = (err as Error).message;
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(connects);
  if (failures.size > 0)
    process.stderr.write(`load-callers: connect failures ${JSON.stringify(Object.fromEntries(failures))}\n`);
  send({ type: 'ramped', connected: callers.length, failed });
  await sleep(1000);
  jitter.reset();
  const frameCount = (): number => {
    let n = 0;
    for (const c of callers) {
      const f = c.frameCounts();
      n += f.sent + f.received;
    }
    return n;
  };
  const frames0 = frameCount();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(job.seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 1000) / 10;
  const cpuPerFrameUs = Math.round(((cpu.user + cpu.system) / Math.max(1, frameCount() - frames0)) * 10) / 10;
  send({ type: 'holding-done' });
  const closes = callers.map((c) => c.hangup().catch(() => null));
  await Promise.all(closes);
  let framesSent = 0;
  let framesReceived = 0;
  for (const c of callers) {
    const f = c.frameCounts();
    framesSent += f.sent;
    framesReceived += f.received;
  }
  send({
    type: 'result',
    connected: callers.length,
    failed,
    framesSent,
    framesReceived,
    jitter: jitter.toJSON(),
    cpuPct,
    cpuPerFrameUs,
  });
}

process.once('message', (job: Job) => {
  run(job).then(
    () => {
      process.disconnect?.();
    },
    (err: unknown) => {
      process.stderr.write(`load-callers: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
});
