import { z } from 'zod';
import { agentSchema } from '../agents/registry.ts';
import { routeSchema } from '../session/route-schema.ts';

const port = z.coerce.number().int().min(0).max(65535);
const boolish = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no'])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8080),
    publicUrl: z.url().optional().describe("URL callers' platforms reach us at (for Twilio signatures)"),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    logPii: boolish.default(false),
    auth: z
      .object({
        mode: z.enum(['token', 'twilio', 'token-or-twilio', 'none']).default('token-or-twilio'),
        tokenSecret: z.string().min(16, 'use at least 16 characters of random secret').optional(),
        twilioAuthToken: z.string().min(1).optional(),
        tokenMaxAgeS: z.coerce.number().int().positive().default(3600),
      })
      .prefault({}),
    gateway: z
      .object({
        maxMessageBytes: z.coerce
          .number()
          .int()
          .min(1024)
          .default(64 * 1024),
        maxMessagesPerSecond: z.coerce.number().int().min(10).default(200),
        maxCalls: z.coerce.number().int().positive().default(2000),
        startTimeoutMs: z.coerce.number().int().positive().default(10_000),
        maxOutboundQueueMs: z.coerce.number().int().positive().default(120_000),
        badMessageLimit: z.coerce.number().int().positive().default(5),
        transferTimeoutMs: z.coerce.number().int().positive().default(10_000),
        pingIntervalMs: z.coerce.number().int().min(50).default(20_000),
        twilioApiBaseUrl: z.url().default('https://api.twilio.com'),
      })
      .prefault({}),
    sip: z
      .object({
        enabled: boolish.default(false),
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(5060),
        publicAddress: z
          .string()
          .min(1)
          .optional()
          .describe('IPv4 address written into Contact, Via and SDP when it differs from sip.host (NAT)'),
        rtpPortMin: port.default(10_000).describe('0 = let the OS pick any free port per call'),
        rtpPortMax: port.default(20_000),
        maxCalls: z.coerce.number().int().positive().default(500),
        maxInvitesPerSecond: z.coerce.number().int().positive().default(50),
        ringMs: z.coerce.number().int().min(0).default(0),
        ringTimeoutMs: z.coerce.number().int().positive().default(30_000),
        referTimeoutMs: z.coerce.number().int().positive().default(30_000),
        outboundProxy: z
          .string()
          .regex(/^\d+\.\d+\.\d+\.\d+(:\d+)?$/, 'use IPv4[:port], e.g. 192.0.2.10:5060')
          .optional(),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
      })
      .prefault({})
      .refine((s) => s.rtpPortMin === 0 || s.rtpPortMin <= s.rtpPortMax, {
        message: 'sip.rtpPortMin must be <= sip.rtpPortMax (or 0 for any port)',
        path: ['rtpPortMin'],
      }),
    modelsDir: z.string().default('../shared/models'),
    session: z
      .object({
        maxCallMs: z.coerce
          .number()
          .int()
          .positive()
          .default(15 * 60_000),
        minSpeechMs: z.coerce
          .number()
          .int()
          .min(0)
          .default(100)
          .describe('caller speech (from its onset) before the bot pauses its prompt'),
        backchannelMaxMs: z.coerce
          .number()
          .int()
          .min(0)
          .default(700)
          .describe('caller speech after which the paused prompt is a barge-in without waiting for words'),
        endpointSilenceMs: z.coerce.number().int().min(100).default(700),
        callsDir: z.string().min(1).default('calls').describe('where the file sink writes <callId>.json'),
        recordAudio: boolish.default(false).describe('also write <callId>.wav: caller left, bot right'),
        warmUp: boolish
          .default(true)
          .describe(
            "run each routed dialog's turn path once at start (no I/O), so the first caller is not slow",
          ),
      })
      .prefault({}),
    agents: z.array(agentSchema).default([]),
    campaigns: z
      .object({
        adminToken: z
          .string()
          .min(16, 'use at least 16 characters of random secret')
          .optional()
          .describe('bearer token of the campaign REST API; unset: no API and no dialer in serve'),
        db: z.string().min(1).default('var/voicebot.db').describe('SQLite file of the campaign store'),
        databaseUrl: z
          .string()
          .min(1)
          .optional()
          .describe('PostgreSQL URL; when set it is used instead of db'),
        carrier: z.enum(['sim', 'twilio', 'sip']).default('sim').describe('how the dialer originates calls'),
        personasDir: z
          .string()
          .min(1)
          .optional()
          .describe('sim carrier personas (default fixtures/personas)'),
        twilioAccountSid: z.string().min(1).optional(),
        sipTarget: z
          .string()
          .min(1)
          .default('sip:{to}@127.0.0.1:5060')
          .describe('Request-URI template for outbound SIP calls ({to} = the E.164 number)'),
      })
      .prefault({}),
    orders: z
      .object({
        file: z
          .string()
          .trim()
          .min(1, 'give a file path, e.g. var/orders.jsonl')
          .default('orders.jsonl')
          .describe('JSON Lines file the voice-order dialog appends placed orders to (relative: to the cwd)'),
        customersFile: z
          .string()
          .trim()
          .min(1, 'give a file path, or leave it unset for the demo customers')
          .optional()
          .describe(
            'registered delivery addresses by caller ID (JSON); unset: fixtures/customers/customers.json',
          ),
      })
      .prefault({}),
    routes: z.array(routeSchema).default([]).describe('inbound routing to dialogs; first match wins'),
  })
  .superRefine((cfg, ctx) => {
    const { mode, tokenSecret, twilioAuthToken } = cfg.auth;
    if ((mode === 'token' || mode === 'token-or-twilio') && !tokenSecret && mode === 'token') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'tokenSecret'],
        message: 'required when auth.mode is token',
      });
    }
    if (mode === 'twilio' && !twilioAuthToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'twilioAuthToken'],
        message: 'required when auth.mode is twilio',
      });
    }
    if (mode === 'token-or-twilio' && !tokenSecret && !twilioAuthToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          'set auth.tokenSecret and/or auth.twilioAuthToken, or auth.mode=none for a closed lab network',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
