/**
 * A dialog that keeps talking, for barge-in trials: it says a long announcement (barge-in
 * always) and listens; whatever the caller says, or once a prompt has played out, or after a
 * few seconds of quiet following an interruption, it starts the next announcement. Zero I/O,
 * written against the dialog contract only.
 */
import { assign, emit, setup } from 'xstate';
import type { DialogCommand, DialogEvent } from '../../dialogs/contract.ts';

export const ANNOUNCEMENTS = [
  'Thank you for calling the Sunshine Grocery order line. Today we have fresh bread, eggs, milk and vegetables, and every order over fifty yuan is delivered free of charge to your door.',
  'Our opening hours are from seven in the morning until nine in the evening, every day of the week, and orders placed before noon are usually delivered the same afternoon.',
  'This week we have a special offer on apples, bananas and tomatoes. Buy two pounds and get the third pound free. The offer ends on Sunday evening.',
];

export const talkDialog = setup({
  types: {
    context: {} as { n: number },
    events: {} as DialogEvent,
    emitted: {} as DialogCommand,
  },
  delays: { quiet: 3000 },
  actions: {
    next: assign({ n: ({ context }) => context.n + 1 }),
    announce: emit(({ context }) => ({
      type: 'say' as const,
      promptId: `announce#${context.n}`,
      text: ANNOUNCEMENTS[context.n % ANNOUNCEMENTS.length]!,
      bargeIn: 'always' as const,
    })),
    listen: emit({ type: 'listen' as const, expected: 'free' as const, endpointSilenceMs: 700 }),
  },
  guards: {
    played: ({ event }) => event.type === 'prompt.done' && !event.interrupted,
  },
}).createMachine({
  id: 'talk',
  context: { n: 0 },
  initial: 'start',
  on: { 'call.hangup': '.done' },
  states: {
    start: { on: { 'call.started': 'talking' } },
    talking: {
      entry: ['next', 'announce', 'listen'],
      on: {
        'prompt.done': [{ guard: 'played', target: 'talking', reenter: true }, { target: 'interrupted' }],
        'user.said': { target: 'talking', reenter: true },
      },
    },
    interrupted: {
      on: { 'user.said': 'talking' },
      after: { quiet: 'talking' },
    },
    done: { type: 'final' },
  },
});
