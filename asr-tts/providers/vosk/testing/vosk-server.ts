/**
 * A local server that speaks the Vosk server WebSocket protocol the way alphacep/vosk-server's
 * asr_server.py does, for tests: any text containing "config" is parsed as config (no reply);
 * every binary chunk gets exactly one reply, `{"partial"}` or a final `{"text","result"}` (word
 * times in seconds, only with `words`); `{"reset" : 1}` replies the final and goes on;
 * `{"eof" : 1}` (byte-exact) replies the final and closes. Recognition comes from any AsrAdapter
 * (a scripted one in tests). Listens on 127.0.0.1, port 0.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { toFrames } from '../../../../engine/audio/frame.ts';
import { bytesToInt16 } from '../../../../engine/audio/pcm.ts';
import type { AsrAdapter, AsrEvent, Language, RecognizeStream } from '../../../asr.ts';

export interface VoskTestServer {
  url: string;
  /** Every text message the server received, in order (to check the client's wire format). */
  texts: string[];
  /** Terminates every open connection abruptly (a crash, as seen by clients). */
  dropAll(): void;
  close(): Promise<void>;
}

type Final = Extract<AsrEvent, { type: 'asr.final' }>;

export async function startVoskServer(
  asr: AsrAdapter,
  language: Language = 'en-US',
): Promise<VoskTestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const texts: string[] = [];

  wss.on('connection', (ws) => {
    let sampleRate: 8000 | 16000 = 8000; // VOSK_SAMPLE_RATE default
    let words = false;
    let alternatives = 0;
    let stream: RecognizeStream | undefined;
    let timeline = 0;
    const finals: Final[] = [];
    let partial = '';
    let pumping: Promise<void> = Promise.resolve();
    const open = () => {
      if (stream) return stream;
      const s = asr.stream({ language, interimResults: true });
      stream = s;
      pumping = (async () => {
        for await (const ev of s) {
          if (ev.type === 'asr.final') {
            finals.push(ev);
            partial = '';
          } else if (ev.type === 'asr.interim') partial = ev.text;
        }
      })();
      return s;
    };
    const settle = () => new Promise((r) => setImmediate(r));
    const finalMessage = (f: Final | undefined) => {
      const text = f?.text ?? '';
      const result = (f?.words ?? []).map((w) => ({
        conf: w.confidence ?? f?.confidence ?? 1,
        start: w.startMs / 1000,
        end: w.endMs / 1000,
        word: w.word,
      }));
      if (alternatives > 0)
        return JSON.stringify({
          alternatives: [{ confidence: (f?.confidence ?? 0) * 1000, text, ...(words ? { result } : {}) }],
        });
      return JSON.stringify(words && f ? { result, text } : { text });
    };
    let chain = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      // The reference server handles one message at a time: keep replies in order.
      chain = chain.then(async () => {
        if (!isBinary) {
          const text = data.toString();
          texts.push(text);
          if (text.includes('config')) {
            const c = (JSON.parse(text) as { config: Record<string, unknown> }).config;
            if (c.sample_rate === 8000 || c.sample_rate === 16000) sampleRate = c.sample_rate;
            words = Boolean(c.words);
            alternatives = Number(c.max_alternatives ?? 0);
            return;
          }
          if (text === '{"eof" : 1}') {
            const s = open();
            s.end();
            await pumping;
            ws.send(finalMessage(finals.shift()));
            ws.close();
            return;
          }
          if (text === '{"reset" : 1}') {
            open().flush();
            await settle();
            ws.send(finalMessage(finals.shift()));
            return;
          }
          // Like the reference server, any other text is treated as audio bytes.
        }
        const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        const s = open();
        for (const f of toFrames(
          bytesToInt16(bytes.subarray(0, bytes.length - (bytes.length % 2))),
          sampleRate,
          timeline,
        )) {
          s.push(f);
          timeline = f.timestampMs + 20;
        }
        await settle();
        const f = finals.shift();
        ws.send(f ? finalMessage(f) : JSON.stringify({ partial }));
      });
    });
    ws.on('close', () => stream?.close());
  });

  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    texts,
    dropAll: () => {
      for (const c of wss.clients) c.terminate();
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
