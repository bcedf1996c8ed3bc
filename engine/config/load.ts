import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { VoicebotError } from '../errors.ts';
import { type Config, configSchema } from './schema.ts';

/** Environment variables and the config keys they set. Documented in README "Configuration". */
export const ENV_KEYS: Record<string, string> = {
  VOICEBOT_HOST: 'host',
  VOICEBOT_PORT: 'port',
  VOICEBOT_PUBLIC_URL: 'publicUrl',
  VOICEBOT_LOG_LEVEL: 'logLevel',
  VOICEBOT_LOG_PII: 'logPii',
  VOICEBOT_AUTH_MODE: 'auth.mode',
  VOICEBOT_TOKEN_SECRET: 'auth.tokenSecret',
  VOICEBOT_TOKEN_MAX_AGE_S: 'auth.tokenMaxAgeS',
  TWILIO_AUTH_TOKEN: 'auth.twilioAuthToken',
  VOICEBOT_MAX_MESSAGE_BYTES: 'gateway.maxMessageBytes',
  VOICEBOT_MAX_MESSAGES_PER_SECOND: 'gateway.maxMessagesPerSecond',
  VOICEBOT_MAX_CALLS: 'gateway.maxCalls',
  VOICEBOT_START_TIMEOUT_MS: 'gateway.startTimeoutMs',
  VOICEBOT_MAX_OUTBOUND_QUEUE_MS: 'gateway.maxOutboundQueueMs',
  VOICEBOT_BAD_MESSAGE_LIMIT: 'gateway.badMessageLimit',
  VOICEBOT_TRANSFER_TIMEOUT_MS: 'gateway.transferTimeoutMs',
  VOICEBOT_PING_INTERVAL_MS: 'gateway.pingIntervalMs',
  TWILIO_API_BASE_URL: 'gateway.twilioApiBaseUrl',
  VOICEBOT_MODELS_DIR: 'modelsDir',
  VOICEBOT_SIP_ENABLED: 'sip.enabled',
  VOICEBOT_SIP_HOST: 'sip.host',
  VOICEBOT_SIP_PORT: 'sip.port',
  VOICEBOT_SIP_PUBLIC_ADDRESS: 'sip.publicAddress',
  VOICEBOT_SIP_RTP_PORT_MIN: 'sip.rtpPortMin',
  VOICEBOT_SIP_RTP_PORT_MAX: 'sip.rtpPortMax',
  VOICEBOT_SIP_OUTBOUND_PROXY: 'sip.outboundProxy',
  VOICEBOT_SIP_USERNAME: 'sip.username',
  VOICEBOT_SIP_PASSWORD: 'sip.password',
  VOICEBOT_ADMIN_TOKEN: 'campaigns.adminToken',
  VOICEBOT_DB: 'campaigns.db',
  DATABASE_URL: 'campaigns.databaseUrl',
  VOICEBOT_CAMPAIGN_CARRIER: 'campaigns.carrier',
  VOICEBOT_PERSONAS_DIR: 'campaigns.personasDir',
  TWILIO_ACCOUNT_SID: 'campaigns.twilioAccountSid',
  VOICEBOT_CAMPAIGN_SIP_TARGET: 'campaigns.sipTarget',
  VOICEBOT_ORDERS_FILE: 'orders.file',
  VOICEBOT_CUSTOMERS_FILE: 'orders.customersFile',
  VOICEBOT_DIALOG_WARM_UP: 'session.warmUp',
};

const KEY_TO_ENV = Object.fromEntries(Object.entries(ENV_KEYS).map(([env, key]) => [key, env]));

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function getPath(source: unknown, path: (string | number | symbol)[]): unknown {
  let node = source;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number | symbol, unknown>)[part];
  }
  return node;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new VoicebotError(
      'CONFIG_FILE_UNREADABLE',
      `cannot read config file ${path}`,
      { path },
      { cause: err },
    );
  }
  try {
    const parsed: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new VoicebotError(
      'CONFIG_INVALID',
      `config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      { path },
    );
  }
}

/** One line per problem: the key, where it came from, the value given and what is expected. */
export function describeIssues(
  issues: z.core.$ZodIssue[],
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  file?: string,
): string {
  return issues
    .map((issue) => {
      const key = issue.path.join('.') || '(root)';
      const envName = KEY_TO_ENV[key];
      const source =
        envName && env[envName] !== undefined ? `env ${envName}` : file ? `file ${file}` : 'defaults';
      const value = getPath(raw, issue.path);
      const shown =
        /secret|token|password/i.test(key) && value !== undefined ? '[hidden]' : JSON.stringify(value);
      return `  ${key} (from ${source}) = ${shown ?? 'unset'}: ${issue.message}`;
    })
    .join('\n');
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  file?: string;
  overrides?: Record<string, unknown>;
}

/**
 * Builds the config from (lowest to highest precedence) defaults, a YAML/JSON file, environment
 * variables and explicit overrides (CLI flags). Throws CONFIG_INVALID listing every bad key.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.VOICEBOT_CONFIG;
  const raw: Record<string, unknown> = file ? readConfigFile(file) : {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, key, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, key, value);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new VoicebotError(
      'CONFIG_INVALID',
      `invalid configuration:\n${describeIssues(result.error.issues, raw, env, file)}`,
      { issues: result.error.issues.map((i) => ({ key: i.path.join('.'), message: i.message })) },
    );
  }
  return result.data;
}
