/**
 * The contract every AsrAdapter passes. An adapter's test file calls `runAsrContract` with a
 * factory and a few real speech clips; the suite declares vitest blocks for stream lifecycle,
 * event order and timing, grammar/hints (when the adapter declares them), errors as `asr.error`
 * events and cancellation.
 */
import { describe, expect, it } from 'vitest';
import { isVoicebotError } from '../../engine/errors.ts';
import type { AsrAdapter, AsrEvent, Grammar, Language, RecognizeOptions, RecognizeStream } from '../asr.ts';
import { collect } from './collect.ts';
import { frames, type SpeechClip } from './speech-audio.ts';

export interface AsrContractFixtures {
  language: Language;
  /** A clip the adapter should turn into a non-empty final (with `options`, if given). */
  utterance: SpeechClip;
  /** Options merged into every stream, e.g. a grammar for a grammar-first engine. */
  options?: Partial<RecognizeOptions>;
  /** For adapters declaring `grammar`: clips whose exact result under `grammar` is `expected`. */
  grammarCases?: { clip: SpeechClip; grammar: Grammar; expected: string }[];
  /** For adapters declaring `hints`: a clip whose final must contain one of `hints`. */
  hintCase?: { clip: SpeechClip; hints: string[] };
  /** An adapter whose engine cannot run (missing binary or model): must yield `asr.error`. */
  makeBroken?: () => AsrAdapter;
  /** Longest wait for one recognition (slow engines on a busy machine). */
  timeoutMs?: number;
}

type Final = Extract<AsrEvent, { type: 'asr.final' }>;

function finals(events: AsrEvent[]): Final[] {
  return events.filter((e): e is Final => e.type === 'asr.final');
}

function pushAll(stream: RecognizeStream, clip: SpeechClip): void {
  for (const f of frames(clip.samples, clip.sampleRate)) stream.push(f);
}

function durationMs(clip: SpeechClip): number {
  return (clip.samples.length * 1000) / clip.sampleRate;
}

export function runAsrContract(name: string, makeAdapter: () => AsrAdapter, fx: AsrContractFixtures): void {
  const timeoutMs = fx.timeoutMs ?? 20_000;
  const open = (adapter: AsrAdapter, extra: Partial<RecognizeOptions> = {}): RecognizeStream =>
    adapter.stream({ language: fx.language, ...fx.options, ...extra });

  describe(`AsrAdapter contract: ${name}`, () => {
    it('declares its capabilities', () => {
      const a = makeAdapter();
      expect(a.name).toMatch(/\S/);
      expect(a.capabilities.languages).toContain(fx.language);
      expect(a.capabilities.sampleRates).toContain(fx.utterance.sampleRate);
    });

    it('recognizes an utterance: speech_start before final, finals carry confidence and timing, then ends', async () => {
      const s = open(makeAdapter());
      pushAll(s, fx.utterance);
      s.end();
      const events = await collect(s, timeoutMs);
      expect(events.filter((e) => e.type === 'asr.error')).toEqual([]);
      const fs = finals(events);
      expect(fs.length).toBeGreaterThan(0);
      expect(
        fs
          .map((f) => f.text)
          .join(' ')
          .trim(),
      ).not.toBe('');
      const firstStart = events.findIndex((e) => e.type === 'asr.speech_start');
      expect(firstStart).toBeGreaterThanOrEqual(0);
      expect(firstStart).toBeLessThan(events.indexOf(fs[0]!));
      const endIdx = events.findIndex((e) => e.type === 'asr.speech_end');
      if (endIdx >= 0) expect(endIdx).toBeGreaterThan(firstStart);
      for (const f of fs) {
        expect(f.confidence).toBeGreaterThanOrEqual(0);
        expect(f.confidence).toBeLessThanOrEqual(1);
        expect(f.startMs).toBeGreaterThanOrEqual(0);
        expect(f.endMs).toBeGreaterThanOrEqual(f.startMs);
        expect(f.endMs).toBeLessThanOrEqual(durationMs(fx.utterance) + 500);
        for (const w of f.words ?? []) expect(w.endMs).toBeGreaterThanOrEqual(w.startMs);
      }
    });

    it('flush forces a final while the stream stays open', async () => {
      const s = open(makeAdapter());
      pushAll(s, fx.utterance);
      s.flush();
      const first = await collect(s, timeoutMs, (e) => e.type === 'asr.final' || e.type === 'asr.error');
      expect(first.at(-1)?.type).toBe('asr.final');
      expect(() =>
        s.push(frames(fx.utterance.samples.subarray(0, 1600), fx.utterance.sampleRate)[0]!),
      ).not.toThrow();
      s.end();
      const rest = await collect(s, timeoutMs);
      expect(rest.filter((e) => e.type === 'asr.error')).toEqual([]);
    });

    it('end with no audio ends the iterator without a non-empty final', async () => {
      const s = open(makeAdapter());
      s.end();
      const events = await collect(s, timeoutMs);
      expect(finals(events).filter((f) => f.text.trim() !== '')).toEqual([]);
      expect(events.filter((e) => e.type === 'asr.error')).toEqual([]);
    });

    it('close ends the iterator at once with no more events, and is idempotent', async () => {
      const s = open(makeAdapter());
      pushAll(s, fx.utterance);
      s.close();
      s.close();
      const t0 = Date.now();
      const events = await collect(s, 2000);
      expect(events).toEqual([]);
      expect(Date.now() - t0).toBeLessThan(1000);
      s.end();
      s.flush();
    });

    it('push after end or close throws ASR_STREAM_CLOSED (a clean error, no crash)', async () => {
      const frame = frames(fx.utterance.samples, fx.utterance.sampleRate)[0]!;
      for (const stop of ['end', 'close'] as const) {
        const s = open(makeAdapter());
        s[stop]();
        let caught: unknown;
        try {
          s.push(frame);
        } catch (err) {
          caught = err;
        }
        expect(isVoicebotError(caught) && caught.code).toBe('ASR_STREAM_CLOSED');
        s.close();
        await collect(s, timeoutMs);
      }
    });

    it('an unsupported language surfaces as a non-retryable asr.error, not a throw', async () => {
      const s = makeAdapter().stream({ ...fx.options, language: 'xx-XX' as Language });
      pushAll(s, fx.utterance);
      s.end();
      const events = await collect(s, timeoutMs);
      const err = events.find((e) => e.type === 'asr.error');
      expect(err).toMatchObject({ type: 'asr.error', code: expect.any(String), retryable: false });
      expect((err as { message: string }).message).toMatch(/xx-XX/);
    });

    it('recognizes two streams at once independently', async () => {
      const a = makeAdapter();
      const [s1, s2] = [open(a), open(a)];
      pushAll(s1, fx.utterance);
      pushAll(s2, fx.utterance);
      s1.end();
      s2.end();
      const [e1, e2] = await Promise.all([collect(s1, timeoutMs), collect(s2, timeoutMs)]);
      expect(finals(e1).map((f) => f.text)).toEqual(finals(e2).map((f) => f.text));
      expect(finals(e1).length).toBeGreaterThan(0);
      await a.close?.();
    });

    if (fx.makeBroken) {
      const makeBroken = fx.makeBroken;
      it('an engine that cannot run surfaces as asr.error with code and retryable, then ends', async () => {
        const s = makeBroken().stream({ language: fx.language, ...fx.options });
        pushAll(s, fx.utterance);
        s.end();
        const events = await collect(s, timeoutMs);
        const err = events.find((e) => e.type === 'asr.error');
        expect(err).toMatchObject({
          code: expect.stringMatching(/^[A-Z_]+$/),
          retryable: expect.any(Boolean),
        });
      });
    }

    const grammarCases = fx.grammarCases ?? [];
    it.runIf(grammarCases.length > 0 && makeAdapter().capabilities.grammar)(
      'honours a grammar: results are the expected in-grammar phrase',
      async () => {
        for (const c of grammarCases) {
          const s = open(makeAdapter(), { grammar: c.grammar });
          pushAll(s, c.clip);
          s.end();
          const text = finals(await collect(s, timeoutMs))
            .map((f) => f.text)
            .join(' ')
            .trim();
          expect(text, c.clip.text).toBe(c.expected);
        }
      },
    );

    it.runIf(fx.hintCase !== undefined && makeAdapter().capabilities.hints)('honours hints', async () => {
      const c = fx.hintCase!;
      const s = open(makeAdapter(), { hints: c.hints });
      pushAll(s, c.clip);
      s.end();
      const text = finals(await collect(s, timeoutMs))
        .map((f) => f.text)
        .join(' ');
      expect(
        c.hints.some((h) => text.includes(h)),
        text,
      ).toBe(true);
    });
  });
}
