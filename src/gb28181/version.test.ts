import { describe, expect, it } from 'vitest';
import { createRequest } from './sip/util.ts';
import { parseSipMessage, serializeSipMessage } from './sip/message.ts';
import { GB_VERSION_HEADER, gbVersionText, parseGbVersion, speaks2022 } from './version.ts';

describe('X-GB-Ver protocol version (GB/T 28181-2022 Annex I, R-FN-3)', () => {
  it('R-FN-3: maps editions to the Annex I numbers and back', () => {
    expect(gbVersionText('2022')).toBe('3.0');
    expect(gbVersionText('2016')).toBe('2.0');
    expect(parseGbVersion('3.0')).toEqual({ text: '3.0', major: 3, minor: 0, edition: '2022' });
    expect(parseGbVersion(' 2.0 ')).toEqual({ text: '2.0', major: 2, minor: 0, edition: '2016' });
    expect(parseGbVersion('1.1')?.edition).toBe('2011-amendment');
    // A later edition is kept (and counts as 2022-capable) though Annex I does not name it.
    expect(parseGbVersion('4.0')).toEqual({ text: '4.0', major: 4, minor: 0 });
    for (const bad of [undefined, '', '3', 'v3.0', '3.0.1', '2022', '9999.0', '3.0; x']) expect(parseGbVersion(bad), String(bad)).toBeUndefined();
  });

  it('R-FN-3: only 3.x and later may use 2022 features (SM3 digest)', () => {
    expect(speaks2022('3.0')).toBe(true);
    expect(speaks2022('4.0')).toBe(true);
    expect(speaks2022('2.0')).toBe(false);
    expect(speaks2022(undefined)).toBe(false);
    expect(speaks2022(null)).toBe(false);
    expect(speaks2022('garbage')).toBe(false);
  });

  it('R-FN-3: is written with the standard spelling and read case-insensitively', () => {
    const req = createRequest({ method: 'REGISTER', uri: 'sip:32010000002000000001@3201000000', from: '<sip:a@b>', to: '<sip:a@b>', headers: { 'x-gb-ver': '3.0' } });
    req.headers.append('Via', 'SIP/2.0/UDP h;branch=z9hG4bKv');
    const text = Buffer.from(serializeSipMessage(req)).toString('latin1');
    expect(text).toContain('\r\nX-GB-Ver: 3.0\r\n');
    const back = parseSipMessage(Buffer.from(text.replace('X-GB-Ver', 'x-gb-VER'), 'latin1'));
    expect(back.headers.get(GB_VERSION_HEADER)).toBe('3.0');
  });
});
