/**
 * Rendered prompts on disk: `<dir>/<key[0..2]>/<key>.wav` (PCM16 WAV, playable by any tool).
 * Writes are atomic (temp file + rename), so a crash or a concurrent writer never leaves a
 * half file under the final name; unreadable files count as misses.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWav, writeWav } from '../../engine/audio/wav.ts';

export class DiskStore {
  readonly dir: string;
  #seq = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.wav`);
  }

  async get(key: string, sampleRate: number): Promise<Int16Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(key));
    } catch {
      return undefined;
    }
    try {
      const wav = readWav(bytes);
      return wav.sampleRate === sampleRate && wav.encoding === 'pcm' ? wav.samples : undefined;
    } catch {
      return undefined;
    }
  }

  async put(key: string, samples: Int16Array, sampleRate: number): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${this.#seq++}.tmp`;
    try {
      await writeFile(tmp, writeWav(samples, sampleRate));
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
