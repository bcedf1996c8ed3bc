import { describe, expect, it } from 'vitest';
import { closeReason } from './close-codes.ts';

describe('closeReason', () => {
  it('keeps short reasons and cuts long or multi-byte ones to at most 120 bytes of UTF-8', () => {
    expect(closeReason('WS_BAD_START: x')).toBe('WS_BAD_START: x');
    expect(Buffer.byteLength(closeReason('a'.repeat(500)))).toBe(120);
    const emoji = closeReason(`WS_BAD_START: ${'😀'.repeat(60)}`);
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(120);
    expect(emoji.startsWith('WS_BAD_START: ')).toBe(true);
  });
});
