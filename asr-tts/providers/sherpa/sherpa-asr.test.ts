import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAsrContract } from '../../testing/asr-contract.ts';
import { collect } from '../../testing/collect.ts';
import { espeakClip } from '../../testing/speech-audio.ts';
import { findModels, languagesOf, SHERPA_MODEL_HELP } from './model-layout.ts';
import { SherpaAsr } from './sherpa-asr.ts';

/** The project's models directory (config key modelsDir; tests read VOICEBOT_MODELS_DIR or ../shared/models). */
const MODELS_DIR = resolve(process.env.VOICEBOT_MODELS_DIR ?? '../shared/models');
const models = findModels(MODELS_DIR);
const en = models.find((m) => m.languages.includes('en-US'));
const zh = models.find((m) => m.languages.includes('zh-CN'));

describe('sherpa-onnx model discovery (no model needed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-models-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lay = (name: string, files: string[]) => {
    mkdirSync(join(dir, name));
    for (const f of files) writeFileSync(join(dir, name, f), '');
  };
  lay('sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20', [
    'encoder-epoch-99-avg-1.onnx',
    'encoder-epoch-99-avg-1.int8.onnx',
    'decoder-epoch-99-avg-1.onnx',
    'joiner-epoch-99-avg-1.onnx',
    'joiner-epoch-99-avg-1.int8.onnx',
    'tokens.txt',
  ]);
  lay('sherpa-onnx-streaming-paraformer-bilingual-zh-en', [
    'encoder.int8.onnx',
    'decoder.int8.onnx',
    'tokens.txt',
  ]);
  lay('sherpa-onnx-streaming-zipformer-ctc-multi-zh-hans-2023-12-13', [
    'ctc-epoch-20-avg-1-chunk-16-left-128.onnx',
    'tokens.txt',
  ]);
  lay('sherpa-onnx-streaming-zipformer-en-2023-06-26', ['encoder.onnx', 'decoder.onnx']);
  lay('sherpa-onnx-whisper-tiny', ['tiny-encoder.onnx', 'tokens.txt']);

  it('recognizes the published layouts, prefers int8 files and bilingual models, skips incomplete ones', () => {
    const found = findModels(dir);
    expect(found.map((m) => [m.kind, m.name])).toEqual([
      ['paraformer', 'sherpa-onnx-streaming-paraformer-bilingual-zh-en'],
      ['transducer', 'sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20'],
      ['zipformer2-ctc', 'sherpa-onnx-streaming-zipformer-ctc-multi-zh-hans-2023-12-13'],
    ]);
    const t = found[1]!;
    expect(
      t.kind === 'transducer' && [t.encoder, t.decoder, t.joiner].map((p) => p.split('/').at(-1)),
    ).toEqual([
      'encoder-epoch-99-avg-1.int8.onnx',
      'decoder-epoch-99-avg-1.onnx',
      'joiner-epoch-99-avg-1.int8.onnx',
    ]);
    expect(found[2]!.languages).toEqual(['zh-CN']);
  });

  it('reads languages from the published folder names', () => {
    expect(languagesOf('sherpa-onnx-streaming-zipformer-small-bilingual-zh-en-2023-02-16')).toEqual([
      'en-US',
      'zh-CN',
    ]);
    expect(languagesOf('sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23')).toEqual(['zh-CN']);
    expect(languagesOf('sherpa-onnx-streaming-zipformer-en-20M-2023-02-17')).toEqual(['en-US']);
  });

  it('without a model every stream yields one SPEECH_MODEL_MISSING telling what to put where', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'voicebot-nomodels-'));
    const s = new SherpaAsr({ modelsDir: empty }).stream({ language: 'en-US' });
    s.end();
    const events = await collect(s, 5000);
    expect(events).toEqual([
      {
        type: 'asr.error',
        code: 'SPEECH_MODEL_MISSING',
        retryable: false,
        message: expect.stringContaining(empty),
      },
    ]);
    expect((events[0] as { message: string }).message).toContain(SHERPA_MODEL_HELP);
    rmSync(empty, { recursive: true });
  });
});

describe('sherpa-onnx with a damaged model (the native addon would abort the process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-badmodel-'));
  const name = 'sherpa-onnx-streaming-zipformer-en-damaged';
  mkdirSync(join(dir, name));
  for (const f of ['encoder.onnx', 'decoder.onnx', 'joiner.onnx'])
    writeFileSync(join(dir, name, f), 'not onnx');
  writeFileSync(join(dir, name, 'tokens.txt'), '<blk> 0\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('load() rejects with SPEECH_MODEL_MISSING naming the file, and this process lives on', async () => {
    await expect(new SherpaAsr({ modelsDir: dir }).load()).rejects.toMatchObject({
      code: 'SPEECH_MODEL_MISSING',
      message: expect.stringContaining(name),
    });
  });

  it('a stream on it yields one SPEECH_MODEL_MISSING asr.error', async () => {
    const s = new SherpaAsr({ modelsDir: dir }).stream({ language: 'en-US' });
    s.end();
    expect(await collect(s, 20_000)).toMatchObject([{ type: 'asr.error', code: 'SPEECH_MODEL_MISSING' }]);
  });
});

const missing = `needs a sherpa-onnx streaming model in ${MODELS_DIR}: ${SHERPA_MODEL_HELP}`;
if (en) {
  runAsrContract(
    `sherpa-onnx ${en.name} (en-US)`,
    () => new SherpaAsr({ modelsDir: MODELS_DIR, model: en.name }),
    {
      language: 'en-US',
      utterance: espeakClip('please send me two large pizzas', 16000),
      makeBroken: () => new SherpaAsr({ modelsDir: MODELS_DIR, model: 'no-such-model' }),
    },
  );
} else {
  it.skip(`AsrAdapter contract: sherpa-onnx (en-US) — ${missing}`, () => {});
}
if (zh) {
  runAsrContract(
    `sherpa-onnx ${zh.name} (zh-CN)`,
    () => new SherpaAsr({ modelsDir: MODELS_DIR, model: zh.name }),
    {
      language: 'zh-CN',
      utterance: espeakClip('我要两份饺子', 16000, { voice: 'cmn' }),
    },
  );
} else {
  it.skip(`AsrAdapter contract: sherpa-onnx (zh-CN) — ${missing}`, () => {});
}
