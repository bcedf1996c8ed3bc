/**
 * A local stand-in for Twilio's REST API and call behaviour, for tests: POST .../Calls.json
 * (HTTP Basic, form fields as Twilio reads them, 201 with the call resource, 400 with Twilio's
 * error JSON for an unusable To, 401 for bad credentials), signed status callbacks to the
 * StatusCallback URL, and for answered calls a real Media Stream: a SimCaller on the Twilio
 * protocol connects to the TwiML's <Stream url> with its <Parameter>s and an
 * X-Twilio-Signature, and plays the callee's audio. POST .../Calls/{sid}.json Status=canceled
 * cancels a ringing call.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listen } from '../../../../engine/http/server.ts';
import { SimCaller } from '../../../../fixtures/sim-caller/sim-caller.ts';
import { twilioSignature } from '../../../auth/twilio-signature.ts';

export type FakeBehaviour =
  | { kind: 'answer'; audio: Int16Array; ringMs?: number }
  | { kind: 'busy' | 'no-answer'; ringMs?: number }
  | { kind: 'failed'; sipResponseCode: number; ringMs?: number }
  | { kind: 'ring' };

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  /** What happens to a call to this number (default: ring forever). */
  behaviour: (to: string) => FakeBehaviour;
}

export interface FakeCall {
  sid: string;
  form: URLSearchParams;
  statuses: string[];
  caller?: SimCaller;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
    });
    req.on('end', () => resolve(s));
  });
}

const xmlUnescape = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export class FakeTwilioApi {
  readonly calls: FakeCall[] = [];
  private server: Server | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  constructor(private readonly opts: FakeTwilioOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, json }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      });
    });
    const port = await listen(this.server, 0, '127.0.0.1');
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; json: unknown }> {
    const { accountSid, authToken } = this.opts;
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    const form = new URLSearchParams(await body(req));
    if (req.headers.authorization !== expected) {
      return { status: 401, json: { code: 20003, message: 'Authenticate', status: 401 } };
    }
    const base = `/2010-04-01/Accounts/${accountSid}/Calls`;
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'POST' && path === `${base}.json`) return this.create(form);
    const m = /^\/2010-04-01\/Accounts\/[^/]+\/Calls\/([^/]+)\.json$/.exec(path);
    if (req.method === 'POST' && m) {
      const call = this.calls.find((c) => c.sid === m[1]);
      if (!call) return { status: 404, json: { code: 20404, message: 'not found', status: 404 } };
      if (form.get('Status') === 'canceled') void this.status(call, 'canceled');
      return { status: 200, json: { sid: call.sid, status: 'canceled' } };
    }
    return { status: 404, json: { code: 20404, message: 'not found', status: 404 } };
  }

  private create(form: URLSearchParams): { status: number; json: unknown } {
    const to = form.get('To') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to)) {
      return {
        status: 400,
        json: { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 },
      };
    }
    for (const field of ['From', 'Twiml', 'StatusCallback']) {
      if (!form.get(field))
        return { status: 400, json: { code: 21205, message: `${field} is required`, status: 400 } };
    }
    const call: FakeCall = { sid: `CA${randomBytes(16).toString('hex')}`, form, statuses: [] };
    this.calls.push(call);
    this.later(5, () => void this.run(call));
    return {
      status: 201,
      json: {
        sid: call.sid,
        account_sid: this.opts.accountSid,
        to,
        from: form.get('From'),
        status: 'queued',
      },
    };
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Posts a signed status callback, as Twilio does. */
  private async status(
    call: FakeCall,
    callStatus: string,
    extra: Record<string, string> = {},
  ): Promise<number> {
    if (call.statuses.at(-1) === 'canceled') return 0;
    call.statuses.push(callStatus);
    const url = call.form.get('StatusCallback')!;
    const params: Record<string, string> = {
      AccountSid: this.opts.accountSid,
      CallSid: call.sid,
      CallStatus: callStatus,
      To: call.form.get('To')!,
      From: call.form.get('From')!,
      Direction: 'outbound-api',
      ...extra,
    };
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(this.opts.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
    }).catch(() => null);
    return res?.status ?? 0;
  }

  private async run(call: FakeCall): Promise<void> {
    const b = this.opts.behaviour(call.form.get('To')!);
    await this.status(call, 'initiated');
    await this.status(call, 'ringing');
    if (b.kind === 'ring') return;
    await new Promise<void>((r) => this.later(b.ringMs ?? 50, r));
    if (call.statuses.at(-1) === 'canceled') return;
    if (b.kind === 'busy' || b.kind === 'no-answer') {
      await this.status(call, b.kind);
      return;
    }
    if (b.kind === 'failed') {
      await this.status(call, 'failed', { SipResponseCode: String(b.sipResponseCode) });
      return;
    }
    if (b.kind !== 'answer') return;
    const twiml = call.form.get('Twiml')!;
    const streamUrl = xmlUnescape(/<Stream url="([^"]+)"/.exec(twiml)?.[1] ?? '');
    const customParameters: Record<string, string> = {};
    for (const m of twiml.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g)) {
      customParameters[xmlUnescape(m[1]!)] = xmlUnescape(m[2]!);
    }
    const answered: Record<string, string> = call.form.get('MachineDetection')
      ? { AnsweredBy: 'unknown' }
      : {};
    await this.status(call, 'in-progress', answered);
    const caller = new SimCaller({
      url: streamUrl,
      protocol: 'twilio',
      callSid: call.sid,
      customParameters,
      headers: { 'X-Twilio-Signature': twilioSignature(this.opts.authToken, streamUrl) },
    });
    call.caller = caller;
    await caller.connect();
    void caller.closed().then(() => this.status(call, 'completed'));
    await caller.play(b.audio);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.calls) if (c.caller?.connected) c.caller.terminate();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections();
  }
}
