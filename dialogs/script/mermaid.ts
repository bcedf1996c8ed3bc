/**
 * A Mermaid state diagram of any XState machine (a compiled script or a hand-written dialog):
 * one box per top-level state, one arrow per way out of it (nested states folded into their
 * top-level state), labelled with the answer, intent, key or event that takes it.
 */
import type { AnyStateMachine } from 'xstate';

type AnyStateNode = AnyStateMachine['root'];
type Transition = { eventType: string; target?: readonly AnyStateNode[]; guard?: unknown };

function topOf(node: AnyStateNode, root: AnyStateNode): AnyStateNode {
  let n = node;
  while (n.parent && n.parent !== root) n = n.parent;
  return n;
}

function guardLabel(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard === 'isCurrentPrompt' ? 'played' : guard;
  if (!guard || typeof guard !== 'object') return undefined;
  const g = guard as { type?: string; params?: Record<string, unknown> };
  const p = g.params ?? {};
  if (g.type === 'turnExit') return String(p.exit);
  if (g.type === 'turnIntent' || g.type === 'saidIntent') return `"${String(p.intent)}"`;
  if (g.type === 'globalKeyIs') return `key ${p.action === 'human' ? '0' : String(p.action)}`;
  if (g.type === 'branchCase') return typeof p.label === 'string' ? p.label : `case ${String(p.index)}`;
  if (g.type === 'isCurrentPrompt') return 'played';
  return g.type;
}

function eventLabel(t: Transition): string {
  const guard = guardLabel(t.guard);
  if (t.eventType.startsWith('xstate.after')) return guard ? `timeout, ${guard}` : 'timeout';
  if (t.eventType === '') return guard ?? 'else';
  if (t.eventType === 'prompt.done') return guard ?? 'prompt.done';
  if (t.eventType.startsWith('xstate.done.actor')) return 'done';
  if (t.eventType.startsWith('xstate.error.actor')) return 'error';
  return guard ? `${t.eventType} ${guard}` : t.eventType;
}

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');

function collect(node: AnyStateNode): Transition[] {
  if (node.states === undefined) return [];
  const out: Transition[] = [];
  for (const list of node.transitions.values()) out.push(...(list as unknown as Transition[]));
  if (node.always) out.push(...(node.always as unknown as Transition[]));
  for (const child of Object.values(node.states)) out.push(...collect(child));
  return out;
}

/** Built-in states every question can reach (a person, goodbye, opt-out): drawn once, as notes. */
const GLOBAL_TARGETS = new Set(['_human', '_goodbye', '_opt_out']);

/**
 * `full: true` draws every arrow, including each question's own way to a person, goodbye and
 * opt-out; by default those are summarised in notes so the script's own flow stays readable.
 */
export function toMermaid(machine: Pick<AnyStateMachine, 'root'>, opts: { full?: boolean } = {}): string {
  const root = machine.root;
  const lines = ['stateDiagram-v2'];
  const initial = root.initial?.target?.[0];
  if (initial) lines.push(`  [*] --> ${safeId(initial.key)}`);
  const edges = new Set<string>();
  for (const top of Object.values(root.states)) {
    if (top.type === 'final') lines.push(`  ${safeId(top.key)} --> [*]`);
    for (const t of collect(top)) {
      for (const target of t.target ?? []) {
        const to = topOf(target, root);
        if (to === top) continue;
        if (!opts.full && GLOBAL_TARGETS.has(to.key) && !top.key.startsWith('_')) continue;
        const pair = `${top.key}->${to.key}`;
        if (
          t.eventType.startsWith('xstate.after') &&
          !opts.full &&
          [...edges].some((e) => e.startsWith(pair))
        )
          continue;
        const label = eventLabel(t).replace(/:/g, ' ');
        const edge = `  ${safeId(top.key)} --> ${safeId(to.key)} : ${label}`;
        if (!edges.has(`${pair} ${edge}`)) {
          edges.add(`${pair} ${edge}`);
          lines.push(edge);
        }
      }
    }
  }
  const notes = new Map<string, string[]>();
  for (const t of collect({ ...root, states: {} } as AnyStateNode)) {
    for (const target of t.target ?? []) {
      const key = safeId(topOf(target, root).key);
      notes.set(key, [...(notes.get(key) ?? []), eventLabel(t).replace(/:/g, ' ')]);
    }
  }
  if (!opts.full && notes.has('_human')) notes.get('_human')!.push('repeated failures on a question');
  for (const [key, why] of notes) lines.push(`  note right of ${key} : from any state - ${why.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
