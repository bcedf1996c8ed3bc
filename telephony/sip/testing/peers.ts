import { execFile, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Test helpers for real SIP peers (sipp from Debian's sip-tester, baresip) and their media.
 * Missing binaries fail the test with a clear message: CI installs them via scripts/setup.sh.
 */

export const SIPP_SCENARIOS = resolve(import.meta.dirname, '../../../fixtures/sipp');
export const SIPP_PCAPS = '/usr/share/sip-tester';

export function requireBinary(name: string, pkg: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: run scripts/setup.sh (Debian package ${pkg})`);
  }
}

/** A UDP port that was free a moment ago (bind 0, read, close): for peers that need a number. */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A working folder for sipp: `audio/caller.wav` (espeak-ng speech as 8 kHz mu-law WAV for
 * rtp_stream) and `pcap/` links to sipp's RFC 4733 pcaps (scenario paths are relative).
 */
export function sippWorkDir(text = 'Hello, I would like to check the status of my order please.'): string {
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-sipp-'));
  mkdirSync(join(dir, 'audio'));
  mkdirSync(join(dir, 'pcap'));
  for (const f of readdirSync(SIPP_PCAPS))
    if (f.endsWith('.pcap')) symlinkSync(join(SIPP_PCAPS, f), join(dir, 'pcap', f));
  const raw = join(dir, 'audio', 'speech.wav');
  execFileSync('espeak-ng', ['-w', raw, text]);
  execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-e', 'u-law', join(dir, 'audio', 'caller.wav')]);
  return dir;
}

export interface PeerRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs sipp to completion (bounded by timeoutMs) in `cwd`. */
export function runSipp(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<PeerRun> {
  requireBinary('sipp', 'sip-tester');
  return new Promise((resolveRun) => {
    execFile(
      'sipp',
      [
        ...args,
        '-nostdin',
        '-timeout',
        `${Math.ceil((options.timeoutMs ?? 20_000) / 1000)}s`,
        '-timeout_error',
      ],
      { cwd: options.cwd, timeout: (options.timeoutMs ?? 20_000) + 5000, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? null) : 0;
        resolveRun({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

/** Starts sipp in the background (a UAS waiting for our INVITE); `done` resolves when it exits. */
export function startSipp(args: string[], options: { cwd?: string; timeoutMs?: number } = {}) {
  requireBinary('sipp', 'sip-tester');
  const child = spawn(
    'sipp',
    [
      ...args,
      '-nostdin',
      '-timeout',
      `${Math.ceil((options.timeoutMs ?? 20_000) / 1000)}s`,
      '-timeout_error',
    ],
    {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<PeerRun>((r) => child.on('close', (code) => r({ code, stdout, stderr })));
  return { child, done, stop: () => child.kill('SIGTERM') };
}

export function sippScenario(name: string): string {
  return join(SIPP_SCENARIOS, name);
}

/** Mean absolute amplitude and zero-crossing frequency of PCM16 at 8 kHz. */
export function analyse(samples: Int16Array): { level: number; frequencyHz: number } {
  let sum = 0;
  let crossings = 0;
  for (let i = 0; i < samples.length; i++) {
    sum += Math.abs(samples[i]!);
    if (i > 0 && samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  }
  return {
    level: sum / Math.max(1, samples.length),
    frequencyHz: (crossings / 2) * (8000 / Math.max(1, samples.length)),
  };
}

export function tone(frequencyHz: number, ms: number, amplitude = 8000): Int16Array {
  const out = new Int16Array((8000 * ms) / 1000);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / 8000));
  return out;
}

/** sipp checks status codes when it loads a scenario, so those vary through `{{name}}` templates. */
export function sippTemplate(name: string, vars: Record<string, string>): string {
  let text = readFileSync(join(SIPP_SCENARIOS, name), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, v);
  if (/\{\{\w+\}\}/.test(text))
    throw new Error(`${name}: unfilled template variable ${/\{\{\w+\}\}/.exec(text)![0]}`);
  const dir = mkdtempSync(join(tmpdir(), 'voicebot-sipp-scenario-'));
  const file = join(dir, name.replace('.template', ''));
  writeFileSync(file, text);
  return file;
}
