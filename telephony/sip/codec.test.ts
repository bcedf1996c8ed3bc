import { describe, expect, it } from 'vitest';
import { digestAuthorization } from './digest.ts';
import { dispositionForStatus } from './disposition.ts';
import { parseChallenge, parseNameAddr, parseSipUri, parseVia } from './header-values.ts';
import { createRequest, createResponse, serialize } from './message.ts';
import { parseMessage, SipParseError, splitHeaderList } from './parser.ts';
import { answerDirection, buildOffer, buildSdp, negotiateOffer, SdpError } from './sdp.ts';

const INVITE = [
  'INVITE sip:bot@10.0.0.1:5060 SIP/2.0',
  'v: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK0',
  'f: "Alice, A." <sip:alice@10.0.0.2>;tag=abc',
  't: <sip:bot@10.0.0.1>',
  'i: call-1@10.0.0.2',
  'CSeq: 7 INVITE',
  'Subject: folded',
  '  header line',
  'WWW-Authenticate: Digest realm="a, b", nonce="n"',
  'l: 4',
  '',
  'abcdEXTRA',
].join('\r\n');

describe('SIP parser and serializer', () => {
  it('parses compact names, multi-value Via, folding, quoted commas and Content-Length', () => {
    const m = parseMessage(Buffer.from(INVITE));
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect(m.method).toBe('INVITE');
    expect(m.headers.getAll('via')).toHaveLength(2);
    expect(parseVia(m.headers.get('via')!)).toMatchObject({ transport: 'UDP', host: '10.0.0.2', port: 5062 });
    expect(parseNameAddr(m.headers.get('from')!)).toEqual({
      display: 'Alice, A.',
      uri: 'sip:alice@10.0.0.2',
      params: { tag: 'abc' },
    });
    expect(m.headers.get('subject')).toBe('folded header line');
    expect(parseChallenge(m.headers.get('www-authenticate')!).params.realm).toBe('a, b');
    expect(m.body.toString()).toBe('abcd');
  });

  it('round-trips through serialize with a recomputed Content-Length', () => {
    const req = createRequest('OPTIONS', 'sip:x@1.2.3.4', [
      ['via', 'SIP/2.0/UDP 1.2.3.5;branch=z9hG4bKa'],
      ['from', '<sip:a@b>;tag=1'],
      ['to', '<sip:x@1.2.3.4>'],
      ['call-id', 'c'],
      ['cseq', '1 OPTIONS'],
      ['content-length', '999'],
    ]);
    const text = serialize(req).toString();
    expect(text).toContain('Call-ID: c\r\n');
    expect(text).toContain('Content-Length: 0\r\n\r\n');
    const back = parseMessage(serialize(req));
    expect(back.kind === 'request' && back.uri).toBe('sip:x@1.2.3.4');
    const res = createResponse(req, 200, { toTag: 't1' });
    expect(res.headers.get('to')).toBe('<sip:x@1.2.3.4>;tag=t1');
    expect(createResponse(req, 100, { toTag: 't1' }).headers.get('to')).toBe('<sip:x@1.2.3.4>');
  });

  it.each([
    ['no start line', 'hello', 400],
    ['missing Call-ID', INVITE.replace('i: call-1@10.0.0.2\r\n', ''), 400],
    ['CSeq method mismatch', INVITE.replace('CSeq: 7 INVITE', 'CSeq: 7 BYE'), 400],
    ['bad CSeq', INVITE.replace('CSeq: 7 INVITE', 'CSeq: seven INVITE'), 400],
    ['short body', INVITE.replace('l: 4', 'l: 40'), 400],
    ['version', INVITE.replace(' SIP/2.0\r\n', ' SIP/3.0\r\n'), 505],
  ])('%s -> %i', (_name, text, status) => {
    try {
      parseMessage(Buffer.from(text));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SipParseError);
      expect((err as SipParseError).status).toBe(status);
    }
  });

  it('splits header lists only outside quotes and angle brackets', () => {
    expect(splitHeaderList('<sip:a@b;x=1,2>, "c,d" <sip:e@f>')).toEqual([
      '<sip:a@b;x=1,2>',
      '"c,d" <sip:e@f>',
    ]);
  });

  it('parses sip URIs', () => {
    expect(parseSipUri('sip:+1555@192.0.2.1:5070;transport=udp')).toEqual({
      scheme: 'sip',
      user: '+1555',
      host: '192.0.2.1',
      port: 5070,
      params: { transport: 'udp' },
    });
    expect(() => parseSipUri('tel:+1555')).toThrow(/not a sip: URI/);
  });
});

describe('digest', () => {
  it('matches the RFC 2617 section 3.5 example', () => {
    const value = digestAuthorization({
      method: 'GET',
      uri: '/dir/index.html',
      challenge:
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      credentials: { username: 'Mufasa', password: 'Circle Of Life' },
      cnonce: '0a4f113b',
    });
    expect(value).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    expect(value).toContain('nc=00000001');
  });

  it('without qop uses MD5(HA1:nonce:HA2); unknown algorithms are refused', () => {
    const v = digestAuthorization({
      method: 'INVITE',
      uri: 'sip:bob@b',
      challenge: 'Digest realm="r", nonce="n"',
      credentials: { username: 'u', password: 'p' },
    });
    expect(v).not.toContain('qop=');
    expect(() =>
      digestAuthorization({
        method: 'INVITE',
        uri: 'x',
        challenge: 'Digest realm="r", nonce="n", algorithm=SHA-512',
        credentials: { username: 'u', password: 'p' },
      }),
    ).toThrow(/unsupported digest algorithm/);
  });
});

describe('SDP offer/answer', () => {
  const offer = (m: string, extra: string[] = []) =>
    ['v=0', 'o=- 1 1 IN IP4 192.0.2.5', 's=-', 'c=IN IP4 192.0.2.5', 't=0 0', m, ...extra, ''].join('\r\n');

  it("picks the offerer's first acceptable codec and echoes telephone-event's payload type", () => {
    const sel = negotiateOffer(offer('m=audio 4000 RTP/AVP 18 8 0 96', ['a=rtpmap:96 telephone-event/8000']));
    expect(sel).toEqual({
      remoteAddress: '192.0.2.5',
      remotePort: 4000,
      payloadType: 8,
      law: 'alaw',
      dtmfPayloadType: 96,
      remoteDirection: 'sendrecv',
    });
  });

  it('refuses no common codec and non-RTP/AVP with 488, garbage with 400', () => {
    expect(() => negotiateOffer(offer('m=audio 4000 RTP/AVP 18'))).toThrow(SdpError);
    expect(() => negotiateOffer(offer('m=audio 4000 RTP/SAVP 0'))).toThrow(/RTP\/AVP/);
    try {
      negotiateOffer('garbage');
    } catch (err) {
      expect((err as SdpError).status).toBe(400);
    }
  });

  it('hold: sendonly is answered recvonly; c=0.0.0.0 counts as inactive', () => {
    expect(
      answerDirection(negotiateOffer(offer('m=audio 4000 RTP/AVP 0', ['a=sendonly'])).remoteDirection),
    ).toBe('recvonly');
    expect(
      negotiateOffer(offer('m=audio 4000 RTP/AVP 0').replace(/192\.0\.2\.5/g, '0.0.0.0')).remoteDirection,
    ).toBe('inactive');
  });

  it('builds answers and offers sdp-transform and peers can read', () => {
    const sdp = buildSdp({
      address: '198.51.100.5',
      port: 40000,
      sessionId: 1,
      version: 2,
      formats: [{ pt: 0, law: 'mulaw' }],
      dtmfPayloadType: 101,
      direction: 'sendrecv',
    });
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 101');
    expect(sdp).toContain('a=rtpmap:101 telephone-event/8000');
    expect(sdp).toContain('a=ptime:20');
    expect(negotiateOffer(buildOffer('198.51.100.5', 40002, 9))).toMatchObject({
      payloadType: 0,
      dtmfPayloadType: 101,
    });
  });
});

describe('dispositions (dialer table)', () => {
  it.each([
    [200, 'answered'],
    [486, 'busy'],
    [600, 'busy'],
    [480, 'no-answer'],
    [408, 'no-answer'],
    [487, 'no-answer'],
    [404, 'invalid'],
    [484, 'invalid'],
    [604, 'invalid'],
    [603, 'declined'],
    [403, 'declined'],
    [503, 'congestion'],
    [500, 'congestion'],
    [415, 'failed'],
  ])('%i -> %s', (status, disposition) => {
    expect(dispositionForStatus(status)).toBe(disposition);
  });
});
