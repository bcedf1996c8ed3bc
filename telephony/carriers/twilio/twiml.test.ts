import { describe, expect, it } from 'vitest';
import { dispositionForCallStatus, streamTwiml } from './twiml.ts';

describe('twilio twiml and call status mapping', () => {
  it('escapes URLs and parameters into <Connect><Stream>', () => {
    const x = streamTwiml('wss://h/twilio?a=1&b=2', { 'na"me': '<v>' });
    expect(x).toContain('<Stream url="wss://h/twilio?a=1&amp;b=2">');
    expect(x).toContain('<Parameter name="na&quot;me" value="&lt;v&gt;"/>');
  });

  it('maps CallStatus (and the SIP code of failed calls) to dispositions', () => {
    expect(dispositionForCallStatus('busy')?.disposition).toBe('busy');
    expect(dispositionForCallStatus('no-answer')?.disposition).toBe('no-answer');
    expect(dispositionForCallStatus('canceled')).toEqual({
      disposition: 'no-answer',
      code: 'twilio:canceled',
    });
    expect(dispositionForCallStatus('completed')?.disposition).toBe('failed');
    expect(dispositionForCallStatus('failed', '486')).toEqual({ disposition: 'busy', code: 'sip:486' });
    expect(dispositionForCallStatus('failed', '603')?.disposition).toBe('declined');
    expect(dispositionForCallStatus('failed', '484')?.disposition).toBe('invalid');
    expect(dispositionForCallStatus('failed', 'x')).toEqual({ disposition: 'failed', code: 'twilio:failed' });
    expect(dispositionForCallStatus('ringing')).toBeNull();
    expect(dispositionForCallStatus('in-progress')).toBeNull();
  });
});
