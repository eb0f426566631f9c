import { describe, it, expect, afterEach } from 'vitest';
import { createSocket } from 'node:dgram';
import { SipTransport } from './transport.ts';
import { SipTimeoutError } from './transaction.ts';
import { scaleSipTimers } from './timers.ts';
import { createRequest, formatVia } from './util.ts';
import { parseSipMessage, serializeSipMessage } from './message.ts';
import { computeHa1, createSipChallenge, SipDigestClient, verifySipAuthorization } from '../auth.ts';
import type { SipRequest } from './message.ts';
import type { SipDestination } from './transport.ts';

const timers = scaleSipTimers(0.02); // T1 = 10 ms, T2 = 80 ms, Timer F = 640 ms
const open: SipTransport[] = [];
async function pair(): Promise<[SipTransport, SipTransport]> {
  const a = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0, tcpPort: 0, timers });
  const b = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0, tcpPort: 0, timers });
  open.push(a, b);
  return [a, b];
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const msg = (method = 'MESSAGE'): SipRequest => createRequest({
  method, uri: 'sip:34020000002000000001@3402000000', from: '<sip:34020000001320000001@3402000000>', to: '<sip:34020000002000000001@3402000000>',
  contentType: 'Application/MANSCDP+xml', body: Buffer.from('<Notify/>'),
});
const dest = (t: SipTransport, transport: 'udp' | 'tcp'): SipDestination => ({ host: '127.0.0.1', port: (transport === 'udp' ? t.udpPort : t.tcpPort) ?? 0, transport });

describe('SipTransport (R-FN-3)', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`R-FN-3: request/response over ${transport} with provisional callback`, async () => {
      const [a, b] = await pair();
      const seen: string[] = [];
      b.on('request', (req, reply, ctx) => {
        seen.push(`${req.method} ${ctx.source.transport} ${Buffer.from(req.body).toString()}`);
        reply(180);
        reply(200, { headers: { Date: '2024-06-07T08:00:00.000' } });
      });
      const provisional: number[] = [];
      const res = await a.request(msg(), dest(b, transport), { onProvisional: (r) => provisional.push(r.status) });
      expect(res.status).toBe(200);
      expect(res.headers.get('Date')).toBe('2024-06-07T08:00:00.000');
      expect(provisional).toEqual([180]);
      expect(seen).toEqual([`MESSAGE ${transport} <Notify/>`]);
    });
  }

  it('R-FN-3: UDP retransmits with doubling intervals and fails with Timer F', async () => {
    const [a] = await pair();
    const sink = createSocket('udp4');
    const arrivals: number[] = [];
    sink.on('message', () => arrivals.push(Date.now()));
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    try {
      const t0 = Date.now();
      await expect(a.request(msg(), { host: '127.0.0.1', port: sink.address().port, transport: 'udp' })).rejects.toBeInstanceOf(SipTimeoutError);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
      // 10, 20, 40, 80, 80, ... ms within 640 ms: about 10 sends.
      expect(arrivals.length).toBeGreaterThanOrEqual(7);
      expect(arrivals.length).toBeLessThanOrEqual(13);
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
      expect(gaps[3]).toBeGreaterThan(gaps[0]);
    } finally {
      sink.close();
    }
  });

  it('R-FN-3: server absorbs request retransmissions and repeats its response', async () => {
    const [, b] = await pair();
    let calls = 0;
    b.on('request', (_req, reply) => {
      calls++;
      reply(200);
    });
    const raw = createSocket('udp4');
    const responses: number[] = [];
    raw.on('message', (m) => {
      const r = parseSipMessage(m);
      if (r.kind === 'response') responses.push(r.status);
    });
    await new Promise<void>((r) => raw.bind(0, '127.0.0.1', () => r()));
    try {
      const req = msg();
      req.headers.set('Via', formatVia({ transport: 'UDP', host: '127.0.0.1', port: raw.address().port, params: { branch: 'z9hG4bKfixed1', rport: '' } }));
      const bytes = serializeSipMessage(req);
      for (let i = 0; i < 3; i++) {
        raw.send(bytes, b.udpPort ?? 0, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(calls).toBe(1);
      expect(responses).toEqual([200, 200, 200]);
    } finally {
      raw.close();
    }
  });

  it('R-FN-3: a retransmitted MESSAGE gets the same bytes (rport/received per RFC 3581, one To tag) until Timer J, then is new', async () => {
    const [, b] = await pair();
    let calls = 0;
    b.on('request', (_req, reply) => {
      calls++;
      reply(200, { headers: { Date: '2026-12-07T20:00:00.000' } });
    });
    const raw = createSocket('udp4');
    const answers: Buffer[] = [];
    raw.on('message', (m) => answers.push(m));
    await new Promise<void>((r) => raw.bind(0, '127.0.0.1', () => r()));
    try {
      const req = msg();
      // Two Via on one line: the device's own (with rport, a host name that is not the source) and one below it.
      req.headers.set('Via', `${formatVia({ transport: 'UDP', host: 'device.example', port: 5060, params: { rport: '', branch: 'z9hG4bKj1' } })}, SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKbelow`);
      const bytes = serializeSipMessage(req);
      for (let i = 0; i < 3; i++) {
        raw.send(bytes, b.udpPort ?? 0, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(calls).toBe(1);
      expect(answers).toHaveLength(3);
      expect(answers[1].equals(answers[0]) && answers[2].equals(answers[0])).toBe(true);
      const res = parseSipMessage(answers[0]);
      expect(res.headers.getAll('Via')).toEqual([`SIP/2.0/UDP device.example:5060;rport=${raw.address().port};branch=z9hG4bKj1;received=127.0.0.1`, 'SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKbelow']);
      expect(res.headers.get('To')).toMatch(/^<sip:34020000002000000001@3402000000>;tag=[0-9a-f]{12}$/);
      expect(res.headers.get('Date')).toBe('2026-12-07T20:00:00.000');
      // Timer J is 64 × T1 = 640 ms here (lived at most 1/8 longer): afterwards the same branch is a new request.
      await new Promise((r) => setTimeout(r, 900));
      raw.send(bytes, b.udpPort ?? 0, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toBe(2);
    } finally {
      raw.close();
    }
  });

  it('R-FN-3: a UDP destination given by name is still resolved (IP addresses skip the lookup)', async () => {
    const [a, b] = await pair();
    b.on('request', (_req, reply) => reply(200));
    const res = await a.request(msg(), { host: 'localhost', port: b.udpPort ?? 0, transport: 'udp' });
    expect(res.status).toBe(200);
  });

  it('R-SEC-5: request() answers a 401 digest challenge once', async () => {
    const [a, b] = await pair();
    const realm = '3402000000';
    const ch = createSipChallenge({ realm });
    const ha1 = computeHa1('34020000001320000001', realm, 'pw');
    const cseqs: string[] = [];
    b.on('request', (req, reply) => {
      cseqs.push(req.headers.get('CSeq') ?? '');
      const v = verifySipAuthorization(req.headers.get('Authorization'), { method: req.method, realm, nonce: ch.nonce, lookupHa1: () => ha1 });
      if (v.ok) reply(200);
      else reply(401, { headers: { 'WWW-Authenticate': ch.header } });
    });
    const res = await a.request(msg('REGISTER'), dest(b, 'udp'), { auth: new SipDigestClient({ username: '34020000001320000001', password: 'pw' }) });
    expect(res.status).toBe(200);
    expect(cseqs).toEqual(['1 REGISTER', '2 REGISTER']);
    const bad = await a.request(msg('REGISTER'), dest(b, 'udp'), { auth: new SipDigestClient({ username: '34020000001320000001', password: 'wrong' }) });
    expect(bad.status).toBe(401);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`R-FN-3: INVITE dialog over ${transport}: 100/200, ACK, BYE`, async () => {
      const [a, b] = await pair();
      const acks: string[] = [];
      b.on('ack', (ack) => acks.push(ack.headers.get('CSeq') ?? ''));
      const methods: string[] = [];
      b.on('request', (req, reply) => {
        methods.push(req.method);
        reply(200, { headers: { Contact: `<sip:34020000001320000001@127.0.0.1:${(transport === 'udp' ? b.udpPort : b.tcpPort) ?? 0}>`, 'Content-Type': 'application/sdp' }, body: Buffer.from('v=0\r\n') });
      });
      const inv = msg('INVITE');
      inv.headers.set('Content-Type', 'application/sdp');
      const provisional: number[] = [];
      const { response, dialog } = await a.invite(inv, dest(b, transport), { onProvisional: (r) => provisional.push(r.status) });
      expect(response.status).toBe(200);
      expect(provisional).toContain(100);
      expect(dialog?.remoteTag).toBeTruthy();
      if (!dialog) return;
      await new Promise((r) => setTimeout(r, 50));
      expect(acks).toEqual(['1 ACK']);
      const bye = await a.bye(dialog);
      expect(bye.status).toBe(200);
      expect(methods).toEqual(['INVITE', 'BYE']);
    });
  }

  it('answers 501 without handlers and 500 when a handler throws', async () => {
    const [a, b] = await pair();
    expect((await a.request(msg('OPTIONS'), dest(b, 'udp'))).status).toBe(501);
    const errors: Error[] = [];
    b.on('error', (e) => errors.push(e));
    b.on('request', () => {
      throw new Error('boom');
    });
    expect((await a.request(msg('OPTIONS'), dest(b, 'udp'))).status).toBe(500);
    expect(errors[0]?.message).toBe('boom');
  });
});
