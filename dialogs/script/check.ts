/**
 * The checks zod cannot make: links to nodes that do not exist, nodes never reached, undeclared
 * {{variables}}, keypad keys reserved for the person / opt-out / repeat, branch conditions.
 * Pure: returns every problem with its path, a message that names the bad value and the fix.
 */
import { templateNames } from '../blocks/text.ts';
import type { ScriptProblem } from './problems.ts';
import type { Script, ScriptNode, ScriptText } from './schema.ts';

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

function suggest(bad: string, known: string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(bad.toLowerCase(), k.toLowerCase()) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, bad.length / 3)
    ? `did you mean "${best.k}"?`
    : `known nodes: ${known.join(', ')}`;
}

/** Every link of a node: [path inside the node, target id]. */
export function nodeLinks(node: ScriptNode): Array<[(string | number)[], string]> {
  switch (node.kind) {
    case 'say':
    case 'ask':
    case 'digits':
      return [[['next'], node.next]];
    case 'confirm':
      return [
        [['yes'], node.yes],
        [['no'], node.no],
      ];
    case 'menu':
      return node.options.map((o, i) => [['options', i, 'next'], o.next]);
    case 'transfer':
      return node.failed ? [[['failed'], node.failed]] : [];
    case 'hangup':
      return [];
    case 'branch':
      return [
        ...node.cases.map((c, i): [(string | number)[], string] => [['cases', i, 'next'], c.next]),
        [['else'], node.else],
      ];
  }
}

function texts(node: ScriptNode): Array<[string, ScriptText]> {
  const out: Array<[string, ScriptText]> = [];
  for (const k of ['text', 'reprompt', 'keypadHint', 'help'] as const) {
    const v = (node as Partial<Record<typeof k, ScriptText>>)[k];
    if (v !== undefined) out.push([k, v]);
  }
  return out;
}

export function checkScript(script: Script): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  const ids = Object.keys(script.nodes);
  const slots = new Set(
    Object.values(script.nodes).flatMap((n) => ('slot' in n && n.slot !== undefined ? [n.slot] : [])),
  );
  const known = new Set([...script.variables, ...slots, 'company']);

  if (!(script.start in script.nodes))
    problems.push({
      path: ['start'],
      message: `"${script.start}" is not a node: ${suggest(script.start, ids)}`,
    });

  for (const [id, node] of Object.entries(script.nodes)) {
    for (const [path, target] of nodeLinks(node)) {
      if (!(target in script.nodes))
        problems.push({
          path: ['nodes', id, ...path],
          message: `"${target}" is not a node: ${suggest(target, ids)}`,
        });
    }
    for (const [field, t] of texts(node)) {
      const variants =
        typeof t === 'string' ? [['', t] as const] : Object.entries(t).map(([l, s]) => [l, s!] as const);
      if (typeof t !== 'string' && t[script.language] === undefined)
        problems.push({
          path: ['nodes', id, field],
          message: `no ${script.language} text, but the script's language is ${script.language}: add a "${script.language}" entry`,
        });
      for (const [lang, s] of variants) {
        for (const name of templateNames(s)) {
          if (!known.has(name))
            problems.push({
              path: ['nodes', id, field, ...(lang ? [lang] : [])],
              message: `{{${name}}} is neither a declared variable nor a slot: add "${name}" to variables, or fix the spelling (known: ${[...known].join(', ') || 'none'})`,
            });
        }
      }
    }
    if (node.kind === 'menu') {
      const seen = new Map<string, number>();
      node.options.forEach((o, i) => {
        if (o.key === undefined) return;
        const reserved =
          o.key === '0'
            ? 'is reserved for "talk to a person"'
            : o.key === '*'
              ? 'is reserved for "repeat"'
              : script.optOut && o.key === script.optOut.key
                ? 'is the opt-out key of this script'
                : undefined;
        if (reserved)
          problems.push({
            path: ['nodes', id, 'options', i, 'key'],
            message: `key "${o.key}" ${reserved}: pick another key`,
          });
        const first = seen.get(o.key);
        if (first !== undefined)
          problems.push({
            path: ['nodes', id, 'options', i, 'key'],
            message: `key "${o.key}" is also used by options[${first}]: give each option its own key`,
          });
        else seen.set(o.key, i);
      });
    }
    if (
      node.kind === 'digits' &&
      node.minLength !== undefined &&
      node.maxLength !== undefined &&
      node.minLength > node.maxLength
    )
      problems.push({
        path: ['nodes', id, 'minLength'],
        message: `minLength ${node.minLength} is more than maxLength ${node.maxLength}: swap or fix them`,
      });
    if (node.kind === 'branch') {
      node.cases.forEach((c, i) => {
        const tests = (['equals', 'in', 'exists', 'atLeast', 'atMost'] as const).filter(
          (k) => c[k] !== undefined,
        );
        if (tests.length !== 1)
          problems.push({
            path: ['nodes', id, 'cases', i],
            message: `give exactly one of equals, in, exists, atLeast, atMost (found ${tests.length === 0 ? 'none' : tests.join(', ')})`,
          });
        if (!known.has(c.slot))
          problems.push({
            path: ['nodes', id, 'cases', i, 'slot'],
            message: `"${c.slot}" is not set by any node nor a declared variable: fix the name or add it to variables`,
          });
      });
    }
  }

  // Reachability from start.
  if (script.start in script.nodes) {
    const seen = new Set<string>([script.start]);
    const todo = [script.start];
    while (todo.length > 0) {
      const n = script.nodes[todo.pop()!];
      if (!n) continue;
      for (const [, t] of nodeLinks(n)) {
        if (seen.has(t) || !(t in script.nodes)) continue;
        seen.add(t);
        todo.push(t);
      }
    }
    for (const id of ids)
      if (!seen.has(id))
        problems.push({
          path: ['nodes', id],
          message: `node "${id}" is never reached from start: link it from another node or delete it`,
        });
  }
  return problems;
}
