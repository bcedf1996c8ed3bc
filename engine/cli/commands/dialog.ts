import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialogMachine } from '../../../dialogs/blocks/build-machine.ts';
import { parseCatalog } from '../../../dialogs/nlu/catalog.ts';
import { compileScript } from '../../../dialogs/script/compile.ts';
import { validateScriptText } from '../../../dialogs/script/load.ts';
import { toMermaid } from '../../../dialogs/script/mermaid.ts';
import { formatProblem } from '../../../dialogs/script/problems.ts';
import { voiceOrderMachine } from '../../../dialogs/voice-order/machine.ts';
import { VoicebotError } from '../../errors.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot dialog validate FILE...
       voicebot dialog diagram FILE|voice-order [--full]

validate  checks dialog scripts (YAML or JSON, see docs/dialogs.md#scripts) and prints every
          problem as FILE:LINE: PATH: what is wrong and how to fix it. Exit 1 if any is invalid.
diagram   prints a Mermaid state diagram of a script, or of the built-in voice-order dialog.
          --full also draws each question's own arrows to a person, goodbye and opt-out.

Options:
  -h, --help  this text`;

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new VoicebotError('DIALOG_SCRIPT_INVALID', `cannot read ${file}: ${(err as Error).message}`, {
      file,
    });
  }
}

const dialog: Command = {
  summary: 'validate dialog scripts (YAML/JSON) or print a Mermaid diagram of a dialog',
  usage,
  async run(argv) {
    const [sub, ...args] = argv;
    const files = args.filter((a) => !a.startsWith('--'));
    if (sub === 'validate' && files.length > 0) {
      let bad = 0;
      for (const file of files) {
        const { problems } = validateScriptText(readScript(file));
        if (problems.length === 0) process.stdout.write(`${file}: ok\n`);
        else {
          bad++;
          for (const p of problems) process.stderr.write(`${formatProblem(file, p)}\n`);
        }
      }
      return bad > 0 ? 1 : 0;
    }
    if (sub === 'diagram' && files.length === 1) {
      const target = files[0]!;
      let machine: DialogMachine;
      if (target === 'voice-order') {
        const catalogPath = join(import.meta.dirname, '../../../fixtures/catalogs/meals.json');
        machine = voiceOrderMachine({ catalog: parseCatalog(JSON.parse(readFileSync(catalogPath, 'utf8'))) });
      } else {
        const { script, problems } = validateScriptText(readScript(target));
        if (!script) {
          for (const p of problems) process.stderr.write(`${formatProblem(target, p)}\n`);
          return 1;
        }
        machine = compileScript(script);
      }
      process.stdout.write(toMermaid(machine, { full: args.includes('--full') }));
      return 0;
    }
    process.stderr.write(`${usage}\n`);
    return 2;
  },
};

export default dialog;
