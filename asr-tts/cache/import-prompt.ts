/**
 * Imports an operator-recorded prompt in any format ffmpeg decodes (WAV, MP3, OGG/Opus, FLAC,
 * M4A, ...) through fluent-ffmpeg and the Debian ffmpeg: writes `<name>.ulaw.wav` (8 kHz G.711
 * mu-law, what a phone line carries) and `<name>.wav` (8 kHz PCM16) into `outDir`, atomically,
 * and returns the 8 kHz samples (for CachedTts.putRecording). Unreadable input is
 * PROMPT_UNREADABLE with ffmpeg's reason.
 */
import { access, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { readWav, writeWav } from '../../engine/audio/wav.ts';
import { VoicebotError } from '../../engine/errors.ts';

export interface ImportedPrompt {
  ulawPath: string;
  pcmPath: string;
  samples8k: Int16Array;
  durationMs: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function importPrompt(file: string, outDir: string, name: string): Promise<ImportedPrompt> {
  if (!NAME.test(name) || name.includes('..')) {
    throw new VoicebotError(
      'CONFIG_INVALID',
      `prompt name "${name}" is not usable: use letters, digits, . _ -`,
      {
        name,
      },
    );
  }
  try {
    await access(file);
  } catch {
    throw new VoicebotError('PROMPT_UNREADABLE', `prompt file ${file} does not exist or cannot be read`, {
      file,
    });
  }
  const tmp = await mkdtemp(join(tmpdir(), 'voicebot-prompt-'));
  try {
    const decoded = join(tmp, 'decoded.wav');
    await new Promise<void>((resolve, reject) => {
      ffmpeg(file)
        .noVideo()
        .audioChannels(1)
        .audioFrequency(8000)
        .audioCodec('pcm_s16le')
        .format('wav')
        .on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
          const reason =
            stderr
              ?.split('\n')
              .map((l) => l.trim())
              .filter((l) => l && !/^(ffmpeg version|built with|configuration:|lib[a-z]+ +\d)/.test(l))
              .at(-1) ?? err.message;
          reject(
            new VoicebotError(
              'PROMPT_UNREADABLE',
              `prompt file ${file} is not audio ffmpeg can decode: ${reason}`,
              {
                file,
              },
            ),
          );
        })
        .on('end', () => resolve())
        .save(decoded);
    });
    const wav = readWav(await readFile(decoded));
    if (wav.samples.length === 0) {
      throw new VoicebotError('PROMPT_UNREADABLE', `prompt file ${file} holds no audio`, { file });
    }
    const ulawPath = join(outDir, `${name}.ulaw.wav`);
    const pcmPath = join(outDir, `${name}.wav`);
    for (const [path, bytes] of [
      [ulawPath, writeWav(wav.samples, 8000, { encoding: 'mulaw' })],
      [pcmPath, writeWav(wav.samples, 8000)],
    ] as const) {
      const part = `${path}.${process.pid}.tmp`;
      await writeFile(part, bytes);
      await rename(part, path);
    }
    return { ulawPath, pcmPath, samples8k: wav.samples, durationMs: (wav.samples.length * 1000) / 8000 };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
