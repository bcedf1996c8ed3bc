import { describe, expect, it } from 'vitest';
import { portVariants, twilioSignature, validateTwilioSignature } from './twilio-signature.ts';

const URL_1 = 'https://mycompany.com/myapp.php?foo=1&bar=2';

describe('twilioSignature (protocols.md 1.3 vectors)', () => {
  it('signs form params sorted by name', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+14158675309',
      Digits: '1234',
      From: '+14158675309',
      To: '+18005551212',
    };
    expect(twilioSignature('12345', URL_1, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(validateTwilioSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_1, params)).toBe(true);
  });

  it('de-duplicates and sorts repeated values', () => {
    const params = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] };
    expect(twilioSignature('12345', URL_1, params)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('signs the WebSocket upgrade URL with empty params', () => {
    expect(twilioSignature('12345', 'wss://example.com/media-stream', {})).toBe(
      'XFfwGS2Ev7f9qAP9MmRoMS7C724=',
    );
  });

  it('accepts the URL with or without the default port', () => {
    const sig = 'XFfwGS2Ev7f9qAP9MmRoMS7C724=';
    expect(validateTwilioSignature('12345', sig, 'wss://example.com:443/media-stream')).toBe(true);
    const withPort = twilioSignature('12345', 'https://example.com:443/x');
    expect(validateTwilioSignature('12345', withPort, 'https://example.com/x')).toBe(true);
    expect(portVariants('ws://h:8080/a')).toEqual(['ws://h:8080/a']);
    expect(portVariants('ws://h/a')).toEqual(['ws://h/a', 'ws://h:80/a']);
  });

  it('refuses a wrong token, a changed URL, changed params and an empty signature', () => {
    const sig = 'XFfwGS2Ev7f9qAP9MmRoMS7C724=';
    expect(validateTwilioSignature('12346', sig, 'wss://example.com/media-stream')).toBe(false);
    expect(validateTwilioSignature('12345', sig, 'wss://example.com/media-stream2')).toBe(false);
    expect(validateTwilioSignature('12345', sig, 'wss://example.com/media-stream', { a: 'b' })).toBe(false);
    expect(validateTwilioSignature('12345', '', 'wss://example.com/media-stream')).toBe(false);
    expect(validateTwilioSignature('12345', 'short', 'wss://example.com/media-stream')).toBe(false);
  });
});
