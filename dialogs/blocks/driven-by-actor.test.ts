/**
 * The session runtime drives the dialog from the turn machine's provided actions (prompt.done,
 * user.dtmf, user.speech_start are sent while XState runs one of those actions). XState's
 * development build warns on stderr when assign()/emit() are called in that window, so the dialog
 * must resolve its actions without creating actions at run time. This test drives a dialog the
 * same way and fails on any such warning.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, setup } from 'xstate';
import type { DialogCommand, DialogEvent } from '../contract.ts';
import { confirm } from './blocks.ts';
import { buildDialogMachine } from './build-machine.ts';

const dialogMachine = buildDialogMachine({
  id: 'driven',
  start: 'ask',
  nodes: {
    ask: confirm({ prompt: 'Shall we?', yes: 'done', no: 'done', slot: 'ok' }),
    done: { kind: 'hangup', prompt: 'Thank you, goodbye.', status: 'completed', exits: {} },
  },
});

/** A host actor whose custom action forwards events to the dialog, like the session's turn machine. */
function hostFor(dialog: { send: (e: DialogEvent) => void }) {
  return createActor(
    setup({
      types: { events: {} as { type: 'forward'; event: DialogEvent } },
      actions: {
        forward: ({ event }) => dialog.send(event.event),
      },
    }).createMachine({ on: { forward: { actions: 'forward' } } }),
  ).start();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a dialog driven from another actor action', () => {
  it('says, listens, records the outcome and hangs up with no XState warning', () => {
    const warn = vi.spyOn(console, 'warn');
    const commands: DialogCommand[] = [];
    const dialog = createActor(dialogMachine, { input: undefined });
    for (const type of ['say', 'listen', 'outcome', 'hangup'] as const)
      dialog.on(type, (c: DialogCommand) => commands.push(c));
    dialog.start();
    const host = hostFor(dialog);
    const forward = (event: DialogEvent) => host.send({ type: 'forward', event });

    forward({
      type: 'call.started',
      call: { callId: 'c1', direction: 'inbound', language: 'en-US', parameters: {} },
    });
    const question = commands.find((c) => c.type === 'say');
    expect(question).toMatchObject({ type: 'say', promptId: 'ask#1', text: 'Shall we?' });
    forward({ type: 'prompt.done', promptId: 'ask#1', interrupted: false });
    forward({ type: 'user.dtmf', digit: '1' });
    expect(commands.filter((c) => c.type === 'say').map((c) => (c as { text: string }).text)).toEqual([
      'Shall we?',
      'Thank you, goodbye.',
    ]);
    expect(commands.find((c) => c.type === 'outcome')).toEqual({
      type: 'outcome',
      status: 'completed',
      slots: { ok: true },
    });
    forward({ type: 'call.hangup' });
    expect(dialog.getSnapshot().context.outcome).toBe('completed');

    const xstateWarnings = warn.mock.calls.filter((args) => String(args[0]).includes('Custom actions'));
    expect(xstateWarnings).toEqual([]);
  });

  it('a caller hanging up before any outcome records caller-hung-up, with no XState warning', () => {
    const warn = vi.spyOn(console, 'warn');
    const commands: DialogCommand[] = [];
    const dialog = createActor(dialogMachine, { input: undefined });
    dialog.on('outcome', (c: DialogCommand) => commands.push(c));
    dialog.start();
    const host = hostFor(dialog);
    host.send({
      type: 'forward',
      event: {
        type: 'call.started',
        call: { callId: 'c2', direction: 'inbound', language: 'en-US', parameters: {} },
      },
    });
    host.send({ type: 'forward', event: { type: 'call.hangup' } });
    expect(commands).toEqual([{ type: 'outcome', status: 'caller-hung-up', slots: {} }]);
    expect(warn.mock.calls.filter((args) => String(args[0]).includes('Custom actions'))).toEqual([]);
  });
});
