/**
 * A local server that speaks the FunASR runtime WebSocket protocol the way FunASR's
 * funasr_wss_server.py does, for tests. Every text message is JSON that updates the session
 * (`mode`, `chunk_size`, `chunk_interval`, `wav_name`, `audio_fs`, `hotwords`, `itn`,
 * `is_speaking`); binary messages are PCM16 audio. Online passes send `2pass-online` (or
 * `online`) text fragments; a segment end sends `2pass-offline` (or `offline`) with the sentence
 * and a per-token `timestamp` string; `{"is_speaking": false}` decodes what is left — a message
 * only if it has words, or an empty offline message when no audio came. `is_final` follows the
 * Python server (`is_final = is_speaking`) or, with flavour 'cpp', is true on the last message.
 * Recognition comes from any AsrAdapter (a scripted one in tests). Listens on 127.0.0.1, port 0.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { isSampleRate, toFrames } from '../../../../engine/audio/frame.ts';
import { bytesToInt16 } from '../../../../engine/audio/pcm.ts';
import type { AsrAdapter, AsrEvent, Language, RecognizeStream } from '../../../asr.ts';

export interface FunAsrTestServer {
  url: string;
  /** Every JSON message the server received, parsed, in order. */
  received: Record<string, unknown>[];
  dropAll(): void;
  close(): Promise<void>;
}

type Final = Extract<AsrEvent, { type: 'asr.final' }>;

export async function startFunAsrServer(
  asr: AsrAdapter,
  opts: { flavour?: 'python' | 'cpp'; language?: Language } = {},
): Promise<FunAsrTestServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const received: Record<string, unknown>[] = [];
  const flavour = opts.flavour ?? 'python';

  wss.on('connection', (ws) => {
    const session = { mode: '2pass', wav_name: 'microphone', audio_fs: 16000, is_speaking: true };
    let stream: RecognizeStream | undefined;
    let timeline = 0;
    let sentOnline = '';
    let audioInSegment = false;
    const send = (
      mode: 'online' | 'offline',
      text: string,
      extra: Record<string, unknown> = {},
      last = false,
    ) => {
      const m = session.mode === '2pass' ? `2pass-${mode}` : session.mode;
      const is_final = flavour === 'python' ? session.is_speaking : last;
      ws.send(JSON.stringify({ mode: m, text, wav_name: session.wav_name, is_final, ...extra }));
    };
    const offline = (f: Final, last: boolean) => {
      const ts = (f.words ?? []).flatMap((w) => {
        const chars = /\p{Script=Han}/u.test(w.word) ? [...w.word] : [w.word];
        const step = (w.endMs - w.startMs) / chars.length;
        return chars.map((_, i) => [
          Math.round(w.startMs + i * step),
          Math.round(w.startMs + (i + 1) * step),
        ]);
      });
      send('offline', f.text, { timestamp: JSON.stringify(ts) }, last);
    };
    const open = () => {
      if (stream) return stream;
      const lang = opts.language ?? 'zh-CN';
      const s = asr.stream({ language: lang, interimResults: session.mode !== 'offline' });
      stream = s;
      void (async () => {
        for await (const ev of s) {
          if (ev.type === 'asr.interim' && session.mode !== 'offline') {
            // Online passes send only the new part of the text.
            if (ev.text.startsWith(sentOnline) && ev.text.length > sentOnline.length) {
              const frag = ev.text.slice(sentOnline.length);
              sentOnline = ev.text;
              send('online', frag);
            }
          } else if (ev.type === 'asr.final') {
            sentOnline = '';
            if (session.mode !== 'online') offline(ev, !session.is_speaking);
            else if (ev.text) send('online', ev.text, {}, !session.is_speaking);
          }
        }
      })();
      return s;
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = data as Buffer;
        const rate = isSampleRate(session.audio_fs) ? session.audio_fs : 16000;
        const s = open();
        for (const f of toFrames(
          bytesToInt16(bytes.subarray(0, bytes.length - (bytes.length % 2))),
          rate,
          timeline,
        )) {
          s.push(f);
          timeline = f.timestampMs + 20;
        }
        audioInSegment = true;
        return;
      }
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      received.push(msg);
      for (const k of ['mode', 'wav_name', 'audio_fs', 'is_speaking'] as const)
        if (k in msg) (session as Record<string, unknown>)[k] = msg[k];
      if (msg.is_speaking === false) {
        if (!audioInSegment) send('offline', '', {}, true);
        else open().flush();
        audioInSegment = false;
      }
    });
    ws.on('close', () => stream?.close());
  });

  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    received,
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
