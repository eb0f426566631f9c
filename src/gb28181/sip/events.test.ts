import { describe, it, expect } from 'vitest';
import { createUacDialog, createUasDialog, matchesDialog } from './dialog.ts';
import { buildNotify, buildSubscribe, buildSubscribeRefresh, formatEventHeader, formatSubscriptionState, parseEventHeader, parseSubscriptionState, subscribeExpiresOf } from './events.ts';
import { parseSipMessage, serializeSipMessage, SipParseError } from './message.ts';
import { createResponse, parseCSeq, tagOf } from './util.ts';
import type { SipDestination } from './transport.ts';

const DEST: SipDestination = { host: '127.0.0.1', port: 5060, transport: 'udp' };

describe('RFC 6665 headers for GB/T 28181 subscriptions (R-FN-3)', () => {
  it('R-FN-3: parses Event with its id and parameters, keeping the package as sent', () => {
    expect(parseEventHeader('Catalog')).toEqual({ package: 'Catalog', params: {} });
    expect(parseEventHeader(' presence ; id=4711 ; Foo = "bar" ; flag')).toEqual({ package: 'presence', id: '4711', params: { id: '4711', foo: 'bar', flag: '' } });
    expect(formatEventHeader({ package: 'Catalog', id: '12' })).toBe('Catalog;id=12');
    for (const bad of ['', ' ', 'Cat alog', ';id=1', 'Catalog;id=a b', 'Catalog;=x', 'Catalog;id=1'.padEnd(600, '1')]) {
      expect(() => parseEventHeader(bad), bad).toThrow(SipParseError);
    }
  });

  it('R-FN-3: parses Subscription-State (active with expires, terminated with reason and retry-after)', () => {
    expect(parseSubscriptionState('active;expires=3600')).toMatchObject({ state: 'active', expiresS: 3600 });
    expect(parseSubscriptionState('Terminated; Reason=Deactivated;retry-after=30')).toMatchObject({ state: 'terminated', reason: 'deactivated', retryAfterS: 30 });
    expect(parseSubscriptionState('pending')).toEqual({ state: 'pending', params: {} });
    expect(formatSubscriptionState({ state: 'terminated', reason: 'timeout' })).toBe('terminated;reason=timeout');
    expect(parseSubscriptionState(formatSubscriptionState({ state: 'active', expiresS: 89.6 }))).toMatchObject({ state: 'active', expiresS: 89 });
    for (const bad of ['', 'active;expires=-1', 'active;expires=abc', 'active;expires=12345678901', 'terminated;reason=a b', 'act ive']) {
      expect(() => parseSubscriptionState(bad), bad).toThrow(SipParseError);
    }
  });

  it('R-FN-3: SUBSCRIBE, its in-dialog refresh and the notifier\'s NOTIFY belong to one dialog', () => {
    const body = Buffer.from('<Query><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>32010600002000000001</DeviceID></Query>');
    const sub = buildSubscribe({
      uri: 'sip:32010600002000000001@3201060000', from: '<sip:32010000002000000001@3201000000>', to: '<sip:32010600002000000001@3201060000>',
      contact: '<sip:32010000002000000001@127.0.0.1:5060>', event: { package: 'Catalog' }, expiresS: 3600, body, contentType: 'Application/MANSCDP+xml',
    });
    sub.headers.set('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKs1');
    const wire = parseSipMessage(serializeSipMessage(sub));
    expect(wire.kind).toBe('request');
    if (wire.kind !== 'request') return;
    expect(wire.method).toBe('SUBSCRIBE');
    expect(wire.headers.get('Event')).toBe('Catalog');
    expect(subscribeExpiresOf(wire, 60)).toBe(3600);
    expect(Buffer.from(wire.body).toString()).toBe(body.toString());
    // The notifier answers 200 (adding its To tag); both sides build the dialog from the pair.
    const ok = createResponse(wire, 200, { toTag: 'n0t1f1er', headers: { Expires: '600', Contact: '<sip:32010600002000000001@127.0.0.1:5070>' } });
    const subscriber = createUacDialog(sub, ok, DEST);
    const notifier = createUasDialog(wire, ok, DEST);
    const refresh = buildSubscribeRefresh(subscriber, { contact: '<sip:c@h>', event: { package: 'Catalog' }, expiresS: 0 });
    expect(matchesDialog(notifier, refresh)).toBe(true);
    expect(parseCSeq(refresh.headers.get('CSeq')!)).toEqual({ seq: parseCSeq(sub.headers.get('CSeq')!).seq + 1, method: 'SUBSCRIBE' });
    expect(refresh.uri).toBe('sip:32010600002000000001@127.0.0.1:5070');
    expect(subscribeExpiresOf(refresh, 3600)).toBe(0);
    const notify = buildNotify(notifier, { contact: '<sip:n@h>', event: { package: 'Catalog' }, state: { state: 'active', expiresS: 599 } });
    expect(notify.method).toBe('NOTIFY');
    expect(notify.headers.get('Call-ID')).toBe(sub.headers.get('Call-ID'));
    expect(tagOf(notify.headers.get('To'))).toBe(tagOf(sub.headers.get('From'))); // how the subscriber finds its subscription
    expect(notify.headers.get('Subscription-State')).toBe('active;expires=599');
    expect(notify.uri).toBe('sip:32010000002000000001@127.0.0.1:5060'); // the SUBSCRIBE's Contact
  });

  it('refuses a malformed Expires on SUBSCRIBE', () => {
    const sub = buildSubscribe({ uri: 'sip:a@b', from: '<sip:c@d>', to: '<sip:a@b>', contact: '<sip:c@d>', event: { package: 'presence' }, expiresS: 90 });
    sub.headers.set('Expires', 'soon');
    expect(() => subscribeExpiresOf(sub, 3600)).toThrow(SipParseError);
    sub.headers.delete('Expires');
    expect(subscribeExpiresOf(sub, 3600)).toBe(3600);
  });
});
