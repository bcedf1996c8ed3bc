/**
 * Gateway media hot path, in-process: the engine's CPU cost per Twilio media frame, each way,
 * without sockets (so it is measurable on a busy machine, where the load bench's wall-clock
 * figures swing).
 *
 *   node --expose-gc --import tsx bench/gateway-frame-cost.ts [--frames 200000] [--rounds 5] [--calls 50]
 *
 * Inbound: N `media` text frames (real mu-law of a tone, base64 in Twilio's JSON) go through a
 * TwilioConnection exactly as ws delivers them (Buffer + isBinary=false): flood guard, parsing,
 * base64 and mu-law decoding, the leg's `audio` event to a listener. Outbound: a handler queues
 * 1 s chunks and a mark after each (topped up when a mark plays, like bench/gateway-load.ts) and
 * the leg's pacer tick runs N times: re-framing, mu-law encoding, building the media message and
 * handing it to the socket. The socket stand-in only counts what it is given, so the figures are
 * the engine's own work; ws framing and the syscall come on top (see the load bench).
 * Prints ns per frame in and out (best of --rounds; the median as well) and a JSON line.
 *
 * Last run (2-core AMD EPYC, Node 20, load avg ~15, 50 calls, 100k frames, best of 5, three
 * runs alternated with the tree before the hot-path work): before in 3063-3144 / out 2354-2909
 * ns; after in 1469-1666 / out 1081-1451 ns per frame.
 */
import { EventEmitter } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { WebSocket } from 'ws';
import { mulawEncode } from '../engine/audio/g711.ts';
import type { Clock } from '../engine/clock.ts';
import { loadConfig } from '../engine/config/load.ts';
import { createRootLogger } from '../engine/log/logger.ts';
import { Metrics } from '../engine/metrics/metrics.ts';
import type { BaseLeg } from '../telephony/leg/base-leg.ts';
import { Pacer } from '../telephony/media/pacer.ts';
import { TwilioConnection } from '../telephony/ws/twilio-call.ts';

/** Counts what the leg sends; open until closed. */
class CountingSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  messages = 0;
  chars = 0;
  /** Marks to echo back after the tick, as Twilio does once their audio has played. */
  readonly echoes: Buffer[] = [];
  send(data: string | Uint8Array): void {
    this.messages++;
    this.chars += data.length;
    if (typeof data === 'string' && data.startsWith('{"event":"mark"')) {
      const name = (JSON.parse(data) as { mark: { name: string } }).mark.name;
      this.echoes.push(Buffer.from(JSON.stringify({ event: 'mark', streamSid: 'MZ', mark: { name } })));
    }
  }
  flushEchoes(): void {
    for (const m of this.echoes.splice(0)) this.emit('message', m, false);
  }
  close(): void {
    this.readyState = 3;
    this.emit('close', 1000);
  }
  terminate(): void {
    this.close();
  }
  ping(): void {}
}

/** Time moves only when the bench says so (20 ms per inbound frame keeps the flood guard quiet). */
class SteppedClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
}

const idleTimers = { setTimeout: () => 1, clearTimeout: () => {} };

function tone(samples: number, hz: number, amplitude: number): Int16Array {
  return new Int16Array(samples).map((_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)),
  );
}

interface Call {
  socket: CountingSocket;
  leg: BaseLeg;
}

function openCall(i: number, clock: SteppedClock, received: { frames: number; samples: number }): Call {
  const config = loadConfig({ env: {}, overrides: { port: 0, logLevel: 'warn', 'auth.mode': 'none' } });
  const socket = new CountingSocket();
  let leg: BaseLeg | null = null;
  const chunk = tone(8000, 400, 6000);
  new TwilioConnection({
    ws: socket as unknown as WebSocket,
    log: createRootLogger({ level: 'warn' }),
    metrics,
    pacer: new Pacer({ clock, timers: idleTimers }),
    clock,
    settings: config.gateway,
    onLeg: (l) => {
      leg = l;
      let n = 0;
      const top = () => {
        l.sendAudio({ samples: chunk, sampleRate: 8000, timestampMs: 0 });
        l.mark(`chunk-${++n}`);
      };
      l.on('mark', (m) => {
        if (m.played && l.active) {
          marksPlayed.n++;
          top();
        }
      });
      l.on('audio', (f) => {
        received.frames++;
        received.samples += f.samples.length;
      });
      top();
      top();
    },
  });
  const text = (o: unknown) => socket.emit('message', Buffer.from(JSON.stringify(o)), false);
  text({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  text({
    event: 'start',
    sequenceNumber: '1',
    streamSid: `MZ${String(i).padStart(32, '0')}`,
    start: {
      streamSid: `MZ${String(i).padStart(32, '0')}`,
      accountSid: `AC${'0'.repeat(32)}`,
      callSid: `CA${String(i).padStart(32, '0')}`,
      tracks: ['inbound'],
      customParameters: {},
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
  if (!leg) throw new Error('the leg did not start');
  return { socket, leg };
}

const metrics = new Metrics();
const marksPlayed = { n: 0 };

function mediaMessages(count: number): Buffer[] {
  const audio = tone(160 * count, 220, 5000);
  const out: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const mulaw = mulawEncode(audio.subarray(k * 160, (k + 1) * 160));
    out.push(
      Buffer.from(
        JSON.stringify({
          event: 'media',
          sequenceNumber: String(k + 3),
          streamSid: `MZ${'0'.repeat(32)}`,
          media: {
            track: 'inbound',
            chunk: String(k + 1),
            timestamp: String(k * 20),
            payload: Buffer.from(mulaw).toString('base64'),
          },
        }),
      ),
    );
  }
  return out;
}

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '200000' },
      rounds: { type: 'string', default: '5' },
      calls: { type: 'string', default: '50' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: node --expose-gc --import tsx bench/gateway-frame-cost.ts [--frames 200000] [--rounds 5] [--calls 50]\n',
    );
    return;
  }
  const frames = Number(values.frames);
  const rounds = Number(values.rounds);
  const nCalls = Number(values.calls);
  if (![frames, rounds, nCalls].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('--frames, --rounds and --calls must be positive integers');
  }
  const clock = new SteppedClock();
  const received = { frames: 0, samples: 0 };
  const calls = Array.from({ length: nCalls }, (_, i) => openCall(i, clock, received));
  const messages = mediaMessages(250);
  const perCall = Math.ceil(frames / nCalls);

  const inbound = (): number => {
    gc();
    const t0 = cpuNs();
    for (let k = 0; k < perCall; k++) {
      clock.t += 20;
      const msg = messages[k % messages.length]!;
      for (const c of calls) c.socket.emit('message', msg, false);
    }
    return (cpuNs() - t0) / (perCall * nCalls);
  };
  const outbound = (): number => {
    gc();
    const sent0 = calls.reduce((a, c) => a + c.socket.messages, 0);
    const marks0 = marksPlayed.n;
    const t0 = cpuNs();
    for (let k = 0; k < perCall; k++) {
      clock.t += 20;
      for (const c of calls) c.leg.onTick();
      for (const c of calls) if (c.socket.echoes.length > 0) c.socket.flushEchoes();
    }
    const ns = cpuNs() - t0;
    // Media messages only (a mark per 50 frames rides along, as in the load bench).
    const sent = calls.reduce((a, c) => a + c.socket.messages, 0) - sent0 - (marksPlayed.n - marks0);
    if (sent < perCall * nCalls * 0.99)
      throw new Error(`only ${sent} media frames sent in ${perCall * nCalls} ticks`);
    return ns / sent;
  };

  inbound();
  outbound(); // warm-up
  const ins: number[] = [];
  const outs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ins.push(inbound());
    outs.push(outbound());
  }
  if (received.samples !== received.frames * 160) throw new Error('inbound frames are not 160 samples');
  const expectedIn = (rounds + 1) * perCall * nCalls;
  if (received.frames !== expectedIn)
    throw new Error(`received ${received.frames} frames, expected ${expectedIn}`);
  for (const c of calls) c.leg.hangup();

  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
  };
  const r = (x: number) => Math.round(x);
  const result = {
    bench: 'gateway-frame-cost',
    machine,
    calls: nCalls,
    framesPerRound: perCall * nCalls,
    rounds,
    inNsPerFrame: { best: r(Math.min(...ins)), median: r(median(ins)) },
    outNsPerFrame: { best: r(Math.min(...outs)), median: r(median(outs)) },
  };
  process.stdout.write(
    `gateway-frame-cost: ${JSON.stringify(machine)}\n` +
      `  in   ${result.inNsPerFrame.best} ns/frame best, ${result.inNsPerFrame.median} median\n` +
      `  out  ${result.outNsPerFrame.best} ns/frame best, ${result.outNsPerFrame.median} median\n` +
      `  in+out ${result.inNsPerFrame.best + result.outNsPerFrame.best} ns (best)\n` +
      `${JSON.stringify(result)}\n`,
  );
}

main();
