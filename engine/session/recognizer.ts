/**
 * The recognition stream for one `listen`: the call's language, and the listen's grammar, hints
 * and endpoint silence where the recognizer supports them (others are left out, not refused).
 */
import type { AsrAdapter, Language, RecognizeStream } from '../../asr-tts/asr.ts';
import type { ListenCommand } from '../../dialogs/contract.ts';

export function openRecognizer(asr: AsrAdapter, language: Language, cmd: ListenCommand): RecognizeStream {
  const caps = asr.capabilities;
  return asr.stream({
    language,
    ...(cmd.grammar && caps.grammar ? { grammar: cmd.grammar } : {}),
    ...(cmd.hints && caps.hints ? { hints: cmd.hints } : {}),
    ...(cmd.endpointSilenceMs ? { endpointSilenceMs: cmd.endpointSilenceMs } : {}),
  });
}
