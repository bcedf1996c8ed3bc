import { describe, expect, it } from 'vitest';
import type { CallInfo } from '../../telephony/call-leg.ts';
import { loadConfig } from '../config/load.ts';
import { normalizeNumber, routeCall } from './router.ts';

const info = (over: Partial<CallInfo>): CallInfo => ({
  callId: 'c1',
  transport: 'twilio',
  direction: 'inbound',
  parameters: {},
  sampleRate: 8000,
  ...over,
});

describe('inbound router', () => {
  const rules = [
    { dialog: 'survey', parameters: { campaign: 'spring' } },
    { dialog: 'voice-order', calledNumber: '+44 20 7946 0000' },
    { dialog: 'sip-only', transports: ['sip'] },
    { dialog: 'skeleton' },
  ];

  it('matches on parameters, called number (any notation), transport; first match wins', () => {
    expect(routeCall(info({ parameters: { campaign: 'spring' }, to: '+442079460000' }), rules)).toBe(
      'survey',
    );
    expect(routeCall(info({ to: '+442079460000' }), rules)).toBe('voice-order');
    expect(routeCall(info({ transport: 'sip', to: 'sip:+442079460000@pbx.example;user=phone' }), rules)).toBe(
      'voice-order',
    );
    expect(routeCall(info({ transport: 'sip', to: 'sip:reception@pbx.example' }), rules)).toBe('sip-only');
    expect(routeCall(info({ to: '+15550100000' }), rules)).toBe('skeleton');
    expect(routeCall(info({}), rules.slice(0, 2))).toBeNull();
  });

  it('normalizes numbers', () => {
    expect(normalizeNumber('tel:+1 (555) 010-0000')).toBe('+15550100000');
    expect(normalizeNumber('<sip:4420@host>')).toBe('4420');
  });

  it('config validates routes and agents with the field named', () => {
    const ok = loadConfig({
      env: {},
      overrides: { 'auth.mode': 'none' },
      file: undefined,
    });
    expect(ok.routes).toEqual([]);
    expect(ok.session.maxCallMs).toBe(900_000);
  });
});
