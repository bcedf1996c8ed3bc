/**
 * One pocketsphinx worker process (ps-worker.py under the system python3 with the Debian
 * python3-pocketsphinx module). Many streams share it, each addressed by an id; events come back
 * as JSON lines and are routed to the stream's handler. If the process dies, every open stream
 * hears one error event.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type WorkerEvent =
  | { ev: 'speech_start' | 'speech_end'; atMs: number }
  | {
      ev: 'final';
      text: string;
      confidence: number;
      startMs: number;
      endMs: number;
      words: [string, number, number, number][];
      /** Grammar mode: grammar path minus phone loop, acoustic log-likelihood per frame. */
      llr?: number;
    }
  | { ev: 'ended' }
  | { ev: 'error'; code: string; message: string; retryable?: boolean };

type Handler = (e: WorkerEvent) => void;

const SCRIPT = fileURLToPath(new URL('./ps-worker.py', import.meta.url));

export class PsWorker {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #handlers = new Map<number, Handler>();
  /** Streams given to this worker, opened or not yet (the pool's load). */
  readonly #claimed = new Set<number>();
  #dead: { code: string; message: string; retryable: boolean } | undefined;
  /** Resolves when the engine has loaded (or failed). */
  readonly ready: Promise<void>;

  constructor(
    python: string,
    modelDir: string,
    preloadLm: boolean,
    extraDicts: readonly string[] = [],
    rejection = true,
  ) {
    const args = [
      SCRIPT,
      modelDir,
      ...(preloadLm ? ['--preload-lm'] : []),
      ...(rejection ? [] : ['--no-rejection']),
      ...extraDicts.flatMap((p) => ['--extra-dict', p]),
    ];
    this.#proc = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stdin.on('error', () => {});
    let stderr = '';
    this.#proc.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    createInterface({ input: this.#proc.stdout }).on('line', (line) => {
      let msg: { id?: number; ev: string; code?: string; message?: string };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.ev === 'ready') markReady();
      else if (msg.ev === 'fatal') {
        this.#die({
          code: msg.code ?? 'ASR_FAILED',
          message: msg.message ?? 'pocketsphinx failed',
          retryable: false,
        });
        markReady();
      } else if (msg.id !== undefined) this.#handlers.get(msg.id)?.(msg as WorkerEvent);
    });
    this.#proc.on('error', (err: NodeJS.ErrnoException) => {
      this.#die(
        err.code === 'ENOENT'
          ? {
              code: 'SPEECH_ENGINE_MISSING',
              message: `${python} is not installed (not found)`,
              retryable: false,
            }
          : { code: 'ASR_FAILED', message: `pocketsphinx worker: ${err.message}`, retryable: true },
      );
      markReady();
    });
    this.#proc.on('close', (code, signal) => {
      this.#die({
        code: 'ASR_FAILED',
        message: `pocketsphinx worker exited (${code ?? signal}) ${stderr.trim().slice(-500)}`,
        retryable: true,
      });
      markReady();
    });
  }

  /** Streams on this worker: claimed (picked, no audio yet) or open. */
  get load(): number {
    return this.#claimed.size;
  }

  /** Counts a stream on this worker from the moment the pool picks it until forget(). */
  claim(id: number): void {
    if (!this.#dead) this.#claimed.add(id);
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  open(id: number, request: Record<string, unknown>, handler: Handler): void {
    if (this.#dead) {
      handler({ ev: 'error', ...this.#dead });
      return;
    }
    this.#handlers.set(id, handler);
    this.#claimed.add(id);
    this.send({ op: 'open', id, ...request });
  }

  send(obj: Record<string, unknown>): void {
    if (!this.#dead) this.#proc.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  forget(id: number): void {
    this.#handlers.delete(id);
    this.#claimed.delete(id);
  }

  kill(): void {
    this.#die({ code: 'ASR_FAILED', message: 'pocketsphinx adapter closed', retryable: true });
    this.#proc.kill('SIGKILL');
  }

  #die(reason: { code: string; message: string; retryable: boolean }): void {
    if (this.#dead) return;
    this.#dead = reason;
    for (const h of this.#handlers.values()) h({ ev: 'error', ...reason });
    this.#handlers.clear();
    this.#claimed.clear();
  }
}
