import { parseArgs } from 'node:util';
import { mintToken } from '../../../telephony/auth/hmac-token.ts';
import { loadConfig } from '../../config/load.ts';
import { VoicebotError } from '../../errors.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot token [--ttl SECONDS] [--subject NAME] [--url WS_URL] [--config FILE]

Mints a URL token for the WebSocket gateway, signed with auth.tokenSecret (env
VOICEBOT_TOKEN_SECRET or the config file). Prints the token, or with --url the full URL to give
the telephony platform (e.g. jambonz listen: wss://bot.example.com/raw?token=...).

Options:
  --ttl SECONDS   validity (default 3600; the engine also refuses tokens older than auth.tokenMaxAgeS)
  --subject NAME  who the token is for (logged by nobody; for your own bookkeeping)
  --url WS_URL    print WS_URL with ?token= appended
  --config FILE   YAML or JSON config file (env VOICEBOT_CONFIG)
  -h, --help      this text`;

const token: Command = {
  summary: 'mint a URL token for the WebSocket gateway (?token=)',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        ttl: { type: 'string' },
        subject: { type: 'string' },
        url: { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
    });
    const config = loadConfig({ file: values.config });
    const secret = config.auth.tokenSecret;
    if (!secret) {
      throw new VoicebotError('CONFIG_INVALID', 'auth.tokenSecret is not set: set VOICEBOT_TOKEN_SECRET', {
        key: 'auth.tokenSecret',
      });
    }
    const ttlS = values.ttl === undefined ? 3600 : Number(values.ttl);
    if (!Number.isInteger(ttlS) || ttlS <= 0) {
      throw new VoicebotError(
        'CONFIG_INVALID',
        `--ttl ${values.ttl} is not a positive whole number of seconds`,
      );
    }
    const minted = mintToken(secret, { ttlS, ...(values.subject ? { subject: values.subject } : {}) });
    if (values.url) {
      const url = new URL(values.url);
      url.searchParams.set('token', minted);
      process.stdout.write(`${url.toString()}\n`);
    } else {
      process.stdout.write(`${minted}\n`);
    }
    return 0;
  },
};

export default token;
