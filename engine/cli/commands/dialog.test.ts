import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/voicebot.mjs'), 'dialog', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('voicebot dialog', { timeout: 60_000 }, () => {
  it('validate: ok for good scripts, every problem with file:line for bad ones (exit 1)', () => {
    const good = cli('validate', 'dialogs/outbound/sales-qualification.yaml');
    expect(good.status).toBe(0);
    expect(good.stdout).toBe('dialogs/outbound/sales-qualification.yaml: ok\n');
    const bad = cli('validate', 'fixtures/scripts/bad/undeclared-variable.yaml');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      'fixtures/scripts/bad/undeclared-variable.yaml:11: nodes.hello.text: {{fistName}}',
    );
  });

  it('diagram: Mermaid for a script and for voice-order; usage on a bad call', () => {
    const d = cli('diagram', 'voice-order');
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/^stateDiagram-v2\n/);
    const missing = cli('diagram', 'nope.yaml');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('DIALOG_SCRIPT_INVALID: cannot read nope.yaml');
    expect(cli('frobnicate').status).toBe(2);
  });
});
