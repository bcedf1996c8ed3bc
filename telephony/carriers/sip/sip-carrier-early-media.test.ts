/**
 * Early media against sipp as the callee. A carrier intercept (183 with SDP, then a SIT made
 * with sox and an espeak-ng announcement, replayed from a pcap by sipp's play_pcap_audio) ends
 * the attempt at once with the tone's disposition; ring-back in early media (sipp rtp_stream)
 * followed by an answer is a normal answered call, and AMD, which starts at the 200 OK, hears
 * only the callee.
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runAmd } from '../../../engine/amd/run-amd.ts';
import type { AudioFrame } from '../../../engine/audio/frame.ts';
import { calleeWorkDir } from '../../sip/testing/callee-audio.ts';
import { analyse, requireBinary, sippScenario, sippTemplate } from '../../sip/testing/peers.ts';
import { placeCall } from '../../sip/uac.ts';
import type { AnsweredResult } from '../carrier.ts';
import { originateRequest, type SippCallee, sippCallee } from './testing/sipp-callee.ts';

requireBinary('sipp', 'sip-tester');
requireBinary('sox', 'sox');
requireBinary('espeak-ng', 'espeak-ng');

const dirs = new Map<string, string>();
const workDir = (sit: 'IC' | 'NC-inter' = 'IC') => {
  if (!dirs.has(sit)) dirs.set(sit, calleeWorkDir({ sit }));
  return dirs.get(sit)!;
};
afterAll(() => {
  for (const d of dirs.values()) rmSync(d, { recursive: true, force: true });
});

let callee: SippCallee | undefined;
afterEach(async () => {
  await callee?.close();
  callee = undefined;
});
async function calleeFor(scenario: string, cwd: string) {
  callee = await sippCallee(['-sf', scenario], { cwd });
  return callee;
}
const request = () => originateRequest({ ringTimeoutMs: 15_000 });

describe('sip carrier: early media', () => {
  for (const [pattern, disposition, code] of [
    ['IC', 'invalid', 'sit:IC'],
    ['NC-inter', 'congestion', 'sit:NC'],
  ] as const) {
    it(`183 + ${pattern} SIT and announcement: CANCEL at the tone -> ${disposition} (${code})`, async () => {
      const { carrier, ua, passed } = await calleeFor(sippScenario('uas-early-sit.xml'), workDir(pattern));
      const r = await carrier.originate(request());
      expect(r).toMatchObject({ status: 'unanswered', disposition, code });
      expect(r.status === 'unanswered' && r.detail).toMatch(
        /\(SIT in early media at \d+ ms\); sip 487 Request Terminated/,
      );
      // 300 ms lead-in + ~1.1 s of tones; nowhere near the 15 s ring timeout.
      expect(r.ringMs).toBeLessThan(4000);
      await passed(); // sipp got the CANCEL and the ACK for its 487
      expect(ua.ports.inUse).toBe(0);
    }, 30_000);
  }

  it('183 + ring-back, then answered: AMD (from the 200 OK) hears only the callee -> HUMAN', async () => {
    const scenario = sippTemplate('uas-ringback-answer.template.xml', { ringMs: '2500' });
    const { carrier, ua, passed } = await calleeFor(scenario, workDir());
    const r = (await carrier.originate(request())) as AnsweredResult;
    expect(r).toMatchObject({ status: 'answered', early: { earlyMedia: true } });
    expect(r.ringMs).toBeGreaterThanOrEqual(2400);
    const amd = await runAmd(r.leg);
    expect(amd).toMatchObject({ result: 'HUMAN', reason: 'HUMAN' });
    r.leg.hangup('done');
    await passed();
    expect(ua.ports.inUse).toBe(0);
  }, 30_000);

  it('the UAC hands early audio to onEarlyAudio until the answer (the ring-back tone, 440+480 Hz)', async () => {
    const scenario = sippTemplate('uas-ringback-answer.template.xml', { ringMs: '2500' });
    const { port, ua, passed } = await calleeFor(scenario, workDir());
    const early: AudioFrame[] = [];
    const progress: [number, boolean][] = [];
    const result = await placeCall(ua, {
      to: `sip:+15550002222@127.0.0.1:${port}`,
      onEarlyAudio: (f) => early.push(f),
      onProgress: (s, e) => progress.push([s, e]),
    });
    expect(progress).toEqual([[183, true]]);
    expect(result).toMatchObject({ disposition: 'answered', earlyMedia: true });
    expect(result.earlyAudioMs).toBeGreaterThan(1500);
    const toneFrames = early.filter((f) => {
      const a = analyse(f.samples);
      return a.level > 1000 && Math.abs(a.frequencyHz - 460) < 40;
    });
    expect(toneFrames.length * 20).toBeGreaterThan(1500);
    const lateFrames = early.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(early.length).toBe(lateFrames); // nothing after the answer
    result.leg!.hangup();
    await passed();
    expect(ua.ports.inUse).toBe(0);
  }, 30_000);
});
