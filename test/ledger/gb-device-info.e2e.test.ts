// DeviceInfo of a GB/T 28181 device registered directly to this node fills its ledger row, and an
// NVR replaced by another model must answer with the ledger's channel count before its ticket is
// verified (issue 19; R-SEC-1, R-CITY-4, R-FLT-1; docs/design/ledger.md "Device facts" and
// "Conformance of replaced devices"). The NVR is a real SIP peer in this process: it registers with
// digest over UDP and answers the node's MANSCDP DeviceInfo queries as scripted; a malformed answer
// (bidi characters, a Channel beyond any NVR, Result ERROR, XML that does not parse) is refused and
// recorded, the row untouched. On SQLite and PostgreSQL (migration 0036).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipNode } from '../../src/cascade/sip-node.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { CascadeModule } from '../../src/cascade/index.ts';
import { createRequest, parseManscdp, SipDigestClient, SipTransport } from '../../src/gb28181/index.ts';
import type { ManscdpMessage } from '../../src/gb28181/index.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const NODE = { id: '32010600002000000001', domain: '3201060000' };
const NVR = '32010600001180000001'; // type 118: NVR
const PASSWORD = 'Nvr-Pass-1234';

type Script = { kind: 'ok'; manufacturer: string; model: string; firmware: string; channel: number } | { kind: 'xml'; text: string } | { kind: 'result'; result: string };

describe.each(DIALECTS)('GB/T 28181 DeviceInfo of a device registered here, on %s (R-SEC-1, R-CITY-4)', (dialect) => {
  let t: TestApp;
  let cascade: CascadeModule;
  let nvr: SipNode;
  let script: Script = { kind: 'ok', manufacturer: 'Hikvision', model: 'DS-7816N-K2', firmware: 'V4.1.6', channel: 16 };
  let queries = 0;
  let deviceId = 0;

  const dest = () => ({ host: '127.0.0.1', port: cascade.node!.transport.udpPort!, transport: 'udp' as const });
  /** REGISTER with digest; each call a new Call-ID, as a device that restarted (or a new box) registers. */
  const registeredAt = async () => (await repos(t.app.store.db).cascade.lowerBySipId(NVR))?.registered_at_ms ?? null;
  const register = async () => {
    const was = await registeredAt();
    const req = createRequest({ method: 'REGISTER', uri: `sip:${NODE.id}@${NODE.domain}`, from: `<sip:${NVR}@${NODE.domain}>`, to: `<sip:${NVR}@${NODE.domain}>`, headers: { Contact: nvr.contact(), Expires: '3600' } });
    const res = await nvr.transport.request(req, dest(), { auth: new SipDigestClient({ username: NVR, password: PASSWORD }) });
    expect(res.status).toBe(200);
    for (let i = 0; i < 500 && (await registeredAt()) === was; i++) await new Promise((r) => setTimeout(r, 20)); // stored after the 200 is sent
    expect(await registeredAt()).not.toBe(was);
    t.clock.advance(1000); // registered_at_ms moves on: the ledger asks again
  };
  const facts = async () => (await t.app.ledger.ledger.list(SYSTEM_ACTOR)).find((d) => d.id === deviceId)!;
  const audits = async () => (await t.app.store.db.selectFrom('audit_log').select(['outcome', 'detail']).where('action', '=', 'ledger.device.facts').orderBy('seq').execute()).map((a) => ({ outcome: a.outcome, reason: JSON.parse(a.detail!).reason as string | undefined }));
  const ask = async () => {
    const before = queries;
    await t.app.ledger.tick(); // what the module's timer does: asks the devices due, records the answers
    await t.app.ledger.gbInfo.poll();
    await t.app.ledger.tick();
    expect(queries).toBe(before + 1);
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    cascade = createCascadeModule(t.app, { settings: { ...NODE, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 3600 } });
    const admin = await t.actor('admin');
    await cascade.service.createLower(admin, { sipId: NVR, name: '考点 NVR', kind: 'device', password: PASSWORD });
    await cascade.start();
    const site = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!;
    deviceId = (await t.app.ledger.ledger.create(admin, { orgNodeId: site.id, roomId: null, deviceClass: 'nvr', code: NVR, name: '考点 NVR', model: '', serial: '', firmware: '', installedOnMs: null, warrantyUntilMs: null, responsibleName: '', responsiblePhone: '' })).id;
    nvr = new SipNode(await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 }), { id: NVR, domain: NODE.domain });
    nvr.transport.on('request', (req, reply) => {
      let q: ManscdpMessage | undefined;
      try {
        q = req.body.length > 0 ? parseManscdp(req.body) : undefined;
      } catch {
        q = undefined;
      }
      reply(200);
      if (q?.kind !== 'device-info-query') return;
      queries++;
      const s = script;
      const body: ManscdpMessage | string = s.kind === 'ok' ? { kind: 'device-info-response', sn: q.sn, deviceId: NVR, result: 'OK', manufacturer: s.manufacturer, model: s.model, firmware: s.firmware, channel: s.channel }
        : s.kind === 'result' ? { kind: 'device-info-response', sn: q.sn, deviceId: NVR, result: s.result }
        : s.text.replace('{SN}', String(q.sn));
      void nvr.message(dest(), NODE.id, body).catch(() => undefined);
    });
    await register();
  }, 60_000);

  afterAll(async () => {
    await nvr?.transport.close();
    await cascade?.stop();
    await t?.close();
  });

  it('after registration the NVR\'s DeviceInfo fills model, firmware and the channel count; asked again only when due', async () => {
    await ask();
    expect(await facts()).toMatchObject({ model: 'Hikvision DS-7816N-K2', firmware: 'V4.1.6', expectedChannels: 16, reportedChannels: 16, reportedModel: 'Hikvision DS-7816N-K2' });
    expect(await audits()).toEqual([{ outcome: 'ok', reason: undefined }]);
    // Same registration, interval not elapsed: not asked again.
    await t.app.ledger.gbInfo.poll();
    expect(queries).toBe(1);
    // The schedule: after the interval (6 h by default) it is asked again; the same answer writes no audit.
    t.clock.advance(6 * 3600_000);
    await ask();
    expect(await audits()).toHaveLength(1);
  }, 60_000);

  it('malformed DeviceInfo answers are refused and recorded, the row untouched', async () => {
    const bad: Array<[Script, RegExp]> = [
      [{ kind: 'ok', manufacturer: 'Hik\u202Evision', model: 'X', firmware: 'V1', channel: 16 }, /manufacturer/],
      [{ kind: 'ok', manufacturer: 'Hikvision', model: 'DS-7816N-K2', firmware: 'V4.1.6', channel: 99_999 }, /通道数不合理/],
      [{ kind: 'result', result: 'ERROR' }, /非 OK/],
    ];
    for (const [s, reason] of bad) {
      script = s;
      await register();
      await ask();
      expect((await audits()).at(-1)).toMatchObject({ outcome: 'error', reason: expect.stringMatching(reason) });
    }
    // Not well-formed XML: the node never gets an answer it can read; recorded as no answer after 5 s.
    script = { kind: 'xml', text: '<?xml version="1.0"?><Response><CmdType>DeviceInfo</CmdType><SN>{SN}</SN><DeviceID>' + NVR + '</DeviceID><Model>oops</Response>' };
    await register();
    await ask();
    expect((await audits()).at(-1)).toMatchObject({ outcome: 'error', reason: expect.stringMatching(/无应答/) });
    expect(await facts()).toMatchObject({ model: 'Hikvision DS-7816N-K2', firmware: 'V4.1.6', expectedChannels: 16 });
  }, 60_000);

  it('R-CITY-4: another model is a replacement; its ticket waits, saying why, until the NVR answers with the ledger\'s 16 channels', async () => {
    const admin = await t.actor('admin');
    const ticketId = await t.app.ledger.faults.recordFault(deviceId, 'offline', 'NVR 离线');
    await t.app.ledger.faults.act(admin, ticketId, 'start_repair');
    script = { kind: 'ok', manufacturer: 'Dahua', model: 'DHI-NVR4208', firmware: 'V4.0', channel: 8 };
    t.clock.advance(1000);
    await register();
    await ask();
    let detail = await t.app.ledger.faults.get(admin, ticketId);
    expect(detail.events.map((e) => e.action)).toContain('device_replaced');
    expect(detail.events.find((e) => e.action === 'device_replaced')!.note).toContain('型号 Hikvision DS-7816N-K2 → Dahua DHI-NVR4208');
    expect(detail.conformance?.waitingFor).toContain('通道数不符：台账 16 路，设备应答 8 路');
    expect((await facts()).expectedChannels).toBe(16); // the new box's 8 does not become the expectation
    // Repaired and measured healthy long enough: still not verified.
    await t.app.ledger.faults.act(admin, ticketId, 'mark_repaired');
    await t.app.ledger.faults.recordHealthy(deviceId, 'offline');
    t.clock.advance(120_000);
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, ticketId)).state).toBe('repaired');
    // The right box (16 channels) answers: conformance passes, then the system verifies.
    script = { kind: 'ok', manufacturer: 'Dahua', model: 'DHI-NVR4216', firmware: 'V4.0', channel: 16 };
    await register();
    await ask();
    detail = await t.app.ledger.faults.get(admin, ticketId);
    expect(detail.state).toBe('verified');
    expect(detail.conformance).toBeNull();
    expect(detail.events.map((e) => e.action)).toEqual(expect.arrayContaining(['device_replaced', 'conformance_pass', 'verify']));
    expect(detail.events.find((e) => e.action === 'conformance_pass')!.note).toContain('通道数 16 路');
  }, 60_000);
});
