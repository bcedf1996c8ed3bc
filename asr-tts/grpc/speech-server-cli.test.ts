import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { AudioFrame } from '../../engine/audio/frame.ts';
import { EspeakTts } from '../providers/espeak/espeak-tts.ts';
import { RivaTts } from '../providers/riva/riva-tts.ts';
import { collect } from '../testing/collect.ts';
import { type SpeechServerProcess, spawnSpeechServer } from './testing/spawn-speech-server.ts';

const BIN = fileURLToPath(new URL('../../bin/voicebot.mjs', import.meta.url));
const run = promisify(execFile);

let child: SpeechServerProcess | undefined;
afterEach(() => {
  child?.child.kill('SIGKILL');
  child = undefined;
});

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [BIN, 'speech-server', ...args]);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error('expected a failure');
}

describe('voicebot speech-server (CLI)', () => {
  it('refuses unknown engines, bad ports and an empty service list with a clear error', async () => {
    const [bad, port, none] = await Promise.all([
      fails(['--port', '0', '--asr', 'whisper']),
      fails(['--port', '70000', '--tts', 'espeak']),
      fails(['--port', '0']),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /CONFIG_INVALID: --asr 'whisper' is not a known ASR engine: known engines: pocketsphinx/,
    );
    expect(port.stderr).toMatch(/--port '70000' is not a port number/);
    expect(none.stderr).toMatch(/nothing to serve/);
  }, 60_000);

  it('SIGTERM lets a running synthesis finish, then the process exits 0', async () => {
    child = await spawnSpeechServer(['--port', '0', '--tts', 'espeak', '--grace-ms', '5000']);
    const proc = child;
    const tts = new RivaTts({ address: proc.address });
    const text = 'Thank you for calling. Your order will arrive tomorrow morning between nine and eleven.';
    const got: AudioFrame[] = [];
    let signalled = false;
    for await (const f of tts.synthesize(text, { language: 'en-US', sampleRate: 16000 })) {
      got.push(f);
      if (!signalled) {
        signalled = true;
        proc.child.kill('SIGTERM');
      }
    }
    expect(await proc.exited).toBe(0);
    const whole = await collect(
      new EspeakTts().synthesize(text, { language: 'en-US', sampleRate: 16000 }),
      15_000,
    );
    expect(Math.abs(got.length - whole.length)).toBeLessThanOrEqual(1);
    // After shutdown the port is closed: a new request is TTS_UNAVAILABLE, not a hang.
    const err = await collect(
      new RivaTts({ address: proc.address, connectTimeoutMs: 300 }).synthesize('hi', {
        language: 'en-US',
        sampleRate: 8000,
      }),
      5000,
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'TTS_UNAVAILABLE', retryable: true });
    await tts.close();
  }, 60_000);
});
