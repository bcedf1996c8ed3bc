/**
 * The speech engines `voicebot speech-server` can serve, by name. Each loads lazily, so a server
 * that only does TTS never loads an ASR model. `scripted:<text>|<text>…` is the deterministic
 * endpointer-plus-script recognizer for protocol tests and demos of the network layer.
 */
import { VoicebotError } from '../../engine/errors.ts';
import type { AsrAdapter } from '../asr.ts';
import type { TtsAdapter } from '../tts.ts';

export const ASR_ENGINES = ['pocketsphinx', 'scripted:<texts separated by |>', 'none'] as const;
export const TTS_ENGINES = ['espeak', 'none'] as const;

export async function loadAsrEngine(spec: string): Promise<AsrAdapter | undefined> {
  if (spec === 'none') return undefined;
  if (spec === 'pocketsphinx') {
    const { PocketsphinxAsr } = await import('../providers/pocketsphinx/pocketsphinx-asr.ts');
    return new PocketsphinxAsr({ workers: 2 });
  }
  if (spec.startsWith('scripted:')) {
    const script = spec
      .slice('scripted:'.length)
      .split('|')
      .map((s) => s.trim())
      .filter(Boolean);
    if (script.length === 0)
      throw badEngine('asr', spec, 'scripted needs at least one text, e.g. scripted:hello world|yes');
    const { ScriptedAsr } = await import('./testing/scripted-asr.ts');
    return new ScriptedAsr({ script });
  }
  throw badEngine('asr', spec, `known engines: ${ASR_ENGINES.join(', ')}`);
}

export async function loadTtsEngine(spec: string): Promise<TtsAdapter | undefined> {
  if (spec === 'none') return undefined;
  if (spec === 'espeak') {
    const { EspeakTts } = await import('../providers/espeak/espeak-tts.ts');
    return new EspeakTts();
  }
  throw badEngine('tts', spec, `known engines: ${TTS_ENGINES.join(', ')}`);
}

function badEngine(kind: string, spec: string, how: string): VoicebotError {
  return new VoicebotError(
    'CONFIG_INVALID',
    `--${kind} '${spec}' is not a known ${kind.toUpperCase()} engine: ${how}`,
    {
      setting: kind,
    },
  );
}
