// Every received SIP message that is refused or dropped is logged at warn with the peer and the
// reason, once per peer and reason a minute (issue 15 defect 3 and "Done means"): a flood of
// malformed datagrams from many source ports of one host, OPTIONS/INFO/INVITE nobody may send, a
// malformed MANSCDP body (its handler's own line only, not a second generic one). Real UDP sockets
// against a cascade node (R-FN-3, R-FLT-1).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRequest, SipTransport } from '../../src/gb28181/index.ts';
import type { SipDestination } from '../../src/gb28181/index.ts';
import { SipNode } from '../../src/cascade/sip-node.ts';
import { CITY, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

type Line = { fields: Record<string, unknown>; msg: string };

describe('refused SIP traffic is logged at warn, with peer and reason, rate-limited (R-FN-3, R-FLT-1, issue 15 defect 3)', () => {
  let city: Level;
  let dest: SipDestination;
  let peer: SipNode;
  const lines: Line[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    city = await startLevel(CITY);
    await city.cascade.start();
    const log = city.t.app.log;
    // The cascade logs through the app's logger: record what reaches warn.
    vi.spyOn(log, 'warn').mockImplementation(((fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg })) as typeof log.warn);
    dest = { host: '127.0.0.1', port: city.cascade.node!.transport.udpPort!, transport: 'udp' };
    const t = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
    peer = new SipNode(t, { id: SITE.id, domain: SITE.domain });
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await peer?.transport.close();
    await stopLevels([city]);
  });

  it('R-FLT-1: malformed datagrams from one host, whatever its source ports, are one warn line naming the peer and the parse error', async () => {
    for (let i = 0; i < 6; i++) {
      const s = createSocket('udp4');
      sockets.push(s);
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
      await new Promise<void>((r, j) => s.send(Buffer.from(`NOT SIP AT ALL ${i}\r\n\r\n`), dest.port, '127.0.0.1', (e) => (e ? j(e) : r())));
    }
    await until('a dropped datagram logged', () => lines.some((l) => /dropped/.test(l.msg)));
    await sleep(300); // the other five would be logged by now
    const dropped = lines.filter((l) => /dropped/.test(l.msg));
    expect(dropped).toHaveLength(1);
    expect(dropped[0].fields.peer).toMatch(/^udp:127\.0\.0\.1:\d+$/);
    expect(String(dropped[0].fields.reason)).not.toBe('');
  });

  it('R-FN-3: OPTIONS (405), INFO outside a dialog (481) and INVITE from a stranger (403) are each logged once at warn with peer, method, status and reason', async () => {
    const send = (method: string) => {
      const req = createRequest({ method, uri: `sip:${CITY.id}@127.0.0.1:${dest.port}`, from: `<${peer.fromUri}>`, to: `<sip:${CITY.id}@${CITY.domain}>`, headers: { Contact: peer.contact('udp') } });
      return peer.transport.request(req, dest);
    };
    const statuses: number[] = [];
    for (const method of ['OPTIONS', 'OPTIONS', 'OPTIONS', 'INFO', 'INFO', 'INVITE', 'INVITE']) statuses.push((await send(method)).status);
    expect(statuses).toEqual([405, 405, 405, 481, 481, 403, 403]);
    const refused = lines.filter((l) => /refused/.test(l.msg) && l.fields.from === SITE.id);
    expect(refused.map((l) => [l.fields.method, l.fields.status])).toEqual([['OPTIONS', 405], ['INFO', 481], ['INVITE', 403]]);
    for (const l of refused) expect(l.fields.peer).toBe(`udp:127.0.0.1:${peer.transport.udpPort}`);
    expect(refused[2].fields.reason).toMatch(/upper platform may INVITE/);
  });

  it('R-FLT-1: a malformed MANSCDP body is refused 400 and logged once by its handler (with the parse error), not twice', async () => {
    const before = lines.length;
    const bad = '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>Keepalive</CmdType><SN>x</SN>';
    for (let i = 0; i < 3; i++) expect((await peer.message(dest, CITY.id, bad)).status).toBe(400);
    const logged = lines.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0].msg).toMatch(/malformed MANSCDP/);
    expect(logged[0].fields).toMatchObject({ sipId: SITE.id });
    expect(String(logged[0].fields.err)).not.toBe('');
  });
});
