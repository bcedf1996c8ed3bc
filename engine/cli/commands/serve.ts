import { parseArgs } from 'node:util';
import { createEchoMenuHandler } from '../../../dialogs/skeleton/echo-menu.ts';
import { defaultSkeletonVad } from '../../../dialogs/skeleton/vad.ts';
import { loadConfig } from '../../config/load.ts';
import { startEngine } from '../../engine.ts';
import { createRootLogger } from '../../log/logger.ts';
import { Metrics } from '../../metrics/metrics.ts';
import { createRoutedSessionHandler } from '../../session/dialog-registry.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot serve [--config FILE] [--host HOST] [--port PORT]

Runs the engine: /healthz, /readyz, /metrics and the WebSocket telephony gateway on one port.
Every setting can also come from the environment (README.md#configuration).

Options:
  --config FILE   YAML or JSON config file (env VOICEBOT_CONFIG)
  --host HOST     listen address (env VOICEBOT_HOST, default 127.0.0.1)
  --port PORT     listen port, 0 = any free port (env VOICEBOT_PORT, default 8080)
  -h, --help      this text`;

const serve: Command = {
  summary: 'run the engine',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
      strict: true,
    });
    const config = loadConfig({ file: values.config, overrides: { host: values.host, port: values.port } });
    const log = createRootLogger({ level: config.logLevel, logPii: config.logPii });
    const metrics = new Metrics({ defaultMetrics: true });
    // With `routes`, calls run dialog sessions; unrouted calls and 'skeleton' go to the skeleton.
    const routed = config.routes.length
      ? await createRoutedSessionHandler({
          config,
          log,
          metrics,
          fallback: createEchoMenuHandler({ log, createVad: defaultSkeletonVad }),
        })
      : undefined;
    const engine = await startEngine({
      config,
      log,
      metrics,
      ...(routed ? { handler: routed.handler } : {}),
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal, activeCalls: engine.gateway.activeCalls() }, 'shutting down');
        engine
          .close()
          .then(() => routed?.close())
          .then(resolve, (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            resolve();
          });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};

export default serve;
