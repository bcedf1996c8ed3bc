/**
 * Finds sherpa-onnx streaming ASR models in the models directory. A model is one folder as
 * published in the k2-fsa/sherpa-onnx "asr-models" releases, unpacked as is, e.g.
 *   <modelsDir>/sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20/
 *     encoder-epoch-99-avg-1.onnx decoder-epoch-99-avg-1.onnx joiner-epoch-99-avg-1.onnx tokens.txt
 *   <modelsDir>/sherpa-onnx-streaming-paraformer-bilingual-zh-en/  encoder.onnx decoder.onnx tokens.txt
 *   <modelsDir>/sherpa-onnx-streaming-zipformer-ctc-multi-zh-hans-2023-12-13/  ctc-*.onnx tokens.txt
 * int8 files (`*.int8.onnx`) are preferred when present: smaller and faster on CPU.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Language } from '../../asr.ts';

export type SherpaModel =
  | {
      kind: 'transducer';
      dir: string;
      name: string;
      encoder: string;
      decoder: string;
      joiner: string;
      tokens: string;
      languages: Language[];
    }
  | {
      kind: 'paraformer';
      dir: string;
      name: string;
      encoder: string;
      decoder: string;
      tokens: string;
      languages: Language[];
    }
  | {
      kind: 'zipformer2-ctc';
      dir: string;
      name: string;
      model: string;
      tokens: string;
      languages: Language[];
    };

/** What a user must put where, for error messages and skipped tests. */
export const SHERPA_MODEL_HELP =
  'unpack a k2-fsa sherpa-onnx streaming model folder (e.g. sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20 ' +
  'with encoder-*.onnx, decoder-*.onnx, joiner-*.onnx and tokens.txt) into the models directory; see docs/speech.md';

function pick(files: string[], re: RegExp, preferInt8: boolean): string | undefined {
  const hits = files.filter((f) => re.test(f)).sort();
  const int8 = hits.filter((f) => f.includes('.int8.'));
  const full = hits.filter((f) => !f.includes('.int8.'));
  return (preferInt8 ? (int8[0] ?? full[0]) : (full[0] ?? int8[0])) ?? undefined;
}

/** Languages a model speaks, from its published folder name. */
export function languagesOf(name: string): Language[] {
  const n = name.toLowerCase();
  if (/zh-en|en-zh|bilingual/.test(n)) return ['en-US', 'zh-CN'];
  if (/(^|[-_])(zh|zh-hans|chinese|cn|wenetspeech|multi-zh)([-_]|$)/.test(n)) return ['zh-CN'];
  return ['en-US'];
}

/** Reads one folder; undefined when it does not hold a streaming model this adapter can load. */
export function readModel(dir: string, name: string, preferInt8 = true): SherpaModel | undefined {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return undefined;
  }
  if (!files.includes('tokens.txt')) return undefined;
  const tokens = join(dir, 'tokens.txt');
  const languages = languagesOf(name);
  const encoder = pick(files, /^encoder.*\.onnx$/, preferInt8);
  const decoder = pick(files, /^decoder.*\.onnx$/, preferInt8);
  const joiner = pick(files, /^joiner.*\.onnx$/, preferInt8);
  if (encoder && decoder && joiner) {
    const j = (f: string) => join(dir, f);
    return {
      kind: 'transducer',
      dir,
      name,
      encoder: j(encoder),
      decoder: j(decoder),
      joiner: j(joiner),
      tokens,
      languages,
    };
  }
  if (encoder && decoder) {
    return {
      kind: 'paraformer',
      dir,
      name,
      encoder: join(dir, encoder),
      decoder: join(dir, decoder),
      tokens,
      languages,
    };
  }
  const ctc = pick(files, /^(ctc.*|model.*)\.onnx$/, preferInt8);
  if (ctc) return { kind: 'zipformer2-ctc', dir, name, model: join(dir, ctc), tokens, languages };
  return undefined;
}

/** All loadable streaming models under `modelsDir`, bilingual ones first. */
export function findModels(modelsDir: string, preferInt8 = true): SherpaModel[] {
  if (!existsSync(modelsDir)) return [];
  const out: SherpaModel[] = [];
  for (const name of readdirSync(modelsDir).sort()) {
    const dir = join(modelsDir, name);
    if (!/streaming/i.test(name) || !statSync(dir).isDirectory()) continue;
    const m = readModel(dir, name, preferInt8);
    if (m) out.push(m);
  }
  return out.sort((a, b) => b.languages.length - a.languages.length);
}
