/**
 * The persona calls of bench/dialog-personas.ts end to end with real audio: the voice-order
 * dialog in a CallSession behind the real WebSocket gateway (raw protocol, so the caller ID
 * reaches the address lookup), espeak-ng prompts, pocketsphinx (grammar or free mode, as the
 * dialog's listen asks), WebRTC VAD; each sim caller follows its persona (the same policies as
 * the dialog-level runs) and speaks espeak-ng utterances through G.711: items and quantities by
 * voice, keys for the keypad-only caller. Six calls at once share the recognizer's worker pool
 * (the default: one worker per core, pool-size.ts). Run through
 * `bench/dialog-personas.ts --audio N`.
 */
import { defaultWorkers } from '../asr-tts/providers/pocketsphinx/pool-size.ts';
import { makePlan, PersonaCaller, type PersonaName } from '../engine/session/testing/personas.ts';
import { startSessionEngine } from '../engine/session/testing/session-engine.ts';
import { SimCaller } from '../fixtures/sim-caller/sim-caller.ts';
import { rngFor } from '../telephony/carriers/sim/rng.ts';
import { utterance } from './lib/caller-audio.ts';
import { catalog, voiceOrderSpec } from './lib/voice-order.ts';
import { machineInfo, percentile, round } from './speech-machine.ts';

export interface AudioOptions {
  calls: number;
  seed: number;
  personas: PersonaName[];
  /** Calls running at once (default 6). */
  concurrency?: number;
}

const VOICES = ['en-us', 'en-gb', 'en-us+f3', 'en-us+m3'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AudioCall {
  persona: PersonaName;
  ok: boolean;
  why: string;
  seconds: number;
  /** The call's turns as the record has them (bot prompt ids, caller words), for failures. */
  transcript: string[];
}

export async function runAudio(o: AudioOptions): Promise<void> {
  const se = await startSessionEngine({
    dialogFor: (info) => voiceOrderSpec(info.parameters),
    agents: [{ id: 'ann', name: 'Ann', target: 'sip:ann@pbx.example', languages: ['en-US'] }],
  });
  let seq = 0;

  async function oneCall(persona: PersonaName, i: number): Promise<AudioCall> {
    const rng = rngFor(o.seed, `audio:${persona}:${i}`);
    const plan = makePlan(persona, rng, catalog);
    const caller = new PersonaCaller(plan, rng, catalog);
    const voice = VOICES[Math.floor(rng() * VOICES.length)]!;
    const wpm = persona === 'elderly' ? 105 + Math.round(rng() * 10) : 150 + Math.round(rng() * 20);
    se.agents.setAvailable('ann', true);
    const callSid = `CA-persona-${persona}-${i}-${++seq}`;
    const c = new SimCaller({
      url: se.engine.url,
      protocol: 'raw',
      token: se.token(),
      from: plan.from,
      to: '+15550100002',
      callSid,
      transferAnswer: { ok: true },
    });
    await c.connect();
    const t0 = performance.now();
    const record = () =>
      se.sessions.find((s) => s.recorder.record.providerCallId === callSid)?.recorder.record;
    const heardMs = () => c.heardSegments().reduce((ms, s) => ms + s.samples.length / 8, 0);
    const quietMs = () => {
      const seg = c.heardSegments().at(-1);
      return seg ? c.now() - (seg.startMs + seg.samples.length / 8) : 0;
    };
    let speakingUntil = 0;
    let gen = 0;
    let lastSaid: Int16Array | null = null;

    const say = async (text: string, tempo: number, pause?: { atWord: number; ms: number }) => {
      const words = text.split(' ');
      const parts = pause ? [words.slice(0, pause.atWord), words.slice(pause.atWord)] : [words];
      const audio = parts.map((p) => utterance(p.join(' '), { voice, wpm: Math.round(wpm * tempo) }).samples);
      const gap = new Int16Array(pause ? pause.ms * 8 : 0);
      const all = new Int16Array(audio.reduce((n, a) => n + a.length, 0) + gap.length);
      let at = 0;
      audio.forEach((a, k) => {
        all.set(a, at);
        at += a.length + (k === 0 ? gap.length : 0);
      });
      lastSaid = all;
      // Until the last word (utterance() ends each part with 300 ms of silence).
      speakingUntil = performance.now() + all.length / 8 - 300;
      await c.play(all, text);
    };

    const act = async (myGen: number, prompt: { node: string; text: string }, heardAtPrompt: number) => {
      const a = caller.react(prompt);
      if (a.kind === 'none') return;
      // The prompt's audio starts arriving.
      while (heardMs() === heardAtPrompt && gen === myGen && !c.closeInfo) await sleep(10);
      if (a.when === 'during') {
        while (heardMs() - heardAtPrompt < a.delayMs && quietMs() < 400 && gen === myGen && !c.closeInfo)
          await sleep(10);
      } else {
        // It has gone quiet, then the caller's pause.
        while (quietMs() < 300 && gen === myGen && !c.closeInfo) await sleep(10);
        const until = performance.now() + a.delayMs;
        while (performance.now() < until && gen === myGen && !c.closeInfo) await sleep(10);
      }
      if (gen !== myGen || c.closeInfo) return;
      if (a.kind === 'keys') {
        for (const d of a.digits) {
          c.dtmf(d);
          await sleep(250);
        }
      } else await say(a.text, a.tempo, a.pause);
    };

    let seen = 0;
    const deadline = performance.now() + 6 * 60_000;
    while (!c.closeInfo && performance.now() < deadline) {
      const bot = record()?.transcript.filter((t) => t.side === 'bot') ?? [];
      for (; seen < bot.length; seen++) {
        const line = bot[seen]!;
        const promptId = line.promptId ?? '';
        if (promptId.startsWith('session:')) {
          // "Sorry, please go on.": say it again once that has played.
          const again = lastSaid;
          if (again && promptId === 'session:noise') {
            const myGen = ++gen;
            const h = heardMs();
            void (async () => {
              while ((heardMs() === h || quietMs() < 300) && gen === myGen && !c.closeInfo) await sleep(10);
              if (gen === myGen && !c.closeInfo) await c.play(again, 'again');
            })();
          }
          continue;
        }
        const myGen = ++gen;
        const prompt = { node: promptId.split('#')[0] ?? '', text: line.text ?? '' };
        const talkingFor = speakingUntil - performance.now();
        if (talkingFor > 0) {
          // Still talking when a prompt starts: they finish; if the bot has not answered what
          // they said a moment later, they take this prompt as the question to answer.
          const h = heardMs();
          void sleep(talkingFor + 1500).then(() => {
            if (gen === myGen && !c.closeInfo) void act(myGen, prompt, h);
          });
        } else void act(myGen, prompt, heardMs());
      }
      await sleep(25);
    }
    if (!c.closeInfo) await c.hangup();
    const rec = await se.record(callSid, 10_000).catch(() => record());
    const verdict = caller.judge(
      rec?.outcome as { status: string; slots: Record<string, unknown> } | undefined,
    );
    const lastNode =
      rec?.transcript
        .filter(
          (t) =>
            t.side === 'bot' &&
            t.promptId &&
            !t.promptId.startsWith('_') &&
            !t.promptId.startsWith('session:'),
        )
        .at(-1)
        ?.promptId?.split('#')[0] ?? '';
    return {
      persona,
      ok: verdict.ok,
      why: verdict.ok ? verdict.why : `${verdict.why} @${lastNode}`,
      seconds: (performance.now() - t0) / 1000,
      transcript: [
        ...(rec?.transcript ?? []).map((t): [number, string] => [
          t.atMs,
          t.side === 'bot'
            ? `bot ${t.promptId}: ${(t.text ?? '').slice(0, 70)}`
            : `  heard (${t.source}): "${t.text || `(ignored: ${t.ignored})`}"`,
        ]),
        ...c.events
          .filter(
            (e) => (e.type === 'caller.speech.start' && e.label !== 'again') || e.type === 'caller.dtmf',
          )
          .map((e): [number, string] => [
            e.atMs,
            e.type === 'caller.dtmf'
              ? `  caller key ${String(e.digit)}`
              : `  caller says "${String(e.label)}"`,
          ]),
      ]
        .sort((a, b) => a[0] - b[0])
        .map(([at, line]) => `${(at / 1000).toFixed(1)} ${line}`),
    };
  }

  const jobs = o.personas.flatMap((p) => Array.from({ length: o.calls }, (_, i) => [p, i] as const));
  const results: AudioCall[] = [];
  const started = performance.now();
  const workers = Array.from({ length: Math.min(o.concurrency ?? 6, jobs.length) }, async (_, w) => {
    await sleep(w * 1500);
    for (let job = jobs.shift(); job; job = jobs.shift()) results.push(await oneCall(job[0], job[1]));
  });
  await Promise.all(workers);
  await se.close();

  const byPersona = o.personas.map((persona) => {
    const rs = results.filter((r) => r.persona === persona);
    const why: Record<string, number> = {};
    for (const r of rs) why[r.why] = (why[r.why] ?? 0) + 1;
    return {
      persona,
      calls: rs.length,
      successPct: round((100 * rs.filter((r) => r.ok).length) / Math.max(1, rs.length), 1),
      outcomes: why,
      callSecondsP50: round(
        percentile(
          rs.map((r) => r.seconds),
          50,
        ),
        0,
      ),
    };
  });
  for (const r of results.filter((x) => !x.ok)) {
    process.stderr.write(`--- ${r.persona} failed: ${r.why}\n${r.transcript.join('\n')}\n`);
  }
  process.stdout.write(
    `${byPersona.map((r) => `audio    ${r.persona.padEnd(14)} ${String(r.successPct).padStart(5)}%  ${JSON.stringify(r.outcomes)}`).join('\n')}\n`,
  );
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'dialog-personas',
        mode: 'audio (real gateway, espeak-ng + pocketsphinx + WebRTC VAD)',
        machine: machineInfo(),
        seed: o.seed,
        callsPerPersona: o.calls,
        concurrency: o.concurrency ?? 6,
        asrWorkers: defaultWorkers(),
        wallSeconds: round((performance.now() - started) / 1000, 0),
        results: byPersona,
      },
      null,
      2,
    )}\n`,
  );
}
