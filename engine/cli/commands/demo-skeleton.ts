/**
 * `voicebot demo --scenario skeleton`: the walking-skeleton call (echo / keypad menu handler):
 * hears the greeting, presses 1 and speaks (the bot echoes it back), presses 2, talks over the
 * prompt (barge-in), types 4 and 2 (read back), then # (goodbye, the bot hangs up).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SkeletonEvent } from '../../../dialogs/skeleton/echo-menu.ts';
import { startSkeletonEngine } from '../../../dialogs/skeleton/skeleton-engine.ts';
import { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import type { SimProtocol } from '../../../fixtures/sim-caller/wire.ts';
import { waitFor } from '../../testing/wait-for.ts';
import { callerLines, formatTimeline, type TimelineLine } from './demo-timeline.ts';

const CALLERS = fileURLToPath(new URL('../../../fixtures/callers/', import.meta.url));

export interface SkeletonDemoOptions {
  protocol: SimProtocol;
  recordPath: string;
  /** Timeline output (a no-op when quiet). */
  print: (line: string) => void;
  /** The summary (always printed). */
  write: (line: string) => void;
}

function describeBot(e: SkeletonEvent): string | null {
  switch (e.type) {
    case 'skeleton.prompt':
      return `plays prompt "${e.name}" (${e.ms} ms) + mark ${e.mark}`;
    case 'skeleton.echo':
      return `plays the caller's words back (${e.ms} ms) + mark ${e.mark}`;
    case 'skeleton.mode':
      return `mode: ${e.mode}`;
    case 'skeleton.mark':
      return `mark ${e.name} ${e.played ? 'played' : 'cleared'}`;
    case 'skeleton.barge_in':
      return `barge-in (${e.cause}): clears ${e.queuedMs} ms of queued audio`;
    case 'skeleton.transfer':
      return `transfer ${e.ok ? 'accepted' : `failed (${e.code ?? 'refused'})`}`;
    case 'skeleton.hangup':
      return `call ended (${e.reason})`;
    default:
      return null;
  }
}

/** Runs the skeleton call; returns the exit code (0: every step happened). */
export async function runSkeletonDemo(options: SkeletonDemoOptions): Promise<number> {
  const { protocol, recordPath, print: out } = options;
  const botEvents: SkeletonEvent[] = [];
  const sk = await startSkeletonEngine({ logLevel: 'warn', onEvent: (e) => botEvents.push(e) });
  const caller = new SimCaller({
    url: sk.engine.url,
    protocol,
    token: sk.token(),
    from: '+15550100001',
    to: '+15550100002',
    customParameters: { demo: 'walking-skeleton' },
  });
  out(`voicebot demo: engine at ${sk.engine.url}, calling ${caller.url.split('?')[0]} (${protocol})\n`);

  const waitBot = (match: (e: SkeletonEvent) => boolean, timeoutMs: number, what: string) =>
    waitFor(() => botEvents.find(match), {
      what,
      timeoutMs,
      intervalMs: 10,
      stopIf: () => (caller.closeInfo ? 'the call ended' : undefined),
    });
  const markPlayed = (prefix: string) => (e: SkeletonEvent) =>
    e.type === 'skeleton.mark' && String(e.name).startsWith(`${prefix}:`);

  let failure: string | null = null;
  try {
    await caller.connect();
    await waitBot(markPlayed('greeting'), 10_000, 'the greeting to play');
    caller.dtmf('1');
    await waitBot(markPlayed('echo'), 5000, 'the echo-mode prompt');
    await caller.play(join(CALLERS, 'hello.wav'));
    const echo = await waitBot((e) => e.type === 'skeleton.echo', 5000, 'the echo');
    await waitBot((e) => e.type === 'skeleton.mark' && e.name === echo.mark, 8000, 'the echo to play');
    caller.dtmf('2');
    await waitBot((e) => e.type === 'skeleton.prompt' && e.name === 'digits', 3000, 'the digits prompt');
    await new Promise((r) => setTimeout(r, 400));
    await caller.play(join(CALLERS, 'interrupt.wav'));
    await waitBot((e) => e.type === 'skeleton.barge_in' && e.cause === 'speech', 3000, 'the barge-in');
    await new Promise((r) => setTimeout(r, 300));
    for (const d of ['4', '2']) {
      caller.dtmf(d);
      await waitBot(markPlayed(`digit-${d}`), 4000, `digit ${d} to be read back`);
    }
    caller.dtmf('#');
    await Promise.race([
      caller.closed(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the bot did not hang up')), 5000)),
    ]);
  } catch (err) {
    failure = (err as Error).message;
  }
  if (!caller.closeInfo) await caller.hangup().catch(() => null);
  await new Promise((r) => setTimeout(r, 50));
  caller.writeRecording(recordPath);
  await sk.close();

  const t0 = caller.startedAt;
  const lines: TimelineLine[] = callerLines(caller.events);
  for (const e of botEvents) {
    const text = describeBot(e);
    if (text) lines.push({ atMs: e.atMs - t0, who: 'bot', text });
  }
  for (const l of formatTimeline(lines)) out(l);

  const stats = caller.stats();
  const barges = botEvents.filter((e) => e.type === 'skeleton.barge_in' && e.cause === 'speech');
  const clears = caller.events.filter((e) => e.type === 'bot.clear' || e.type === 'bot.kill_audio');
  const bargeMs = barges
    .map((b) => {
      const c = clears.find((x) => x.atMs + t0 >= b.atMs);
      return c ? Math.round(c.atMs + t0 - b.atMs) : null;
    })
    .filter((x): x is number => x !== null);
  const echoResponse = stats.responses.find((r) => r.trigger === 'speech');
  const keyResponses = stats.responses
    .filter((r) => r.trigger === 'dtmf')
    .map((r) => Math.round(r.latencyMs));
  const summary = [
    '',
    'Summary',
    `  result               ${failure ? `FAILED: ${failure}` : 'ok: every step of the call happened'}`,
    `  call                 ${(caller.now() / 1000).toFixed(1)} s, ${protocol}, closed ${caller.closeInfo?.code ?? '-'} by ${caller.closeInfo?.by ?? '-'}`,
    `  audio                sent ${stats.framesSent} frames, received ${stats.framesReceived} frames (${stats.botAudioMs} ms), heard ${stats.heardMs} ms`,
    protocol === 'twilio'
      ? `  marks                ${stats.marksEchoed} acknowledged by the caller as played, ${stats.marksCleared} as cleared`
      : `  marks                ${botEvents.filter((e) => e.type === 'skeleton.mark').length} reported by the engine (raw peers do not acknowledge marks)`,
    `  barge-in             speech detected -> ${protocol === 'twilio' ? 'clear' : 'killAudio'} at the caller: ${bargeMs.length ? `${bargeMs.join(', ')} ms` : '-'}`,
    `  echo response        speech end -> bot audio: ${echoResponse ? `${Math.round(echoResponse.latencyMs)} ms (includes the VAD's end-of-speech hangover)` : '-'}`,
    `  key response         key press -> bot audio: ${keyResponses.length ? `${keyResponses.join(', ')} ms` : '-'}`,
    `  inbound jitter       p50 ${stats.jitter.p50} ms, p99 ${stats.jitter.p99} ms over ${stats.jitter.count} frame gaps`,
    `  recording            ${recordPath} (what the caller heard, 8 kHz PCM16)`,
  ];
  for (const l of summary) options.write(l);
  return failure ? 1 : 0;
}
