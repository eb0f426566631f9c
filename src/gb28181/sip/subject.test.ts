import { describe, expect, it } from 'vitest';
import { parseGbSubject, ssrcFromSubject } from './subject.ts';

describe('INVITE Subject (GB/T 28181 §9.2.2; R-FN-3)', () => {
  it('reads sender and receiver ids and serials; the sender serial is the SSRC when it has 10 digits', () => {
    expect(parseGbSubject('34020000001320000001:0200000001,34020000002000000001:0')).toEqual({ senderId: '34020000001320000001', senderSerial: '0200000001', receiverId: '34020000002000000001', receiverSerial: '0' });
    expect(ssrcFromSubject('34020000001320000001:1100000002, 34020000002000000001:0')).toBe('1100000002');
    expect(ssrcFromSubject('34020000001320000001:1,34020000002000000001:0')).toBeUndefined();
    expect(ssrcFromSubject('garbage')).toBeUndefined();
    expect(ssrcFromSubject(undefined)).toBeUndefined();
    expect(() => parseGbSubject('a:b:c,d:e')).toThrow();
  });
});
