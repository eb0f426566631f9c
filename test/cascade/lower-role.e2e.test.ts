// The lower role (a site) against a scripted upper on a real socket (issue 15): answers over UDP
// split so every SIP message stays under 1300 bytes with SumNum/Num paging (defect 5); catalog
// changes are not notified to an upper that holds no subscription (defect 7); RecordInfo split
// likewise; DeviceInfo/DeviceStatus complete; GuardCmd, IFameCmd (offline camera), RecordCmd answered and audited,
// RecordCmd carried out outside exam windows and refused inside one. R-FN-3, R-DIS-2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGbTime } from '../../src/gb28181/index.ts';
import type { SipDestination } from '../../src/gb28181/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { RawUpper } from './raw-upper.ts';
import { PASSWORD, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const UPPER = { id: '32010000002000000001', domain: '3201000000' };
const CAMERAS = 30;

describe('lower role against a scripted upper (R-FN-3, issue 15 defects 5 and 7)', () => {
  let site: Level;
  let upper: RawUpper;
  let dest: SipDestination;
  const gbCodes: string[] = [];

  beforeAll(async () => {
    upper = await RawUpper.start(UPPER.id);
    site = await startLevel(SITE, undefined, {
      sip: { upper: { id: UPPER.id, host: '127.0.0.1', port: upper.port, password: PASSWORD, transport: 'udp', keepaliveS: 1, expiresS: 3600 } },
    });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    for (let i = 0; i < CAMERAS; i++) {
      const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: `第${i + 1}考场 教室前门高清网络摄像机 主码流`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${i}/main`, subStream: '/none', host: '127.0.0.1', port: 9 });
      gbCodes.push(c.gbCode);
    }
    await site.cascade.start();
    dest = { host: '127.0.0.1', port: site.cascade.node!.transport.udpPort!, transport: 'udp' };
    await until('site registered', () => upper.registered && site.cascade.link!.registered);
  }, 60_000);

  afterAll(async () => {
    await stopLevels([site]);
    await upper?.close();
  });

  it('R-FN-3: a catalog of 30 long-named cameras comes over UDP in messages under 1300 bytes each, complete by SumNum', async () => {
    const sn = upper.node.nextSn();
    const answers = await upper.ask(dest, SITE.id, { kind: 'catalog-query', sn, deviceId: SITE.id });
    const items = answers.flatMap((a) => (a.kind === 'catalog-response' ? a.items : []));
    expect(items.map((i) => i.deviceId)).toEqual(expect.arrayContaining(gbCodes));
    expect(new Set(answers.map((a) => (a.kind === 'catalog-response' ? a.sumNum : -1)))).toEqual(new Set([items.length]));
    const wire = upper.received.filter((r) => r.msg?.sn === sn);
    expect(wire.length).toBeGreaterThan(2);
    for (const r of wire) expect(r.bytes).toBeLessThanOrEqual(1300);
  });

  it('R-FN-3: a catalog change is not notified to an upper that never subscribed (no Notify/Catalog MESSAGE)', async () => {
    const admin = await site.t.actor('admin');
    const before = upper.received.length;
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![1];
    await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-new', position: 'rear', sourceKind: 'rtsp', mainStream: '/cam/new/main', subStream: '/none', host: '127.0.0.1', port: 9 });
    expect(await repos(site.t.app.store.db).cameras.list({ kind: 'all' })).toHaveLength(CAMERAS + 1);
    await sleep(1500); // the watcher debounces 100 ms; a notification would be here by now
    const catalogNotes = upper.received.slice(before).filter((r) => r.msg?.kind === 'catalog-notify');
    expect(catalogNotes).toEqual([]);
    expect(upper.received.slice(before).some((r) => r.msg?.kind === 'keepalive')).toBe(true); // the link is alive meanwhile
  });

  const xmlOf = async (root: string, cmdType: string, deviceId: string, body: string): Promise<string> => {
    const sn = upper.node.nextSn();
    const before = upper.received.length;
    const text = `<?xml version="1.0" encoding="GB2312"?>\r\n<${root}><CmdType>${cmdType}</CmdType><SN>${sn}</SN><DeviceID>${deviceId}</DeviceID>${body}</${root}>\r\n`;
    expect((await upper.node.message(dest, SITE.id, text)).status).toBe(200);
    await until(`answer to ${cmdType}`, () => upper.received.slice(before).some((r) => r.msg?.sn === sn));
    return Buffer.from(upper.received.slice(before).find((r) => r.msg?.sn === sn)!.req.body).toString('latin1');
  };
  const controlAudits = async () => (await site.t.app.store.db.selectFrom('audit_log').select(['outcome', 'detail']).where('action', '=', 'cascade.control').orderBy('seq').execute())
    .map((a) => ({ outcome: a.outcome, ...(JSON.parse(String(a.detail)) as { command: string; reason: string }) }));

  it('R-FN-3: a RecordInfo answer of 40 recordings comes over UDP in messages under 1300 bytes each, complete by SumNum (defect 5)', async () => {
    const cam = (await repos(site.t.app.store.db).cameras.list({ kind: 'all' })).find((c) => c.gb_code === gbCodes[1])!;
    const db = repos(site.t.app.store.db).recordings;
    const startMs = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;
    for (let i = 0; i < 40; i++) {
      // One-minute recordings with one-minute gaps between them: 40 items.
      const s0 = startMs + i * 120_000;
      await db.insertRun({
        camera_id: cam.id, stream: 'main', started_at_ms: s0, duration_90k: 60_000 * 90, ended_at_ms: s0 + 60_000, end_reason: 'stopped', end_detail: null,
        video_codec: 'h264', width: 1920, height: 1080, rfc6381: 'avc1.640028', audio_codec: null, clock_offset_ms: null, frame_count: 1,
      });
    }
    const sn = upper.node.nextSn();
    const answers = await upper.ask(dest, SITE.id, { kind: 'record-info-query', sn, deviceId: gbCodes[1], startTime: formatGbTime(startMs - 60_000), endTime: formatGbTime(startMs + 100 * 60_000), secrecy: 0 });
    const items = answers.flatMap((a) => (a.kind === 'record-info-response' ? a.items : []));
    expect(items).toHaveLength(40);
    expect(items.map((i) => i.startTime)).toEqual(Array.from({ length: 40 }, (_, i) => formatGbTime(startMs + i * 120_000)));
    expect(new Set(answers.map((a) => (a.kind === 'record-info-response' ? a.sumNum : -1)))).toEqual(new Set([40]));
    const wire = upper.received.filter((r) => r.msg?.sn === sn);
    expect(wire.length).toBeGreaterThan(2); // 20 items of ~300 bytes would be one 6 kB datagram
    for (const r of wire) expect(r.bytes).toBeLessThanOrEqual(1300);
  });

  it('R-FN-3: DeviceInfo and DeviceStatus answers carry every field an upper lists, for the node and for a camera', async () => {
    const fields = (xml: string, names: string[]) => names.filter((n) => !new RegExp(`<${n}>[^<]+</${n}>`).test(xml));
    const nodeInfo = await xmlOf('Query', 'DeviceInfo', SITE.id, '');
    expect(fields(nodeInfo, ['DeviceID', 'Result', 'DeviceName', 'Manufacturer', 'Model', 'Firmware', 'Channel'])).toEqual([]);
    expect(nodeInfo).toMatch(new RegExp(`<Channel>${CAMERAS + 1}</Channel>`)); // the cameras of this node (one more added above)
    const camInfo = await xmlOf('Query', 'DeviceInfo', gbCodes[0], '');
    expect(fields(camInfo, ['DeviceID', 'Result', 'DeviceName', 'Manufacturer', 'Model', 'Firmware', 'Channel'])).toEqual([]);
    const nodeStatus = await xmlOf('Query', 'DeviceStatus', SITE.id, '');
    expect(fields(nodeStatus, ['DeviceID', 'Result', 'Online', 'Status', 'Encode', 'Record', 'DeviceTime'])).toEqual([]);
    const camStatus = await xmlOf('Query', 'DeviceStatus', gbCodes[0], '');
    expect(fields(camStatus, ['DeviceID', 'Result', 'Online', 'Status', 'Encode', 'Record', 'DeviceTime'])).toEqual([]);
    // No camera behind 127.0.0.1:9 answers: offline, not encoding, not recording.
    expect(camStatus).toMatch(/<Online>OFFLINE<\/Online>[\s\S]*<Encode>OFF<\/Encode>[\s\S]*<Record>OFF<\/Record>/);
    // Alarmstatus (issue 15 item 3): the camera itself, OFFDUTY — no recorder runs it on this node,
    // so nothing would raise its video-loss alarm.
    expect(camStatus).toMatch(new RegExp(`<Alarmstatus Num="1">\\s*<Item>\\s*<DeviceID>${gbCodes[0]}</DeviceID>\\s*<DutyStatus>OFFDUTY</DutyStatus>`));
    // Resolution (Annex F code) from the camera's last recording while it is offline: 1920×1080 is 6;
    // a camera never seen has none.
    expect(await xmlOf('Query', 'DeviceInfo', gbCodes[1], '')).toMatch(/<Channel>1<\/Channel>\s*<Resolution>6<\/Resolution>/);
    expect(camInfo).not.toMatch(/<Resolution>/);
    expect(await xmlOf('Query', 'DeviceInfo', '32010600001329999999', '')).toMatch(/<Result>ERROR<\/Result>/);
  });

  it('R-FN-3: GuardCmd is answered ERROR (no alarm inputs) and IFameCmd for an offline camera ERROR (no stream to ask), each audited with its reason', async () => {
    const before = (await controlAudits()).length;
    expect(await xmlOf('Control', 'DeviceControl', gbCodes[0], '<GuardCmd>ResetGuard</GuardCmd>')).toMatch(/<CmdType>DeviceControl<\/CmdType>[\s\S]*<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', gbCodes[0], '<IFameCmd>Send</IFameCmd>')).toMatch(/<Result>ERROR<\/Result>/);
    const audits = (await controlAudits()).slice(before);
    expect(audits.map((a) => [a.command, a.outcome])).toEqual([['GuardCmd', 'denied'], ['IFameCmd', 'denied']]);
    expect(audits[0].reason).toMatch(/no alarm inputs/);
    expect(audits[1].reason).toMatch(/camera offline/);
  });

  it('R-FN-3: the 2022 queries HomePositionQuery, CruiseTrackListQuery, CruiseTrackQuery, PTZPosition and SDCardStatus are each answered (issue 15); SDCardStatus of the node lists its recording disk', async () => {
    const cam = gbCodes[0];
    const flat = (xml: string) => xml.replace(/^<\?xml[^>]*\?>/, '').replace(/>\s+</g, '><').trim();
    const head = (cmd: string) => new RegExp(`^<Response><CmdType>${cmd}</CmdType><SN>\\d+</SN><DeviceID>${cam}</DeviceID>`);
    const home = flat(await xmlOf('Query', 'HomePositionQuery', cam, ''));
    expect(home).toMatch(head('HomePositionQuery'));
    expect(home).not.toMatch(/<HomePosition>/); // fixed camera: no home position
    expect(flat(await xmlOf('Query', 'CruiseTrackListQuery', cam, ''))).toMatch(/<SumNum>0<\/SumNum><CruiseTrackList Num="0"><\/CruiseTrackList><\/Response>$/);
    expect(flat(await xmlOf('Query', 'CruiseTrackQuery', cam, '<Number>1</Number>'))).toMatch(/<Number>1<\/Number><SumNum>0<\/SumNum><CruisePointList Num="0"><\/CruisePointList><\/Response>$/);
    expect(flat(await xmlOf('Query', 'PTZPosition', cam, ''))).toMatch(new RegExp(`${head('PTZPosition').source}</Response>$`));
    expect(flat(await xmlOf('Query', 'SDCardStatus', cam, ''))).toMatch(/<SumNum>0<\/SumNum><SDCardStatusInfo Num="0"><\/SDCardStatusInfo><\/Response>$/);
    const disk = flat(await xmlOf('Query', 'SDCardStatus', SITE.id, ''));
    const m = /<SumNum>1<\/SumNum><SDCardStatusInfo Num="1"><Item><ID>1<\/ID><HddName>recordings<\/HddName><Status>ok<\/Status><Capacity>(\d+)<\/Capacity><FreeSpace>(\d+)<\/FreeSpace><\/Item>/.exec(disk);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeLessThanOrEqual(Number(m![1]));
  });

  it('R-DIS-2 R-FN-3: RecordCmd StopRecord/Record switch the camera between scheduled and continuous recording, and StopRecord is refused inside an exam window', async () => {
    const cams = repos(site.t.app.store.db).cameras;
    const cam = (await cams.list({ kind: 'all' })).find((c) => c.gb_code === gbCodes[2])!;
    const mode = async () => (await cams.get({ kind: 'all' }, cam.id))!.recording_mode;
    expect(await mode()).toBe('continuous');
    expect(await xmlOf('Control', 'DeviceControl', gbCodes[2], '<RecordCmd>StopRecord</RecordCmd>')).toMatch(/<Result>OK<\/Result>/);
    expect(await mode()).toBe('scheduled');
    expect(await xmlOf('Control', 'DeviceControl', gbCodes[2], '<RecordCmd>Record</RecordCmd>')).toMatch(/<Result>OK<\/Result>/);
    expect(await mode()).toBe('continuous');
    // A required (exam) window now in the camera's room: recording must not stop.
    const now = Date.now();
    await repos(site.t.app.store.db).recordings.insertSchedule({ camera_id: cam.id, start_ms: now - 60_000, end_ms: now + 3_600_000, reason: 'exam:record-cmd', created_by: 'test', created_at_ms: now });
    expect(await xmlOf('Control', 'DeviceControl', gbCodes[2], '<RecordCmd>StopRecord</RecordCmd>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await mode()).toBe('continuous');
    const audits = (await controlAudits()).filter((a) => a.command === 'RecordCmd');
    expect(audits.map((a) => a.outcome)).toEqual(['ok', 'ok', 'denied']);
    expect(audits[2].reason).toMatch(/exam window exam:record-cmd/);
  });

  it('R-FN-3 R-DIS-2: PresetQuery, ConfigDownload, MobilePosition and non-PTZ DeviceControl get a Response with a correct Result; TeleBoot and GuardCmd are refused', async () => {
    const cam = gbCodes[0];
    expect(await xmlOf('Query', 'PresetQuery', cam, '')).toMatch(/<PresetList Num="0">/);
    const cfg = await xmlOf('Query', 'ConfigDownload', SITE.id, '<ConfigType>BasicParam/VideoParamOpt</ConfigType>');
    expect(cfg).toMatch(/<Result>OK<\/Result>/);
    expect(cfg).toMatch(/<HeartBeatInterval>1<\/HeartBeatInterval>/);
    expect(cfg).toMatch(/<DownloadSpeed>1\/2\/4\/8<\/DownloadSpeed>/);
    expect(await xmlOf('Query', 'MobilePosition', cam, '')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', SITE.id, '<TeleBoot>Boot</TeleBoot>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', cam, '<GuardCmd>SetGuard</GuardCmd>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', cam, '<AlarmCmd>ResetAlarm</AlarmCmd>')).toMatch(/<Result>OK<\/Result>/);
    expect(await xmlOf('Query', 'Alarm', SITE.id, '')).toMatch(/<Result>OK<\/Result>/);
    const audits = (await controlAudits()).filter((a) => ['TeleBoot', 'GuardCmd', 'AlarmCmd'].includes(a.command) && a.reason !== undefined);
    expect(audits.slice(-3).map((a) => a.outcome).sort()).toEqual(['denied', 'denied', 'ok']);
  });
});
