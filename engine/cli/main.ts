import { isVoicebotError } from '../errors.ts';

/** A subcommand: its own --help text and a run function that returns the exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Subcommands load lazily so `voicebot --help` stays fast and one command's deps don't slow another. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).default,
  demo: async () => (await import('./commands/demo.ts')).default,
  'speech-server': async () => (await import('./commands/speech-server.ts')).default,
  token: async () => (await import('./commands/token.ts')).default,
  'sip-call': async () => (await import('./commands/sip-call.ts')).default,
  campaign: async () => (await import('./commands/campaign.ts')).default,
  dialog: async () => (await import('./commands/dialog.ts')).default,
};

const SUMMARIES: Record<string, string> = {
  serve: 'run the engine: HTTP (/healthz, /readyz, /metrics) and the WebSocket telephony gateway',
  demo: 'start a local engine and place a demo call with the simulated caller (prints a timeline)',
  'speech-server': 'serve the Riva gRPC speech API (ASR + TTS) backed by the embedded engines',
  token: 'mint a URL token for the WebSocket gateway (wss://host/raw?token=...)',
  'sip-call': 'place one outbound SIP call (sipp, a PBX or a trunk), play audio, print the disposition',
  campaign: 'outbound campaigns: create (with contacts), start, pause, resume, stop, status, export',
  dialog: 'validate dialog scripts (YAML/JSON) or print a Mermaid diagram of a dialog',
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(SUMMARIES).map((k) => k.length));
  return [
    'voicebot - voice/phone bot and outbound-call engine',
    '',
    'Usage: voicebot <command> [options]',
    '',
    'Commands:',
    ...Object.entries(SUMMARIES).map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    '',
    "Run `voicebot <command> --help` for a command's options. Configuration: README.md#configuration.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`voicebot: unknown command '${name}'\n\n${mainHelp()}\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isVoicebotError(err)) {
      process.stderr.write(`voicebot ${name}: ${err.code}: ${err.message}\n  hint: ${err.hint}\n`);
      return 1;
    }
    throw err;
  }
}

export { COMMANDS, SUMMARIES as COMMAND_SUMMARIES };
