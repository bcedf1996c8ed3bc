import { parseArgs } from 'node:util';
import { loadAsrEngine, loadTtsEngine } from '../../../asr-tts/grpc/engines.ts';
import { createSpeechServer } from '../../../asr-tts/grpc/speech-server.ts';
import { VoicebotError } from '../../errors.ts';
import { createRootLogger } from '../../log/logger.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot speech-server [--host HOST] [--port PORT] [--asr ENGINE] [--tts ENGINE]

Serves NVIDIA Riva's gRPC speech API (RivaSpeechRecognition/StreamingRecognize and
RivaSpeechSynthesis/SynthesizeOnline) backed by voicebot's embedded engines, so speech can run on
its own machine. Any Riva client works, including voicebot's riva adapters (docs/speech-network.md).
Prints "speech-server listening HOST:PORT" once bound. SIGTERM/SIGINT: stop accepting calls, let
running ones finish for --grace-ms, then cancel them.

Options:
  --host HOST       listen address (default 127.0.0.1; 0.0.0.0 for other machines)
  --port PORT       listen port, 0 = any free port (default 50051, Riva's port)
  --asr ENGINE      recognizer to serve, or none (default none)
  --tts ENGINE      synthesizer to serve, or none (default none)
  --grace-ms MS     shutdown grace for running calls (default 2000)
  --log-level LVL   pino level (default info)
  -h, --help        this text`;

const speechServer: Command = {
  summary: 'serve the Riva gRPC speech API backed by the embedded engines',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '50051' },
        asr: { type: 'string', default: 'none' },
        tts: { type: 'string', default: 'none' },
        'grace-ms': { type: 'string', default: '2000' },
        'log-level': { type: 'string', default: 'info' },
      },
      strict: true,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new VoicebotError('CONFIG_INVALID', `--port '${values.port}' is not a port number (0-65535)`);
    const graceMs = Number(values['grace-ms']);
    if (!Number.isFinite(graceMs) || graceMs < 0)
      throw new VoicebotError('CONFIG_INVALID', `--grace-ms '${values['grace-ms']}' is not a duration in ms`);
    const asr = await loadAsrEngine(values.asr);
    const tts = await loadTtsEngine(values.tts);
    if (!asr && !tts)
      throw new VoicebotError('CONFIG_INVALID', 'nothing to serve: give --asr ENGINE and/or --tts ENGINE');
    const log = createRootLogger({ level: values['log-level'] });
    const server = createSpeechServer({ ...(asr ? { asr } : {}), ...(tts ? { tts } : {}), log });
    let bound: number;
    try {
      bound = await server.listen(values.host, port);
    } catch (err) {
      throw new VoicebotError(
        'CONFIG_INVALID',
        `cannot listen on ${values.host}:${port}: ${(err as Error).message}`,
        {
          setting: 'port',
        },
      );
    }
    process.stdout.write(`speech-server listening ${values.host}:${bound}\n`);
    log.info({ host: values.host, port: bound, asr: asr?.name, tts: tts?.name }, 'speech-server listening');
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'speech-server shutting down');
        void server.shutdown(graceMs).then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await Promise.all([asr?.close?.(), tts?.close?.()]);
    return 0;
  },
};

export default speechServer;
