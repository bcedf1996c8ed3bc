import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { SkeletonEvent } from '../../../dialogs/skeleton/echo-menu.ts';
import { startSkeletonEngine } from '../../../dialogs/skeleton/skeleton-engine.ts';
import { SimCaller, type SimEvent } from '../../../fixtures/sim-caller/sim-caller.ts';
import type { SimProtocol } from '../../../fixtures/sim-caller/wire.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot demo [--protocol twilio|raw] [--record PATH] [--quiet]

Starts the engine on a free loopback port (random token secret, walking-skeleton handler) and
places one call with the simulated caller: hears the greeting, presses 1 and speaks (the bot
echoes it back), presses 2, talks over the prompt (barge-in), types 4 and 2 (read back), then #
(goodbye, the bot hangs up). Prints a timeline of what each side did, with marks and latencies,
then a summary, and writes what the caller heard to a WAV file.

Options:
  --protocol P   twilio (Twilio Media Streams, mu-law 8 kHz; default) or raw (L16 8 kHz)
  --record PATH  where to write the recording (default: a file in the temp folder)
  --quiet        print only the summary
  -h, --help     this text`;

const CALLERS = fileURLToPath(new URL('../../../fixtures/callers/', import.meta.url));

interface Line {
  atMs: number;
  who: 'caller' | 'bot';
  text: string;
}

function describeCaller(e: SimEvent): string | null {
  switch (e.type) {
    case 'ws.open':
      return `connected (${e.protocol}${e.subprotocol ? `, subprotocol ${e.subprotocol}` : ''})`;
    case 'caller.start':
      return 'sent the start message';
    case 'caller.speech.start':
      return `starts speaking "${e.label}" (${Math.round(e.ms as number)} ms)`;
    case 'caller.speech.end':
      return 'stops speaking';
    case 'caller.dtmf':
      return `presses ${e.digit}`;
    case 'bot.audio.start':
      return e.latencyMs === undefined
        ? 'hears bot audio'
        : `hears bot audio, ${e.latencyMs} ms after its ${e.after === 'dtmf' ? 'key press' : 'speech ended'}`;
    case 'caller.mark':
      return `acknowledges mark ${e.name} (${e.cleared ? 'cleared, not played' : 'played'})`;
    case 'bot.clear':
    case 'bot.kill_audio':
      return `gets ${e.type === 'bot.clear' ? 'clear' : 'killAudio'}: drops ${e.droppedMs} ms of buffered bot audio`;
    case 'bot.transfer':
      return `gets a transfer request ${JSON.stringify(e.data)}`;
    case 'bot.disconnect':
      return 'gets disconnect';
    case 'ws.close':
      return `socket closed ${e.code}${e.reason ? ` "${e.reason}"` : ''} (by ${e.by})`;
    case 'ws.refused':
      return `upgrade refused with HTTP ${e.status}`;
    default:
      return null;
  }
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

const demo: Command = {
  summary: 'place a demo call against a local engine with the simulated caller',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        protocol: { type: 'string', default: 'twilio' },
        record: { type: 'string' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    });
    const protocol = values.protocol as SimProtocol;
    if (protocol !== 'twilio' && protocol !== 'raw') {
      process.stderr.write(`voicebot demo: --protocol must be twilio or raw, got "${values.protocol}"\n`);
      return 2;
    }
    const recordPath = values.record ?? join(tmpdir(), `voicebot-demo-${Date.now()}.wav`);
    const lines: Line[] = [];
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
    const out = (s: string) => {
      if (!values.quiet) process.stdout.write(`${s}\n`);
    };
    out(`voicebot demo: engine at ${sk.engine.url}, calling ${caller.url.split('?')[0]} (${protocol})\n`);

    const waitBot = async (match: (e: SkeletonEvent) => boolean, timeoutMs: number, what: string) => {
      const until = performance.now() + timeoutMs;
      for (;;) {
        const found = botEvents.find(match);
        if (found) return found;
        if (performance.now() > until || caller.closeInfo) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
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
    for (const e of caller.events) {
      const text = describeCaller(e);
      if (text) lines.push({ atMs: e.atMs, who: 'caller', text });
    }
    for (const e of botEvents) {
      const text = describeBot(e);
      if (text) lines.push({ atMs: e.atMs - t0, who: 'bot', text });
    }
    lines.sort((a, b) => a.atMs - b.atMs);
    out('  time       who     what');
    for (const l of lines)
      out(`  ${(l.atMs / 1000).toFixed(3).padStart(7)} s  ${l.who.padEnd(6)}  ${l.text}`);

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
    process.stdout.write(`${summary.join('\n')}\n`);
    return failure ? 1 : 0;
  },
};

export default demo;
