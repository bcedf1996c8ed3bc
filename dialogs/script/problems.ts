/** A script problem: where (path and line), what, and how to fix it. */
import { VoicebotError } from '../../engine/errors.ts';

export interface ScriptProblem {
  path: (string | number)[];
  line?: number;
  message: string;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.length === 0
    ? '(top)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .slice(1);
}

export function formatProblem(source: string, p: ScriptProblem): string {
  return `${source}${p.line !== undefined ? `:${p.line}` : ''}: ${formatPath(p.path)}: ${p.message}`;
}

export function scriptError(source: string, problems: ScriptProblem[]): VoicebotError {
  const lines = problems.map((p) => formatProblem(source, p));
  return new VoicebotError(
    'DIALOG_SCRIPT_INVALID',
    `${source} is not a valid dialog script:\n${lines.join('\n')}`,
    {
      source,
      problems: lines,
    },
  );
}
