// SIP security of the upper role (issue 13 items 1–2): after a lower registers, requests that
// claim its id from another UDP address/port or another TCP connection are refused with 403 and
// change nothing (no alarm, no channel, no keepalive credit); REGISTER digest guessing is limited
// per device id and per source address (403 with Retry-After, also for the right password, until
// the lockout ends). The lower and the spoofer are real SIP endpoints on their own sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequest, newCallId, SipDigestClient, SipTransport } from '../../src/gb28181/index.ts';
import type { ManscdpMessage, SipDestination, SipResponse } from '../../src/gb28181/index.ts';
import { SipNode } from '../../src/cascade/sip-node.ts';
import { repos } from '../../src/store/repos/index.ts';
import { addLower, CITY, PASSWORD, SITE, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const LOCK_MS = 3000;

/** A bare SIP endpoint speaking as `id` (UDP and TCP on loopback). */
async function endpoint(id: string): Promise<SipNode> {
  const t = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0, tcpPort: 0 });
  return new SipNode(t, { id, domain: id.slice(0, 10) });
}

let cseq = 1;
function register(node: SipNode, dest: SipDestination, password: string, callId = newCallId(), expires = '3600'): Promise<SipResponse> {
  const me = `<${node.fromUri}>`;
  const req = createRequest({
    method: 'REGISTER', uri: `sip:${CITY.id}@${CITY.domain}`, from: me, to: me, callId, cseq: cseq++,
    headers: { Contact: node.contact(dest.transport), Expires: expires },
  });
  return node.transport.request(req, dest, { auth: new SipDigestClient({ username: node.identity.id, password }) });
}

const alarm = (sn: number, deviceId: string, text: string): ManscdpMessage => ({ kind: 'alarm', sn, deviceId, alarmPriority: 1, alarmMethod: 2, alarmType: 1, alarmTime: '2026-12-05T10:00:00', alarmDescription: text });
const injectedCatalog = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>Catalog</CmdType><SN>77</SN><DeviceID>${SITE.id}</DeviceID><SumNum>1</SumNum><DeviceList Num="1"><Item><DeviceID>32010600001320000777</DeviceID><Name>INJECTED-777</Name><Event>ADD</Event><ParentID>${SITE.id}</ParentID><Status>ON</Status></Item></DeviceList></Notify>\r\n`;

describe('SIP source spoofing and digest guessing at the upper role (R-SEC-4, R-SEC-5, R-SEC-6, R-SEC-7)', () => {
  let city: Level;
  let lowerId: number;
  const nodes: SipNode[] = [];
  let udpDest: SipDestination;
  let tcpDest: SipDestination;

  beforeAll(async () => {
    // A short lockout so the test sees it end; 6 wrong answers per source address.
    city = await startLevel(CITY, undefined, { cascade: { registerGuard: { perDevice: 3, perSource: 6, lockMs: LOCK_MS } } });
    await city.cascade.start();
    lowerId = await addLower(city, SITE.id, 'site');
    const t = city.cascade.node!.transport;
    udpDest = { host: '127.0.0.1', port: t.udpPort!, transport: 'udp' };
    tcpDest = { host: '127.0.0.1', port: t.tcpPort!, transport: 'tcp' };
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes) await n.transport.close();
    await stopLevels([city]);
  });

  const row = async () => (await repos(city.t.app.store.db).cascade.getLower({ kind: 'all' }, lowerId))!;
  const alarms = () => city.t.app.store.db.selectFrom('cascade_alarm').selectAll().where('lower_id', '=', lowerId).execute();
  const channels = () => city.t.app.store.db.selectFrom('remote_channel').selectAll().where('lower_id', '=', lowerId).execute();

  it('R-SEC-6: MESSAGEs claiming a registered lower from another UDP port are refused 403 and store nothing; the real lower is heard', async () => {
    const lower = await endpoint(SITE.id);
    const spoofer = await endpoint(SITE.id);
    nodes.push(lower, spoofer);
    expect((await register(lower, udpDest, PASSWORD)).status).toBe(200);
    await until('lower online', async () => (await row()).online === 1);
    const before = await row();
    const keepaliveBefore = Number(before.last_keepalive_ms);
    await new Promise((r) => setTimeout(r, 20)); // a keepalive credit would move the time

    const a = await spoofer.message(udpDest, CITY.id, alarm(spoofer.nextSn(), '32010600001320000001', 'INJECTED alarm'));
    const k = await spoofer.message(udpDest, CITY.id, { kind: 'keepalive', sn: spoofer.nextSn(), deviceId: SITE.id, status: 'OK' });
    const c = await spoofer.message(udpDest, CITY.id, injectedCatalog);
    expect([a.status, k.status, c.status]).toEqual([403, 403, 403]);
    await new Promise((r) => setTimeout(r, 300)); // anything wrongly accepted would be stored by now
    expect((await alarms()).filter((x) => x.description === 'INJECTED alarm')).toHaveLength(0);
    expect((await channels()).map((x) => x.name)).not.toContain('INJECTED-777');
    expect(Number((await row()).last_keepalive_ms)).toBe(keepaliveBefore);

    // The registered socket is believed: same alarm, same keepalive, accepted and stored.
    const ok = await lower.message(udpDest, CITY.id, alarm(lower.nextSn(), '32010600001320000001', 'real alarm'));
    expect(ok.status).toBe(200);
    await until('real alarm stored', async () => (await alarms()).some((x) => x.description === 'real alarm'));
    expect((await lower.message(udpDest, CITY.id, { kind: 'keepalive', sn: lower.nextSn(), deviceId: SITE.id, status: 'OK' })).status).toBe(200);
    await until('keepalive credited', async () => Number((await row()).last_keepalive_ms) > keepaliveBefore);
  });

  it('R-FLT-1: an alarm declared GB2312 but sent as UTF-8 is stored as the text meant, and the lie shows in the status (issue 15 defect 2)', async () => {
    const lower = await endpoint(SITE.id);
    nodes.push(lower);
    expect((await register(lower, udpDest, PASSWORD)).status).toBe(200);
    const xml = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>Alarm</CmdType><SN>9</SN><DeviceID>32010600001320000003</DeviceID><AlarmPriority>1</AlarmPriority><AlarmMethod>2</AlarmMethod><AlarmTime>2026-12-05T10:00:00</AlarmTime><AlarmDescription>视频丢失 第一考场</AlarmDescription></Notify>\r\n`;
    const req = createRequest({ method: 'MESSAGE', uri: `sip:${CITY.id}@127.0.0.1:${udpDest.port}`, from: `<${lower.fromUri}>`, to: `<sip:${CITY.id}@127.0.0.1>`, contentType: 'Application/MANSCDP+xml', body: Buffer.from(xml, 'utf8') });
    expect((await lower.transport.request(req, udpDest)).status).toBe(200);
    await until('alarm stored', async () => (await alarms()).some((x) => x.device_id === '32010600001320000003'));
    expect((await alarms()).find((x) => x.device_id === '32010600001320000003')!.description).toBe('视频丢失 第一考场');
    expect(city.cascade.status().charsetMismatches).toEqual([expect.objectContaining({ sipId: SITE.id, declared: 'GB2312', actual: 'UTF-8' })]);
  });

  it('R-FLT-1: a deliberate unregister (Expires: 0) takes the lower offline without a fault alarm (issue 15 defect 7)', async () => {
    const lower = await endpoint(SITE.id);
    nodes.push(lower);
    const callId = newCallId();
    expect((await register(lower, udpDest, PASSWORD, callId)).status).toBe(200);
    await until('online', async () => (await row()).online === 1);
    const faultsBefore = (await alarms()).filter((a) => a.method === 6).length;
    expect((await register(lower, udpDest, PASSWORD, callId, '0')).status).toBe(200);
    await until('offline', async () => (await row()).online === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await alarms()).filter((a) => a.method === 6)).toHaveLength(faultsBefore);
    expect((await register(lower, udpDest, PASSWORD, callId)).status).toBe(200); // and back for the next tests
  });

  it('R-SEC-6: over TCP, only the connection the lower registered on is believed', async () => {
    const lower = await endpoint(SITE.id);
    const other = await endpoint(SITE.id);
    nodes.push(lower, other);
    expect((await register(lower, tcpDest, PASSWORD)).status).toBe(200);
    const spoofed = await other.message(tcpDest, CITY.id, alarm(other.nextSn(), '32010600001320000002', 'INJECTED over TCP'));
    expect(spoofed.status).toBe(403);
    const real = await lower.message(tcpDest, CITY.id, alarm(lower.nextSn(), '32010600001320000002', 'real over TCP'));
    expect(real.status).toBe(200);
    await until('real TCP alarm stored', async () => (await alarms()).some((x) => x.description === 'real over TCP'));
    expect((await alarms()).some((x) => x.description === 'INJECTED over TCP')).toBe(false);
  });

  it('R-SEC-5: a wrong password is challenged once more (401), then refused 403 — not 401 forever — and the right one still registers (issue 15 defect 7)', async () => {
    // A device that keeps answering each new challenge with the same wrong password (as NVRs do).
    const id = '32010600002000000002';
    await addLower(city, id, 'site 2');
    const dev = await endpoint(id);
    nodes.push(dev);
    const callId = newCallId();
    let seq = 1;
    const send = (authorization?: string) => {
      const me = `<${dev.fromUri}>`;
      const uri = `sip:${CITY.id}@${CITY.domain}`;
      const req = createRequest({ method: 'REGISTER', uri, from: me, to: me, callId, cseq: seq++, headers: { Contact: dev.contact('udp'), Expires: '3600', ...(authorization ? { Authorization: authorization } : {}) } });
      return dev.transport.request(req, udpDest);
    };
    const answer = (res: SipResponse, password: string) => new SipDigestClient({ username: id, password }).authorize(res.headers.getAll('WWW-Authenticate'), 'REGISTER', `sip:${CITY.id}@${CITY.domain}`);
    const challenge = await send();
    const again = await send(answer(challenge, 'wrong-password'));
    const refused = await send(answer(again, 'wrong-password'));
    expect([challenge.status, again.status, refused.status]).toEqual([401, 401, 403]);
    expect(refused.headers.has('WWW-Authenticate')).toBe(false);
    // Two wrong answers stay under the lockout (3): the right password, on a fresh challenge, registers.
    const fresh = await send();
    expect(fresh.status).toBe(401);
    expect((await send(answer(fresh, PASSWORD))).status).toBe(200);
  });

  it('R-SEC-4 R-SEC-5: wrong digest answers lock the device id out (403 with Retry-After, even for the right password) until the lockout ends', async () => {
    const guesser = await endpoint(SITE.id);
    nodes.push(guesser);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await register(guesser, udpDest, `wrong-${i}`)).status);
    // Two more 401s, then the third wrong answer gets 403 (issue 15 item 7), and so does the fourth attempt.
    expect(statuses).toEqual([401, 401, 403, 403]);
    const locked = await register(guesser, udpDest, PASSWORD);
    expect(locked.status).toBe(403);
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('R-SEC-4: after the lockout the right password registers again; wrong answers from one address lock that address for every id', async () => {
    const lower = await endpoint(SITE.id);
    nodes.push(lower);
    await until('lockout over', async () => (await register(lower, udpDest, PASSWORD)).status === 200, LOCK_MS * 4);
    // Three unknown ids from the same address (3 wrong answers above + 3 = the per-source limit of 6).
    for (const n of ['32010600002000000091', '32010600002000000092', '32010600002000000093']) {
      const probe = await endpoint(n);
      nodes.push(probe);
      expect((await register(probe, udpDest, 'guess')).status).toBe(403);
    }
    const res = await register(lower, udpDest, PASSWORD);
    expect(res.status).toBe(403);
    expect(res.reason).toMatch(/Too Many/);
  });
});
