/**
 * Reads a script from YAML or JSON text: parses it (syntax errors with their line), validates it
 * with the zod schema and the semantic checks, and maps every problem's path to its line with
 * the yaml package's source positions. Pure: callers read the file.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { checkScript } from './check.ts';
import { type ScriptProblem, scriptError } from './problems.ts';
import { type Script, ScriptSchema } from './schema.ts';

export interface LoadResult {
  script?: Script;
  problems: ScriptProblem[];
}

/** Validates without throwing: the script when valid, else every problem found. */
export function validateScriptText(text: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        path: [],
        line: lineCounter.linePos(e.pos[0]).line,
        message: `${e.message.split('\n')[0]}: fix the YAML/JSON syntax`,
      })),
    };
  }
  const lineOf = (path: (string | number)[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const parsed = ScriptSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => {
        const at = i.path.filter((p): p is string | number => typeof p !== 'symbol');
        // An unknown key is reported on its parent; point at the key itself.
        const path = i.code === 'unrecognized_keys' && i.keys[0] !== undefined ? [...at, i.keys[0]] : at;
        const bad = path.length > 0 ? doc.getIn(path) : undefined;
        const shown = bad === undefined || typeof bad === 'object' ? '' : ` (got ${JSON.stringify(bad)})`;
        return { path, line: lineOf(path), message: `${i.message}${shown}` };
      }),
    };
  }
  const problems = checkScript(parsed.data).map((p) => ({ ...p, line: lineOf(p.path) }));
  return problems.length > 0 ? { problems } : { script: parsed.data, problems };
}

/** The script, or DIALOG_SCRIPT_INVALID listing every problem with its line. */
export function parseScript(source: string, text: string): Script {
  const r = validateScriptText(text);
  if (!r.script) throw scriptError(source, r.problems);
  return r.script;
}
