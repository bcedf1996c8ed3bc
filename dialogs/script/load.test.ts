import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../engine/errors.ts';
import { compileScriptText } from './compile.ts';
import { parseScript, validateScriptText } from './load.ts';

const root = join(import.meta.dirname, '../..');
const bad = join(root, 'fixtures/scripts/bad');
const goodFiles = [
  ...readdirSync(join(root, 'fixtures/scripts/good')).map((f) => join(root, 'fixtures/scripts/good', f)),
  ...readdirSync(join(root, 'dialogs/outbound')).map((f) => join(root, 'dialogs/outbound', f)),
].filter((f) => /\.(ya?ml|json)$/.test(f));

describe('good scripts', () => {
  it.each(goodFiles)('%s validates and compiles', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(validateScriptText(text).problems).toEqual([]);
    expect(compileScriptText(file, text).id).toBe('dialog');
  });
});

describe('bad scripts: every error class names the line, the path and the fix', () => {
  it.each(readdirSync(bad))('%s', (name) => {
    const text = readFileSync(join(bad, name), 'utf8');
    const line = Number(/# expect-line: (\d+)/.exec(text)?.[1]);
    const expected = /# expect: (.*)/.exec(text)?.[1] ?? '(no expect line)';
    const { problems, script } = validateScriptText(text);
    expect(script).toBeUndefined();
    const hit = problems.find((p) => p.message.includes(expected) || p.path.join('.').includes(expected));
    expect(hit, JSON.stringify(problems)).toBeDefined();
    expect(hit!.line).toBe(line);
  });

  it('parseScript throws DIALOG_SCRIPT_INVALID listing file:line: path: message', () => {
    const file = join(bad, 'unknown-node.yaml');
    try {
      parseScript('unknown-node.yaml', readFileSync(file, 'utf8'));
      expect.unreachable();
    } catch (err) {
      expect(isVoicebotError(err) && err.code).toBe('DIALOG_SCRIPT_INVALID');
      expect((err as Error).message).toContain(
        'unknown-node.yaml:10: nodes.hello.next: "confrim" is not a node: did you mean "confirm"?',
      );
    }
  });

  it('reports every problem at once, not only the first', () => {
    const text = [
      'id: many',
      'language: en-US',
      'start: a',
      'nodes:',
      '  a: { kind: say, text: "Hi {{who}}", next: b }',
      '  b: { kind: say, text: "Hi", next: zz }',
    ].join('\n');
    const messages = validateScriptText(text).problems.map((p) => `${p.line}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^5: \{\{who\}\} is neither/),
      expect.stringMatching(/^6: "zz" is not a node/),
    ]);
  });
});
