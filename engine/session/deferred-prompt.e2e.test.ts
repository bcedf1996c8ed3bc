/**
 * End to end over the real WebSocket gateway (espeak-ng, pocketsphinx in phrase-grammar mode,
 * WebRTC VAD): a dialog that nudges 1.5 s after its question asks for the nudge while the caller
 * is answering; the session defers it, and the dialog's answer to the caller's words replaces it.
 * The caller never hears "Are you still there?".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import type { DialogCommand, DialogEvent } from '../../dialogs/contract.ts';
import { loadAudio, SimCaller } from '../../fixtures/sim-caller/sim-caller.ts';
import { type SessionEngine, startSessionEngine } from './testing/session-engine.ts';

const PHRASES = ['two pizzas', 'two large pizzas', 'one small salad'];
const NUDGE = 'Are you still there? Say two pizzas or one small salad.';

const nudgingDialog = setup({
  types: { events: {} as DialogEvent, emitted: {} as DialogCommand },
  delays: { nudge: 1500 },
}).createMachine({
  id: 'nudging',
  initial: 'start',
  on: {
    'call.hangup': '.done',
    'user.said': {
      target: '.bye',
      actions: emit(({ event }) => ({
        type: 'outcome' as const,
        status: 'ordered',
        slots: { text: event.type === 'user.said' ? event.text : '' },
      })),
    },
  },
  states: {
    start: { on: { 'call.started': 'ask' } },
    ask: {
      entry: [
        emit({
          type: 'say',
          promptId: 'ask',
          text: 'What would you like? Say two large pizzas.',
          bargeIn: 'always',
        }),
        emit({ type: 'listen', expected: 'free', grammar: { kind: 'phrases', phrases: PHRASES } }),
      ],
      on: { 'prompt.done': 'waiting' },
    },
    // Impatient on purpose: it does not wait for the caller's speech to end.
    waiting: {
      after: {
        nudge: {
          target: 'nudged',
          actions: emit({ type: 'say', promptId: 'nudge', text: NUDGE, bargeIn: 'always' }),
        },
      },
    },
    nudged: {},
    bye: {
      entry: [
        emit({ type: 'say', promptId: 'bye', text: 'Thank you. Goodbye.', bargeIn: 'never' }),
        emit({ type: 'hangup', reason: 'done' }),
      ],
    },
    done: { type: 'final' },
  },
});

let se: SessionEngine;
let caller: SimCaller | null = null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  se = await startSessionEngine({ dialogFor: () => ({ name: 'nudging', machine: nudgingDialog }) });
});

afterAll(async () => {
  if (caller && !caller.closeInfo) caller.terminate();
  await se?.close();
});

describe('session e2e: a prompt asked while the caller talks', () => {
  it("is deferred, then dropped when the dialog answers the caller's words", async () => {
    caller = new SimCaller({
      url: se.engine.url,
      protocol: 'twilio',
      token: se.token(),
      from: '+15550100001',
      to: '+15550100002',
      callSid: 'CA-deferred-1',
    });
    await caller.connect();
    const c = caller;
    // The question has played and gone quiet for 400 ms; speech starts 400 ms into the clip.
    const until = performance.now() + 15_000;
    for (;;) {
      const last = c.heardSegments().at(-1);
      if (last && c.now() - (last.startMs + last.samples.length / 8) > 400) break;
      if (performance.now() > until) throw new Error('the bot never went quiet');
      await sleep(20);
    }
    const clip = new URL('../../fixtures/speech/set/en-two-large-pizzas-en-us-160.wav', import.meta.url);
    await c.play(loadAudio(clip.pathname, 8000));
    const rec = await se.record('CA-deferred-1', 20_000);
    const bot = rec.transcript.filter((t) => t.side === 'bot').map((t) => t.promptId);
    expect(bot, JSON.stringify(rec.events)).toEqual(['ask', 'bye']);
    expect(rec.events).toContainEqual(
      expect.objectContaining({ type: 'prompt.dropped', promptId: 'nudge', why: 'superseded' }),
    );
    expect(rec.outcome?.slots.text).toBe('two large pizzas');
  }, 30_000);
});
