/**
 * Test helper: starts `voicebot speech-server` as a real child process on 127.0.0.1 and resolves
 * with its bound address once it printed "speech-server listening HOST:PORT".
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/voicebot.mjs', import.meta.url));

export interface SpeechServerProcess {
  child: ChildProcess;
  address: string;
  port: number;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
}

export function spawnSpeechServer(args: string[], timeoutMs = 15_000): Promise<SpeechServerProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'speech-server', '--host', '127.0.0.1', '--log-level', 'warn', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`speech-server did not start in ${timeoutMs} ms: ${out}${err}`));
    }, timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /speech-server listening ([\d.]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: `${m[1]}:${m[2]}`, port: Number(m[2]), exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`speech-server exited (${code}) before listening: ${out}${err}`));
    });
  });
}
