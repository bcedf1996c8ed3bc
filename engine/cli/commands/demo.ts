import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SimProtocol } from '../../../fixtures/sim-caller/wire.ts';
import type { Command } from '../main.ts';
import { runSkeletonDemo } from './demo-skeleton.ts';
import { runVoiceDemo, type VoiceScenario } from './demo-voice.ts';

const usage = `Usage: voicebot demo [--scenario voice-order|human|skeleton] [--protocol twilio|raw]
                    [--out DIR] [--record PATH] [--timeout S] [--quiet]

Starts the engine on a free loopback port (random token secret) and places one call with the
simulated caller, which speaks real espeak-ng audio through the G.711 channel and reacts to
what the bot says. Prints a timeline (what the bot said, what the caller said, what the
recognizer heard and what the NLU made of it, barge-ins, marks, latencies), then a summary.

Scenarios:
  voice-order  (default) the voice-ordering IVR with the embedded speech engines (espeak-ng,
               pocketsphinx, WebRTC VAD, deterministic NLU): an elderly customer hears the
               greeting, orders two pizzas by voice, interrupts the read-back to ask for a
               repeat (barge-in), confirms it, says "that's all", confirms the order and the
               registered address, hears goodbye. The summary shows the order
               as the order sink stored it and where the call record and recording are.
  human        the customer asks for a person by voice and is transferred to the agent
               (raw only: the raw peer performs transfers).
  skeleton     the walking skeleton (echo / keypad menu): keypresses, echo of the caller's
               speech, barge-in, digits read back, goodbye.

Options:
  --protocol P   raw (L16 8 kHz, jambonz-style: carries the caller's number, so the voice
                 order finds the registered address; default) or twilio (Twilio Media Streams,
                 mu-law 8 kHz, marks; no caller number: the caller speaks an address and
                 checks the bot's read-back of it; default for skeleton)
  --out DIR      where orders.jsonl, calls/<callId>.json and .wav and the caller's recording go
                 (default: a new folder in the temp folder)
  --record PATH  where to write what the caller heard (default: DIR/caller-heard.wav)
  --timeout S    the call must be over within S seconds, else the demo fails (default 180)
  --quiet        print only the summary
  -h, --help     this text

Exit code 0 when every step of the call happened (voice-order: an order was placed).`;

const SCENARIO_NAMES = ['voice-order', 'human', 'skeleton'] as const;

const demo: Command = {
  summary: 'place a demo call against a local engine with the simulated caller',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'voice-order' },
        protocol: { type: 'string' },
        out: { type: 'string' },
        record: { type: 'string' },
        timeout: { type: 'string', default: '180' },
        quiet: { type: 'boolean' },
      },
      strict: true,
    });
    const fail = (msg: string) => {
      process.stderr.write(`voicebot demo: ${msg}\n`);
      return 2;
    };
    const scenario = values.scenario as (typeof SCENARIO_NAMES)[number];
    if (!SCENARIO_NAMES.includes(scenario)) {
      return fail(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}, got "${values.scenario}"`);
    }
    const protocol = (values.protocol ?? (scenario === 'skeleton' ? 'twilio' : 'raw')) as SimProtocol;
    if (protocol !== 'twilio' && protocol !== 'raw') {
      return fail(`--protocol must be twilio or raw, got "${values.protocol}"`);
    }
    if (scenario === 'human' && protocol === 'twilio') {
      return fail(
        '--scenario human needs --protocol raw: a Twilio transfer goes through the REST API, which the demo has no account for',
      );
    }
    const timeoutS = Number(values.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
      return fail(`--timeout must be a number of seconds above 0, got "${values.timeout}"`);
    }
    const outDir = values.out ? resolve(values.out) : mkdtempSync(join(tmpdir(), 'voicebot-demo-'));
    mkdirSync(outDir, { recursive: true });
    const recordPath = values.record ? resolve(values.record) : join(outDir, 'caller-heard.wav');
    const print = (s: string) => {
      if (!values.quiet) process.stdout.write(`${s}\n`);
    };
    const write = (s: string) => process.stdout.write(`${s}\n`);
    if (scenario === 'skeleton') return runSkeletonDemo({ protocol, recordPath, print, write });
    const result = await runVoiceDemo({
      scenario: scenario as VoiceScenario,
      protocol,
      outDir,
      recordPath,
      timeoutMs: timeoutS * 1000,
      print,
      write,
    });
    return result.ok ? 0 : 1;
  },
};

export default demo;
