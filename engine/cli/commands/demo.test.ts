import { describe, expect, it, vi } from 'vitest';
import demo from './demo.ts';

/** Runs the command with argv and returns its exit code and what it wrote to stderr. */
async function run(argv: string[]) {
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  try {
    return { code: await demo.run(argv), err: err.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('voicebot demo options', () => {
  it('names the scenarios and options in --help', () => {
    for (const word of [
      'voice-order',
      'human',
      'skeleton',
      '--out',
      '--record',
      '--protocol',
      '--quiet',
      '--timeout',
    ])
      expect(demo.usage).toContain(word);
  });

  it('refuses an unknown scenario, protocol or timeout with what to use instead', async () => {
    expect(await run(['--scenario', 'pizza'])).toEqual({
      code: 2,
      err: 'voicebot demo: --scenario must be one of voice-order, human, skeleton, got "pizza"\n',
    });
    expect((await run(['--protocol', 'sip'])).err).toMatch(/--protocol must be twilio or raw, got "sip"/);
    expect((await run(['--timeout', '0'])).err).toMatch(/--timeout must be a number of seconds above 0/);
  });

  it('refuses the human scenario over Twilio (its transfers need the REST API)', async () => {
    const r = await run(['--scenario', 'human', '--protocol', 'twilio']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--scenario human needs --protocol raw/);
  });
});
