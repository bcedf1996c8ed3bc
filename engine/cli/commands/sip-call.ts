import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { placeCall } from '../../../telephony/sip/uac.ts';
import { SipUserAgent } from '../../../telephony/sip/user-agent.ts';
import { isSampleRate } from '../../audio/frame.ts';
import { resample } from '../../audio/resample.ts';
import { readWav } from '../../audio/wav.ts';
import { loadConfig } from '../../config/load.ts';
import { VoicebotError } from '../../errors.ts';
import { createRootLogger } from '../../log/logger.ts';
import type { Command } from '../main.ts';

const usage = `Usage: voicebot sip-call <sip:user@IPv4[:port]> [options]

Places one outbound SIP call (UDP): INVITE with PCMU/PCMA + telephone-event, digest auth when
challenged, CANCEL at the ring timeout. When answered it plays the WAV file (or a 1 s tone),
listens for --hold-ms, hangs up, and prints the result as JSON (disposition per the dialer table:
answered, busy, no-answer, invalid, declined, congestion, failed). Exit code 0 when answered.

Options:
  --config FILE          config file; sip.* settings apply (host, publicAddress, RTP ports, proxy, credentials)
  --wav FILE             audio to play when answered (any WAV; resampled to 8 kHz)
  --hold-ms N            stay on the call this long after answer (default 5000)
  --ring-timeout-ms N    CANCEL when not answered in time (default sip.ringTimeoutMs, 30000)
  --user NAME --password SECRET   digest credentials (default sip.username / sip.password)
  --proxy IPv4:PORT      send the INVITE here instead of the URI's host (default sip.outboundProxy)
  --from URI             From URI (default sip:voicebot@<address>)
  -h, --help             this text`;

function loadAudio(path: string): Int16Array {
  const wav = readWav(readFileSync(path));
  if (!isSampleRate(wav.sampleRate))
    throw new VoicebotError('AUDIO_BAD_RATE', `${path}: ${wav.sampleRate} Hz (use 8000 or 16000 Hz)`);
  return wav.sampleRate === 8000 ? wav.samples : resample(wav.samples, wav.sampleRate, 8000);
}

function tone(): Int16Array {
  const out = new Int16Array(8000);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return out;
}

const sipCall: Command = {
  summary: 'place one outbound SIP call, play audio, print the disposition',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        wav: { type: 'string' },
        'hold-ms': { type: 'string' },
        'ring-timeout-ms': { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        proxy: { type: 'string' },
        from: { type: 'string' },
      },
      strict: true,
    });
    const target = positionals[0];
    if (!target) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    // sip-call opens no HTTP/WebSocket listener, so the gateway's auth settings do not apply.
    const config = loadConfig({ file: values.config, overrides: { 'auth.mode': 'none' } });
    const log = createRootLogger({
      level: config.logLevel === 'info' ? 'warn' : config.logLevel,
      logPii: config.logPii,
    });
    const audio = values.wav ? loadAudio(values.wav) : tone();
    const sip = config.sip;
    const ua = await SipUserAgent.start({ ...sip, port: 0, log });
    try {
      const proxy = values.proxy ?? sip.outboundProxy;
      const username = values.user ?? sip.username;
      const password = values.password ?? sip.password;
      const [proxyHost, proxyPort] = proxy ? proxy.split(':') : [];
      const result = await placeCall(ua, {
        to: target,
        from: values.from,
        proxy: proxyHost ? { address: proxyHost, port: Number(proxyPort ?? 5060) } : undefined,
        credentials: username && password ? { username, password } : undefined,
        ringTimeoutMs: Number(values['ring-timeout-ms'] ?? sip.ringTimeoutMs),
      });
      let framesIn = 0;
      const digits: string[] = [];
      if (result.leg) {
        const leg = result.leg;
        leg.on('audio', () => framesIn++);
        leg.on('dtmf', (d) => digits.push(d.digit));
        leg.sendAudio({ samples: audio, sampleRate: 8000, timestampMs: 0 });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(
            () => {
              leg.hangup('sip-call done');
              resolve();
            },
            Number(values['hold-ms'] ?? 5000),
          );
          leg.once('hangup', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const { leg: _leg, ...summary } = result;
      process.stdout.write(`${JSON.stringify({ ...summary, framesIn, digits })}\n`);
      return result.disposition === 'answered' ? 0 : 1;
    } finally {
      await ua.close();
    }
  },
};

export default sipCall;
