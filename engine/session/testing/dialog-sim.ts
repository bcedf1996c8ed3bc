/**
 * One simulated call at the dialog level, in simulated time: the voice-order dialog and the
 * session's own turn-taking machine (turn-machine.ts) on one SimulatedClock, joined the way
 * CallSession joins them, with the media modelled instead of streamed: a prompt plays for a time
 * computed from its words and rate, the caller's speech becomes VAD edges (onset and hangover
 * delays of the WebRTC VAD) and, on each recognizer flush, the words spoken since the listen
 * through an ASR error model and the listen's grammar, if it sends one (out-of-grammar words
 * come back empty, as from a grammar-mode recognizer), then the real deterministic NLU. A call
 * of minutes runs in milliseconds, so hundreds of seeded calls per persona take seconds.
 */
import { type AnyActorRef, type AnyStateMachine, createActor, SimulatedClock } from 'xstate';
import { matchesGrammar } from '../../../asr-tts/grammar.ts';
import type { DialogCommand, DialogEvent, ListenCommand, SayCommand } from '../../../dialogs/contract.ts';
import type { Catalog } from '../../../dialogs/nlu/catalog.ts';
import { DeterministicNlu } from '../../../dialogs/nlu/deterministic-nlu.ts';
import { createVoiceOrderDialog } from '../../../dialogs/voice-order/machine.ts';
import { SESSION_PHRASES } from '../session-phrases.ts';
import { type TurnTimings, turnMachine } from '../turn-machine.ts';
import { type AsrErrorRates, applyAsrErrors } from './asr-errors.ts';
import type { CallerAction, PersonaCaller, Verdict } from './personas.ts';

export interface SimCallOptions {
  caller: PersonaCaller;
  catalog: Catalog;
  rng: () => number;
  asrErrors: AsrErrorRates;
  timings?: Partial<TurnTimings>;
  /** Chance that an agent is free when the dialog transfers (default 1). */
  agentFree?: number;
  /** VAD decision delays: speech start after onset, speech end after the last word. */
  vadOnsetMs?: number;
  vadHangoverMs?: number;
  /** Recognizer final after a flush. */
  asrLatencyMs?: number;
  /** The recognizer's own endpoint: a final this long after the last word (pocketsphinx does). */
  asrEndpointMs?: number;
  /** Give up (a stuck call) after this much simulated time. Default 20 min. */
  maxCallMs?: number;
  /** Voice-order dialog input (elderly mode, no-input timeout); default: the dialog's own. */
  dialogInput?: Record<string, unknown>;
  /** Another build of the voice-order dialog (services already provided); default: the shipped one. */
  machine?: AnyStateMachine;
}

export interface SimCallResult {
  verdict: Verdict;
  outcome?: { status: string; slots: Record<string, unknown> };
  simMs: number;
  /** Caller turns taken (utterances and key entries). */
  turns: number;
  bargeIns: number;
  /** Dialog prompts that started while the caller was talking (e.g. a no-input re-prompt). */
  talkedOver: number;
  transcript: string[];
}

/** Spoken words per second at tempo 1 (espeak-ng's default 175 wpm is about 2.9). */
const WORDS_PER_S = 2.6;
/** Prompt characters per second at rate 1. */
const CHARS_PER_S = 15;
const INTERNAL = 'session:';

interface Word {
  text: string;
  endAt: number;
}

export async function simulateCall(o: SimCallOptions): Promise<SimCallResult> {
  const clock = new SimulatedClock();
  const nlu = new DeterministicNlu();
  const { caller, catalog, rng } = o;
  const vadOnsetMs = o.vadOnsetMs ?? 150;
  const vadHangoverMs = o.vadHangoverMs ?? 500;
  const asrLatencyMs = o.asrLatencyMs ?? 150;
  const asrEndpointMs = o.asrEndpointMs ?? 600;
  const transcript: string[] = [];
  const log = (line: string) => transcript.push(`${(clock.now() / 1000).toFixed(1)} ${line}`);
  let outcome: SimCallResult['outcome'];
  let ended = false;
  let turns = 0;
  let bargeIns = 0;
  let talkedOver = 0;
  const dialog = createActor(
    o.machine ??
      createVoiceOrderDialog(
        { catalog },
        {
          lookupAddress: async (id) => (id === caller.plan.from ? caller.plan.registeredAddress : null),
          submitOrder: async () => ({ orderId: 'A1' }),
        },
      ),
    { clock, input: o.dialogInput ?? {} },
  );
  const toDialog = (e: DialogEvent) => {
    if (!ended || e.type === 'call.hangup') dialog.send(e);
  };

  // ---- playback: one prompt at a time, played for a time computed from its words ----------
  /** The prompt on the line; `pausedAt` is how far it had played when the session paused it. */
  type Playing = { cmd: SayCommand; startAt: number; endAt: number; timer: unknown; pausedAt: number | null };
  /** Asked for by the dialog, not yet put on the line by the turn machine (it defers them while the caller talks). */
  const asked: SayCommand[] = [];
  const queue: SayCommand[] = [];
  let playing: Playing | null = null;
  const drained: (() => void)[] = [];
  const checkDrained = () => {
    if (!playing && queue.length === 0 && asked.length === 0) for (const f of drained.splice(0)) f();
  };
  const promptMs = (cmd: SayCommand) => 300 + (cmd.text.length * 1000) / (CHARS_PER_S * (cmd.rate ?? 1));
  const startNext = () => {
    const cmd = queue.shift();
    if (!cmd) {
      playing = null;
      checkDrained();
      return;
    }
    const now = clock.now();
    const ms = promptMs(cmd);
    playing = { cmd, startAt: now, endAt: now + ms, timer: null, pausedAt: null };
    playing.timer = clock.setTimeout(() => playedOut(cmd), ms);
    log(`bot ${cmd.promptId}: ${cmd.text}`);
    if (!cmd.promptId.startsWith(INTERNAL)) onPromptStart(playing);
    else if (lastSaid) {
      // "Sorry, please go on.": the caller says it again.
      const again = lastSaid;
      clock.setTimeout(() => act({ kind: 'say', when: 'after', delayMs: 0, ...again }), ms + 500);
    }
  };
  const playedOut = (cmd: SayCommand) => {
    playing = null;
    turn.send({ type: 'bot.played', promptId: cmd.promptId });
    startNext();
  };
  /** The session's pause (the caller may be barging in): silence, the place kept. */
  const pausePlayback = () => {
    if (!playing || playing.pausedAt !== null) return;
    clock.clearTimeout(playing.timer as number);
    playing.pausedAt = clock.now() - playing.startAt;
    log(`bot paused at ${Math.round(playing.pausedAt)} ms`);
  };
  /** Resume from 200 ms before the cut (the session backs up to a word gap). */
  const resumePlayback = () => {
    if (!playing || playing.pausedAt === null) return;
    const p = playing;
    const from = Math.max(0, (p.pausedAt ?? 0) - 200);
    const ms = p.endAt - p.startAt;
    p.startAt = clock.now() - from;
    p.endAt = p.startAt + ms;
    p.pausedAt = null;
    p.timer = clock.setTimeout(() => playedOut(p.cmd), ms - from);
    log(`bot resumes from ${Math.round(from)} ms`);
  };
  const whenDrained = (f: () => void) => (playing || queue.length || asked.length ? drained.push(f) : f());
  const flushPlayback = () => {
    if (playing) {
      clock.clearTimeout(playing.timer as number);
      log(`bot cut at ${Math.round(playing.pausedAt ?? clock.now() - playing.startAt)} ms`);
    }
    playing = null;
    queue.length = 0;
    checkDrained();
  };
  const takeAsked = (promptId: string) => {
    const i = asked.findIndex((c) => c.promptId === promptId);
    return i < 0 ? undefined : asked.splice(i, 1)[0];
  };
  /** The turn machine puts an asked prompt on the line. */
  const playPrompt = (promptId: string) => {
    const cmd = takeAsked(promptId);
    if (!cmd) return;
    queue.push(cmd);
    if (!playing) startNext();
  };
  /** ... or drops it (the dialog's answer to the caller replaced it). */
  const dropPrompt = (promptId: string) => {
    const cmd = takeAsked(promptId);
    if (!cmd) return;
    log(`bot drops ${promptId}: ${cmd.text}`);
    promptDone(promptId, true);
    checkDrained();
  };
  const say = (cmd: SayCommand) => {
    asked.push(cmd);
    turn.send({ type: 'bot.say', promptId: cmd.promptId, bargeIn: cmd.bargeIn });
  };

  // ---- the caller's speech: words on the timeline, VAD edges, recognizer finals ------------
  let words: Word[] = [];
  let streamFrom = 0;
  let lastSaid: { text: string; tempo: number } | null = null;
  let vadSpeaking = false;
  let vadEndTimer: unknown = null;
  /** Onset of the speech the VAD is in (or about to report). */
  let vadOnset: number | null = null;
  /** Onset of the utterance no final has covered yet. */
  let uttOnset: number | null = null;
  let asrEndTimer: unknown = null;
  let spokeSinceFinal = false;
  let pending: unknown = null;
  let listen: ListenCommand | null = null;
  /** The last dialog node (not a built-in one) that spoke: where a failed call went wrong. */
  let lastNode = '';

  const speak = (text: string, tempo: number, pause?: { atWord: number; ms: number }) => {
    turns++;
    const wordMs = 1000 / (WORDS_PER_S * tempo);
    let t = clock.now();
    const list = text.split(' ');
    const segments: [number, number][] = [[t, t]];
    list.forEach((w, i) => {
      if (pause && i === pause.atWord) {
        t += pause.ms;
        segments.push([t, t]);
      }
      t += wordMs;
      words.push({ text: w, endAt: t });
      segments.at(-1)![1] = t;
    });
    log(`caller says "${text}"`);
    lastSaid = { text, tempo };
    for (const [from, to] of segments) {
      // Speech resets the VAD's hangover at once; the start is decided vadOnsetMs later.
      clock.setTimeout(() => {
        if (asrEndTimer !== null) clock.clearTimeout(asrEndTimer as number);
        if (vadEndTimer !== null) clock.clearTimeout(vadEndTimer as number);
        vadEndTimer = null;
        if (!vadSpeaking && vadOnset === null) vadOnset = from;
        clock.setTimeout(() => {
          if (vadSpeaking || ended) return;
          vadSpeaking = true;
          spokeSinceFinal = true;
          uttOnset ??= vadOnset;
          // The WebRTC VAD reports after hearing its own minimum (about vadOnsetMs) of speech.
          turn.send({ type: 'vad.start', heardMs: vadOnsetMs });
        }, vadOnsetMs);
      }, from - clock.now());
      clock.setTimeout(() => {
        asrEndTimer = clock.setTimeout(flushAsr, asrEndpointMs);
        vadEndTimer = clock.setTimeout(() => {
          vadEndTimer = null;
          if (!vadSpeaking || ended) return;
          vadSpeaking = false;
          // The speech's onset-to-end media time, as the session's VAD input reports it.
          const speechMs = to - (vadOnset ?? to);
          vadOnset = null;
          turn.send({ type: 'vad.end', speechMs });
        }, vadHangoverMs);
      }, to - clock.now());
    }
  };

  const flushAsr = () => {
    const now = clock.now();
    const heard = words.filter((w) => w.endAt > streamFrom && w.endAt <= now);
    words = words.filter((w) => w.endAt > now);
    if (heard.length === 0 || !spokeSinceFinal) return;
    let text = applyAsrErrors(heard.map((w) => w.text).join(' '), o.asrErrors, rng);
    // A grammar-mode recognizer (pocketsphinx) returns only what the listen's grammar allows.
    if (listen?.grammar && !matchesGrammar(listen.grammar, text)) text = '';
    const stream = streamFrom;
    clock.setTimeout(() => {
      if (ended || stream !== streamFrom) return;
      spokeSinceFinal = vadSpeaking;
      if (!vadSpeaking) uttOnset = null;
      turn.send({ type: 'asr.text', text });
    }, asrLatencyMs);
  };

  const act = (a: CallerAction) => {
    if (ended) return;
    const busyFor = (words.at(-1)?.endAt ?? 0) - clock.now();
    if (busyFor > 0) {
      // One mouth: what the caller meant to say next waits until they have finished.
      clock.setTimeout(() => act(a), busyFor + 300);
      return;
    }
    if (a.kind === 'say') speak(a.text, a.tempo, a.pause);
    else if (a.kind === 'keys') {
      turns++;
      log(`caller keys ${a.digits}`);
      [...a.digits].forEach((digit, i) => {
        clock.setTimeout(() => {
          if (!ended) turn.send({ type: 'dtmf', digit });
        }, i * 250);
      });
    }
  };
  let promptSeq = 0;
  const onPromptStart = (p: Playing) => {
    const node = p.cmd.promptId.split('#')[0] ?? '';
    if (!node.startsWith('_')) lastNode = node;
    const seq = ++promptSeq;
    // A caller still talking when the bot starts a prompt finishes first; if the bot has not
    // answered what they said a moment later, they take this prompt as the question to answer.
    const talkingFor = (words.at(-1)?.endAt ?? 0) - clock.now();
    if (talkingFor > 0) {
      talkedOver++;
      log('(the caller is still talking)');
      clock.setTimeout(() => {
        if (seq === promptSeq && !ended) react(p, node);
      }, talkingFor + 1500);
      return;
    }
    react(p, node);
  };
  const react = (p: Playing, node: string) => {
    const a = caller.react({ node, text: p.cmd.text });
    if (a.kind === 'none') return;
    if (pending !== null) clock.clearTimeout(pending as number);
    const at =
      a.when === 'during' && a.delayMs < p.endAt - p.startAt ? p.startAt + a.delayMs : p.endAt + a.delayMs;
    pending = clock.setTimeout(
      () => {
        pending = null;
        act(a);
      },
      Math.max(0, at - clock.now()),
    );
  };

  // ---- the session's effects for the turn machine ----------------------------------------
  const promptDone = (promptId: string, interrupted: boolean) => {
    if (!promptId.startsWith(INTERNAL)) toDialog({ type: 'prompt.done', promptId, interrupted });
  };
  const turn = createActor(
    turnMachine.provide({
      actions: {
        clearPlayback: () => flushPlayback(),
        pausePlayback: () => pausePlayback(),
        resumePlayback: () => resumePlayback(),
        playPrompts: (_, p) => {
          for (const q of p.prompts) playPrompt(q.promptId);
        },
        dropPrompts: (_, p) => {
          for (const q of p.prompts) dropPrompt(q.promptId);
        },
        reportInterrupted: (_, p) => {
          for (const q of p.prompts) promptDone(q.promptId, true);
        },
        reportPlayed: (_, p) => promptDone(p.promptId, false),
        deliverWords: (_, p) => {
          log(`heard "${p.text}"`);
          const parsed = nlu.parse(p.text, {
            language: 'en-US',
            expected: listen?.expected ?? 'free',
            catalog,
            now: new Date(),
          });
          toDialog({ type: 'user.said', text: p.text, confidence: 0.9, nlu: parsed });
        },
        deliverDtmf: (_, p) => toDialog({ type: 'user.dtmf', digit: p.digit }),
        reportSpeechStart: () => toDialog({ type: 'user.speech_start' }),
        reportUnheard: () => {
          log('heard no words');
          toDialog({ type: 'user.unheard' });
        },
        bargedIn: () => {
          bargeIns++;
        },
        flushAsr: () => flushAsr(),
        noiseReprompt: () =>
          say({
            type: 'say',
            promptId: `${INTERNAL}noise`,
            text: SESSION_PHRASES['en-US'].noise,
            bargeIn: 'always',
          }),
        maxDuration: () => end('max-duration'),
      },
    }),
    { clock, input: { timings: o.timings ?? {} } },
  );

  const end = (why: string) => {
    if (ended) return;
    log(`call ends: ${why}`);
    if (dialog.getSnapshot().status === 'active') toDialog({ type: 'call.hangup' });
    ended = true;
    turn.stop();
    dialog.stop();
  };

  const onCommand = (cmd: DialogCommand) => {
    if (ended) return;
    switch (cmd.type) {
      case 'say':
        say(cmd);
        return;
      case 'listen':
        listen = cmd;
        // A recognizer opened mid-utterance is first given the utterance from 300 ms before its
        // speech start (utterance-audio.ts); words a final already covered are gone.
        streamFrom = spokeSinceFinal && uttOnset !== null ? uttOnset - 300 : clock.now();
        turn.send({
          type: 'listen',
          ...(cmd.endpointSilenceMs ? { endpointSilenceMs: cmd.endpointSilenceMs } : {}),
        });
        return;
      case 'transfer':
        whenDrained(() =>
          clock.setTimeout(() => {
            const ok = rng() < (o.agentFree ?? 1);
            log(`transfer ${ok ? 'done' : 'no agent'}`);
            toDialog(ok ? { type: 'transfer.done', ok } : { type: 'transfer.done', ok, reason: 'no-agent' });
            if (ok) end('transferred');
          }, 300),
        );
        return;
      case 'hangup':
        whenDrained(() => end(`bot hung up (${cmd.reason})`));
        return;
      case 'outcome':
        outcome = { status: cmd.status, slots: cmd.slots };
        return;
      case 'stop_prompt':
        turn.send({ type: 'bot.stop' });
        return;
    }
  };
  for (const type of ['say', 'listen', 'transfer', 'hangup', 'outcome', 'stop_prompt'] as const) {
    dialog.on(type, (cmd) => onCommand(cmd as DialogCommand));
  }

  turn.start();
  dialog.start();
  dialog.send({
    type: 'call.started',
    call: { callId: 'sim', direction: 'inbound', language: 'en-US', parameters: {}, from: caller.plan.from },
  });
  const maxMs = o.maxCallMs ?? 20 * 60_000;
  while (!ended && clock.now() < maxMs) {
    clock.increment(10);
    // The dialog's tasks (address lookup, order submission) are promises: let them settle.
    if (Object.keys((dialog.getSnapshot() as { children: Record<string, AnyActorRef> }).children).length > 0)
      await new Promise((r) => setImmediate(r));
  }
  if (!ended) end('stuck: time limit');
  const verdict = caller.judge(outcome);
  if (!verdict.ok) verdict.why = `${verdict.why} @${lastNode}`;
  return {
    verdict,
    ...(outcome ? { outcome } : {}),
    simMs: clock.now(),
    turns,
    bargeIns,
    talkedOver,
    transcript,
  };
}
