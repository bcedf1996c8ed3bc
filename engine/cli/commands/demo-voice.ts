/**
 * The voice demos of `voicebot demo`: one inbound call to the voice-ordering IVR over the real
 * WebSocket gateway, the caller speaking espeak-ng audio through the G.711 channel and reacting
 * to what the bot says (its prompts in the session transcript and their audio at the caller's
 * ear), never to fixed sleeps alone, so the call works on a slow machine too.
 *
 *   voice-order  an elderly-friendly customer: hears the greeting, orders two pizzas by voice,
 *                interrupts the item read-back to ask for a repeat (barge-in), confirms it, says
 *                "that's all", confirms the order read-back and the registered address, hears
 *                goodbye: an order in the order sink.
 *   human        the customer asks for a person by voice and is transferred to the agent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SimCaller } from '../../../fixtures/sim-caller/sim-caller.ts';
import type { SimProtocol } from '../../../fixtures/sim-caller/wire.ts';
import type { CallRecord } from '../../calls/call-record.ts';
import { safeFileName } from '../../calls/file-sink.ts';
import { waitFor } from '../../testing/wait-for.ts';
import { callerLines, formatTimeline } from './demo-timeline.ts';
import { giveAddress } from './demo-voice-address.ts';
import { DemoCall } from './demo-voice-call.ts';
import { startVoiceDemoEngine } from './demo-voice-engine.ts';
import { bargeInReactions, engineLines, orderLines, type PlacedOrder } from './demo-voice-report.ts';

export type VoiceScenario = 'voice-order' | 'human';

export interface VoiceDemoOptions {
  scenario: VoiceScenario;
  protocol: SimProtocol;
  /** Where orders.jsonl and calls/ go. */
  outDir: string;
  /** Where the caller's side (what it heard) is written as a WAV. */
  recordPath: string;
  /** The whole call must be over by then. */
  timeoutMs: number;
  print: (line: string) => void;
  write: (line: string) => void;
}

export interface VoiceDemoResult {
  ok: boolean;
  failure?: string;
  order?: PlacedOrder;
  record?: CallRecord;
  recordFile: string;
  ordersFile: string;
}

/** The registered customer of the fixture directory (40 Pine Street). */
const CALLER_ID = '+14155550100';

type Step = [name: string, run: (call: DemoCall) => Promise<void>];

const VOICE_ORDER: Step[] = [
  ['hear the greeting', async (c) => void (await c.prompt(/welcome/))],
  [
    'order two pizzas by voice',
    async (c) => {
      await c.prompt(/What would you like to order\?/);
      await c.say('two pizzas please');
    },
  ],
  [
    'interrupt the item read-back to ask for a repeat (barge-in)',
    async (c) => {
      const heard = await c.prompt(/is that right\?/, 'said');
      if (!/two pizzas/i.test(heard.text)) throw new Error(`the bot understood: "${heard.text}"`);
      // Half-way through the read-back the caller, unsure, asks for it again.
      await c.heardFor(heard, 1200);
      const at = c.caller.now();
      await c.say('repeat', 120);
      await c.event('barge_in', at, 5000);
      await c.prompt(/two pizzas, is that right\?/i);
    },
  ],
  [
    'confirm the item',
    async (c) => {
      await c.say('yes', 120);
      await c.prompt(/Anything else\?/);
    },
  ],
  [
    'say that is all',
    async (c) => {
      await c.say("that's all");
      const readBack = await c.prompt(/Shall I place the order\?/);
      if (!/two pizzas/i.test(readBack.text)) throw new Error(`the read-back is: "${readBack.text}"`);
    },
  ],
  [
    'confirm the order read-back',
    async (c) => {
      await c.say('yes', 120);
      const ask = await c.prompt(/registered address|delivery address/);
      if (/registered address/.test(ask.text)) return;
      // No caller ID (Twilio Media Streams carry none): the caller gives the address by voice.
      await giveAddress(c);
    },
  ],
  [
    'confirm the address and hear goodbye',
    async (c) => {
      await c.say('yes', 120);
      await c.prompt(/order is placed/, 'said');
      await c.botHangsUp();
    },
  ],
];

const HUMAN: Step[] = [
  ['hear the greeting', async (c) => void (await c.prompt(/welcome/))],
  [
    'ask for a person',
    async (c) => {
      await c.prompt(/What would you like to order\?/);
      await c.say('i want to talk to a person');
      await c.prompt(/Connecting you to a person/, 'said');
    },
  ],
  [
    'be transferred',
    async (c) => {
      await c.until('the transfer request at the caller', () =>
        c.caller.events.find((e) => e.type === 'bot.transfer'),
      );
      await c.botHangsUp();
    },
  ],
];

export const SCENARIOS: Record<VoiceScenario, { caller: string; steps: Step[] }> = {
  'voice-order': { caller: 'an elderly customer orders two pizzas by voice', steps: VOICE_ORDER },
  human: { caller: 'a customer asks for a person by voice', steps: HUMAN },
};

export async function runVoiceDemo(options: VoiceDemoOptions): Promise<VoiceDemoResult> {
  const { scenario, protocol, outDir, print, write } = options;
  const deadline = performance.now() + options.timeoutMs;
  // Over Twilio there is no caller ID, so the caller speaks its address (open vocabulary).
  const eng = await startVoiceDemoEngine(outDir, { preloadLm: protocol === 'twilio' });
  const caller = new SimCaller({
    url: eng.engine.url,
    protocol,
    token: eng.token(),
    from: CALLER_ID,
    to: '+15550100002',
    customParameters: { demo: scenario },
  });
  const call = new DemoCall(caller, () => eng.sessions[0], deadline);
  print(
    `voicebot demo (${scenario}): engine at ${eng.engine.url}, ${SCENARIOS[scenario].caller} (${protocol})`,
  );
  print(`  files: ${outDir}\n`);

  let failure: string | undefined;
  let step = 'connect';
  const script = (async () => {
    await caller.connect();
    for (const [name, run] of SCENARIOS[scenario].steps) {
      step = name;
      await run(call);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const overall = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the call did not finish within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs + 1000,
    );
  });
  try {
    await Promise.race([script, overall]);
  } catch (err) {
    failure = `step "${step}": ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
  script.catch(() => undefined);
  if (!caller.closeInfo) await caller.hangup().catch(() => caller.terminate());

  const record = eng.sessions[0]?.recorder.record;
  const recordFile = join(eng.callsDir, `${safeFileName(record?.callId ?? '-')}.json`);
  // The session stores the record once the call has ended; the summary says if it never came.
  if (record)
    await waitFor(() => existsSync(recordFile), { what: 'the call record', timeoutMs: 5000 }).catch(
      () => false,
    );
  caller.writeRecording(options.recordPath);
  const orders = (await eng.registry.orders.list()) as PlacedOrder[];
  const order = orders.find((o) => o.callId === record?.callId);
  const offset = call.recordToCallerMs();
  await eng.close();

  const lines = [...callerLines(caller.events), ...(record ? engineLines(record, eng.readings, offset) : [])];
  for (const l of formatTimeline(lines)) print(l);

  const stats = caller.stats();
  const speech = stats.responses.filter((r) => r.trigger === 'speech').map((r) => Math.round(r.latencyMs));
  const barge = bargeInReactions(caller.events);
  const expected =
    scenario === 'voice-order'
      ? order
        ? null
        : 'no order was placed'
      : record?.transfer?.ok
        ? null
        : 'the call was not transferred';
  if (!failure && expected) failure = expected;
  const summary = [
    '',
    'Summary',
    `  result               ${failure ? `FAILED at ${failure}` : `ok: ${scenario === 'voice-order' ? 'order placed' : 'transferred to a person'}`}`,
    `  call                 ${(caller.now() / 1000).toFixed(1)} s, ${protocol}, closed by ${caller.closeInfo?.by ?? '-'}, outcome ${record?.outcome?.status ?? '-'}`,
    ...(scenario === 'voice-order' ? orderLines(order) : []),
    ...(record?.transfer
      ? [
          `  transfer             ${record.transfer.ok ? 'ok' : 'failed'} to ${record.transfer.target ?? '-'} (agent ${record.transfer.agentId ?? '-'})`,
        ]
      : []),
    `  barge-in             caller speech onset -> ${protocol === 'twilio' ? 'clear' : 'killAudio'} at the caller: ${barge.length ? `${barge.join(', ')} ms` : '-'}`,
    `  responses            caller speech end -> bot audio: ${speech.length ? `${speech.join(', ')} ms` : '-'}`,
    "                       (from the end of the caller's voice: the bot's end-of-speech wait, recognition, NLU, synthesis)",
    `  call record          ${existsSync(recordFile) ? recordFile : `${recordFile} (not written)`}`,
    `  call recording       ${existsSync(recordFile.replace(/\.json$/, '.wav')) ? recordFile.replace(/\.json$/, '.wav') : '-'} (caller left, bot right)`,
    `  orders               ${eng.registry.ordersFile}`,
    `  caller heard         ${options.recordPath} (8 kHz PCM16)`,
  ];
  for (const l of summary) write(l);
  return {
    ok: !failure,
    ...(failure ? { failure } : {}),
    ...(order ? { order } : {}),
    ...(record ? { record } : {}),
    recordFile,
    ordersFile: eng.registry.ordersFile,
  };
}
