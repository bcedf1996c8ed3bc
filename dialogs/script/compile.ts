/**
 * Compiles a validated script into a DialogDefinition built from the blocks, and from there into
 * an XState machine (zero I/O, same behaviour as hand-written dialogs: re-prompts, global
 * intents, keypad, a person from every state, opt-out).
 */
import { ask, branch, confirm, digits, hangup, menu, say, transfer } from '../blocks/blocks.ts';
import { buildDialogMachine } from '../blocks/build-machine.ts';
import type { Answer, DialogContext, DialogDefinition, DialogNode, LocalizedText } from '../blocks/types.ts';
import { parseScript } from './load.ts';
import type { Script, ScriptNode, ScriptText } from './schema.ts';

const localized = (t: ScriptText | undefined): LocalizedText | undefined => t;

function common(n: {
  text: ScriptText;
  reprompt?: ScriptText;
  keypadHint?: ScriptText;
  help?: ScriptText;
  bargeIn?: unknown;
}) {
  return {
    prompt: n.text,
    ...(n.reprompt ? { reprompt: n.reprompt } : {}),
    ...(n.keypadHint ? { keypadHint: n.keypadHint } : {}),
    ...(n.help ? { help: n.help } : {}),
    ...(n.bargeIn ? { bargeIn: n.bargeIn as 'always' } : {}),
  };
}

function askValue(expected: string, answer: Answer): unknown {
  if (answer.source === 'keypad') {
    if (expected === 'number') return /^\d+$/.test(answer.digits) ? Number(answer.digits) : undefined;
    if (expected === 'digits') return answer.digits || undefined;
    if (expected === 'yesno') return answer.digits === '1' ? true : answer.digits === '2' ? false : undefined;
    return undefined;
  }
  const s = answer.nlu.slots;
  switch (expected) {
    case 'number':
      return s.number?.value;
    case 'digits':
      return s.digits?.value;
    case 'yesno':
      return s.yesno?.value;
    case 'date':
      return s.date
        ? { date: s.date.date, ...(s.date.time ? { time: s.date.time } : {}), timeZone: s.date.timeZone }
        : undefined;
    default:
      return answer.text.trim() || undefined;
  }
}

type Case = Extract<ScriptNode, { kind: 'branch' }>['cases'][number];

function holds(c: Case, ctx: DialogContext): boolean {
  const v = ctx.slots[c.slot] ?? ctx.vars[c.slot];
  if (c.exists !== undefined) return (v !== undefined && v !== null && v !== '') === c.exists;
  if (c.equals !== undefined) return v === c.equals || String(v) === String(c.equals);
  if (c.in !== undefined) return c.in.some((x) => String(x) === String(v));
  const num = typeof v === 'number' ? v : Number(v);
  if (c.atLeast !== undefined) return Number.isFinite(num) && num >= c.atLeast;
  if (c.atMost !== undefined) return Number.isFinite(num) && num <= c.atMost;
  return false;
}

function compileNode(n: ScriptNode): DialogNode {
  switch (n.kind) {
    case 'say':
      return say(n.text, n.next, n.bargeIn ? { bargeIn: n.bargeIn } : {});
    case 'ask':
      return ask({
        ...common(n),
        expected: n.expected,
        ...(n.hints ? { hints: n.hints } : {}),
        ...(n.expected === 'yesno' ? { grammar: { kind: 'yesno' as const } } : {}),
        ...((n.expected === 'number' || n.expected === 'digits') && (n.maxDigits ?? 16) > 1
          ? { dtmf: { terminator: '#', maxDigits: n.maxDigits ?? 16 } }
          : {}),
        exits: { next: n.next },
        accept: (answer) => {
          const value = askValue(n.expected, answer);
          return value === undefined ? null : { exit: 'next', slots: { [n.slot]: value } };
        },
      });
    case 'confirm':
      return confirm({ ...common(n), yes: n.yes, no: n.no, ...(n.slot ? { slot: n.slot } : {}) });
    case 'menu':
      return menu({ ...common(n), options: n.options, ...(n.slot ? { slot: n.slot } : {}) });
    case 'digits':
      return digits({
        ...common(n),
        slot: n.slot,
        next: n.next,
        ...(n.minLength !== undefined ? { minLength: n.minLength } : {}),
        ...(n.maxLength !== undefined ? { maxLength: n.maxLength } : {}),
        ...(n.terminator !== undefined ? { terminator: n.terminator } : {}),
      });
    case 'transfer':
      return transfer({
        reason: n.reason,
        ...(n.text ? { prompt: localized(n.text) } : {}),
        ...(n.target ? { target: n.target } : {}),
        ...(n.failed ? { failed: n.failed } : {}),
      });
    case 'hangup':
      return hangup(n.status, localized(n.text));
    case 'branch':
      return branch(
        n.cases.map((c, i) => ({
          exit: `case${i}`,
          when: (ctx: DialogContext) => holds(c, ctx),
          label: describeCase(c),
        })),
        n.else,
        Object.fromEntries(n.cases.map((c, i) => [`case${i}`, c.next])),
      );
  }
}

export function describeCase(c: Case): string {
  if (c.exists !== undefined) return `${c.slot} ${c.exists ? 'set' : 'not set'}`;
  if (c.equals !== undefined) return `${c.slot} = ${String(c.equals)}`;
  if (c.in !== undefined) return `${c.slot} in ${c.in.join('/')}`;
  if (c.atLeast !== undefined) return `${c.slot} >= ${c.atLeast}`;
  return `${c.slot} <= ${String(c.atMost)}`;
}

export function scriptDefinition(script: Script): DialogDefinition {
  return {
    id: script.id,
    start: script.start,
    nodes: Object.fromEntries(Object.entries(script.nodes).map(([id, n]) => [id, compileNode(n)])),
    elderlyByDefault: script.elderly,
    ...(script.optOut
      ? {
          optOut: {
            key: script.optOut.key,
            words: script.optOut.words,
            ...(script.optOut.text ? { prompt: script.optOut.text } : {}),
          },
        }
      : {}),
    onStart: (ctx) => ({
      language: script.language,
      vars: { ...(script.company ? { company: script.company } : {}), ...ctx.vars },
    }),
  };
}

export function compileScript(script: Script) {
  return buildDialogMachine(scriptDefinition(script));
}

/** YAML/JSON text -> machine; throws DIALOG_SCRIPT_INVALID naming every problem's line. */
export function compileScriptText(source: string, text: string) {
  return compileScript(parseScript(source, text));
}
