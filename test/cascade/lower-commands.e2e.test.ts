// Commands real uppers (wvp, provincial platforms) send to a site beyond the basics (issue 15
// "Missing"): RecordInfo with Type filter and file-sized items carrying FilePath/Address/
// RecorderID; HomePosition and DragZoomIn/Out policed like PTZ (R-DIS-2); DeviceConfig
// BasicParam applied to the link; the catalog's business group (215) and 2022 Info fields; voice
// broadcast and talk refused clearly (no audio output here), audited.
// R-FN-3, R-DIS-2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessGroupId } from '../../src/cascade/catalog.ts';
import type { SipDestination } from '../../src/gb28181/index.ts';
import { buildGbSdp, createRequest, formatGbTime } from '../../src/gb28181/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { RawUpper } from './raw-upper.ts';
import { PASSWORD, SITE, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const UPPER = { id: '32010000002000000001', domain: '3201000000' };
const HOUR_MS = 3_600_000;

describe('lower role: RecordInfo, lens control, DeviceConfig, business group (R-FN-3, R-DIS-2, issue 15)', () => {
  let site: Level;
  let upper: RawUpper;
  let dest: SipDestination;
  const cams: Array<{ id: number; gb: string }> = [];
  let roomName = '';

  beforeAll(async () => {
    upper = await RawUpper.start(UPPER.id);
    site = await startLevel(SITE, undefined, {
      sip: { upper: { id: UPPER.id, host: '127.0.0.1', port: upper.port, password: PASSWORD, transport: 'udp', keepaliveS: 30, expiresS: 3600 } },
    });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    roomName = room.name;
    for (const pos of ['front', 'rear'] as const) {
      const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: `cam-${pos}`, position: pos, sourceKind: 'rtsp', mainStream: `/cam/${pos}`, subStream: '/none', host: '127.0.0.1', port: 9 });
      cams.push({ id: c.id, gb: c.gbCode });
    }
    await site.cascade.start();
    dest = { host: '127.0.0.1', port: site.cascade.node!.transport.udpPort!, transport: 'udp' };
    await until('site registered', () => upper.registered && site.cascade.link!.registered);
  }, 60_000);

  afterAll(async () => {
    await stopLevels([site]);
    await upper?.close();
  });

  /** Sends raw MANSCDP XML and returns the answer's text (and its parsed form). */
  const xmlOf = async (root: string, cmdType: string, deviceId: string, body: string): Promise<string> => {
    const sn = upper.node.nextSn();
    const before = upper.received.length;
    const text = `<?xml version="1.0" encoding="GB2312"?>\r\n<${root}><CmdType>${cmdType}</CmdType><SN>${sn}</SN><DeviceID>${deviceId}</DeviceID>${body}</${root}>\r\n`;
    expect((await upper.node.message(dest, SITE.id, text)).status).toBe(200);
    await until(`answer to ${cmdType}`, () => upper.received.slice(before).some((r) => r.msg?.sn === sn));
    return Buffer.from(upper.received.slice(before).find((r) => r.msg?.sn === sn)!.req.body).toString('latin1');
  };

  it('R-FN-3: RecordInfo cuts a 2.5 h recording into items of at most 1 h with Type/FilePath/Address/RecorderID, and honours the Type filter', async () => {
    const db = repos(site.t.app.store.db).recordings;
    const startMs = Math.floor((Date.now() - 2 * 86_400_000) / 1000) * 1000;
    const durMs = 2.5 * HOUR_MS;
    const runId = await db.insertRun({
      camera_id: cams[0].id, stream: 'main', started_at_ms: startMs, duration_90k: durMs * 90, ended_at_ms: startMs + durMs, end_reason: 'stopped', end_detail: null,
      video_codec: 'h264', width: 1920, height: 1080, rfc6381: 'avc1.640028', audio_codec: null, clock_offset_ms: null, frame_count: 1,
    });
    await db.insertFile({
      run_id: runId, camera_id: cams[0].id, rel_path: 'x/1.mp4', start_ms: startMs, end_ms: startMs + durMs, start_90k: 0, duration_90k: durMs * 90,
      init_bytes: 100, bytes: 5_000_000, frame_count: 1, fragment_index: new Uint8Array(0), status: 'closed',
    });
    const q = { deviceId: cams[0].gb, startTime: formatGbTime(startMs - HOUR_MS), endTime: formatGbTime(startMs + 4 * HOUR_MS), secrecy: 0 };
    const answers = await upper.ask(dest, SITE.id, { kind: 'record-info-query', sn: upper.node.nextSn(), ...q, type: 'time' });
    const items = answers.flatMap((a) => (a.kind === 'record-info-response' ? a.items : []));
    expect(items.map((i) => [i.startTime, i.endTime])).toEqual([
      [formatGbTime(startMs), formatGbTime(startMs + HOUR_MS)],
      [formatGbTime(startMs + HOUR_MS), formatGbTime(startMs + 2 * HOUR_MS)],
      [formatGbTime(startMs + 2 * HOUR_MS), formatGbTime(startMs + durMs)],
    ]);
    for (const it of items) {
      expect(it).toMatchObject({ deviceId: cams[0].gb, type: 'time', recorderId: SITE.id, address: roomName });
      expect(it.filePath).toMatch(new RegExp(`^${cams[0].gb}/\\d{14}$`));
    }
    expect(items.map((i) => i.fileSize)).toEqual([2_000_000, 2_000_000, 1_000_000]); // pro rata
    const alarmOnly = await upper.ask(dest, SITE.id, { kind: 'record-info-query', sn: upper.node.nextSn(), ...q, type: 'alarm' });
    expect(alarmOnly.map((a) => (a.kind === 'record-info-response' ? a.sumNum : -1))).toEqual([0]);
  });

  it('R-DIS-2: HomePosition and DragZoomIn/Out are answered OK outside an exam window and ERROR inside one, audited as PTZ', async () => {
    expect(await xmlOf('Control', 'DeviceControl', cams[0].gb, '<HomePosition><Enabled>1</Enabled><ResetTime>30</ResetTime><PresetIndex>1</PresetIndex></HomePosition>')).toMatch(/<Result>OK<\/Result>/);
    const now = Date.now();
    await repos(site.t.app.store.db).recordings.insertSchedule({ camera_id: cams[1].id, start_ms: now - 60_000, end_ms: now + HOUR_MS, reason: 'exam:lens-test', created_by: 'test', created_at_ms: now });
    const drag = '<Length>1920</Length><Width>1080</Width><MidPointX>960</MidPointX><MidPointY>540</MidPointY><LengthX>200</LengthX><LengthY>100</LengthY>';
    // cams[1] shares the room of cams[0]: the whole room is locked.
    expect(await xmlOf('Control', 'DeviceControl', cams[0].gb, `<DragZoomIn>${drag}</DragZoomIn>`)).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', cams[1].gb, `<DragZoomOut>${drag}</DragZoomOut>`)).toMatch(/<Result>ERROR<\/Result>/);
    const audits = await site.t.app.store.db.selectFrom('audit_log').select(['action', 'outcome', 'detail']).where('action', '=', 'cascade.ptz').execute();
    expect(audits.map((a) => [a.outcome, JSON.parse(String(a.detail)).ptzCmd as string])).toEqual([['ok', 'HomePosition'], ['denied', 'DragZoomIn'], ['denied', 'DragZoomOut']]);
  });

  it('R-FN-3: a voice Broadcast is answered Result ERROR with the reason, and an INVITE s=Talk gets 488 with a Warning; both audited as denied', async () => {
    // Broadcast names no DeviceID: SourceID (the upper) and TargetID (the audio output).
    const sn = upper.node.nextSn();
    const before = upper.received.length;
    const notify = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Broadcast</CmdType>\r\n<SN>${sn}</SN>\r\n<SourceID>${UPPER.id}</SourceID>\r\n<TargetID>${cams[0].gb}</TargetID>\r\n</Notify>\r\n`;
    expect((await upper.node.message(dest, SITE.id, notify)).status).toBe(200);
    await until('answer to Broadcast', () => upper.received.slice(before).some((r) => r.msg?.sn === sn));
    const answer = Buffer.from(upper.received.slice(before).find((r) => r.msg?.sn === sn)!.req.body).toString('latin1');
    expect(answer).toMatch(/<CmdType>Broadcast<\/CmdType>/);
    expect(answer).toContain(`<DeviceID>${cams[0].gb}</DeviceID>`);
    expect(answer).toMatch(/<Result>ERROR<\/Result>/);
    expect(answer).toMatch(/<Reason>no audio output/);
    // A target this node does not have is refused as such, not as an audio question.
    const sn2 = upper.node.nextSn();
    const stranger = '32010000001370000099';
    const before2 = upper.received.length;
    expect((await upper.node.message(dest, SITE.id, notify.replace(String(sn), String(sn2)).replace(cams[0].gb, stranger))).status).toBe(200);
    await until('answer to the second Broadcast', () => upper.received.slice(before2).some((r) => r.msg?.sn === sn2));
    const answer2 = Buffer.from(upper.received.slice(before2).find((r) => r.msg?.sn === sn2)!.req.body).toString('latin1');
    expect(answer2).toContain(`<DeviceID>${stranger}</DeviceID>`);
    expect(answer2).toMatch(/<Result>ERROR<\/Result>\s*<Reason>unknown target 32010000001370000099/);

    const sdp = buildGbSdp({ sessionName: 'Talk', originId: UPPER.id, ip: '127.0.0.1', port: 9, transport: 'udp', direction: 'sendrecv', startSec: 0, endSec: 0, rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }], ssrc: '0100000001' });
    const invite = createRequest({
      method: 'INVITE', uri: `sip:${cams[0].gb}@127.0.0.1:${dest.port}`, from: `<sip:${UPPER.id}@${UPPER.domain}>`, to: `<sip:${cams[0].gb}@127.0.0.1:${dest.port}>`,
      contentType: 'APPLICATION/SDP', body: new TextEncoder().encode(sdp), headers: { Contact: upper.node.contact('udp'), Subject: `${cams[0].gb}:0100000001,${UPPER.id}:0` },
    });
    const res = await upper.node.transport.request(invite, dest);
    expect(res.status).toBe(488);
    expect(res.headers.get('Warning')).toMatch(/^304 \S+ "Media type not available: no audio output/);
    const audits = await site.t.app.store.db.selectFrom('audit_log').select(['action', 'outcome', 'object_id']).where('action', 'in', ['cascade.broadcast', 'cascade.talk']).execute();
    expect(audits.map((a) => [a.action, a.outcome, String(a.object_id)]).sort()).toEqual([['cascade.broadcast', 'denied', String(cams[0].id)], ['cascade.broadcast', 'denied', stranger], ['cascade.talk', 'denied', String(cams[0].id)]].sort());
  });

  it('R-FN-3: a Query or Control this node does not know is answered Result ERROR with the reason (the upper never waits for nothing); a Notify gets its SIP 200 only', async () => {
    const unknown = await xmlOf('Query', 'PatrolRouteQuery', cams[0].gb, '');
    expect(unknown).toMatch(/<CmdType>PatrolRouteQuery<\/CmdType>/);
    expect(unknown).toMatch(/<Result>ERROR<\/Result>\s*<Reason>Query\/PatrolRouteQuery is not supported here<\/Reason>/);
    expect(await xmlOf('Control', 'SomeVendorControl', SITE.id, '<X>1</X>')).toMatch(/<Result>ERROR<\/Result>/);
    // A known 2022 query in a malformed form says what is wrong.
    expect(await xmlOf('Query', 'CruiseTrackQuery', cams[0].gb, '')).toMatch(/<Reason>CruiseTrackQuery needs &lt;Number&gt;<\/Reason>/);
    const before = upper.received.length;
    const sn = upper.node.nextSn();
    const text = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>VendorNotice</CmdType><SN>${sn}</SN><DeviceID>${SITE.id}</DeviceID></Notify>\r\n`;
    expect((await upper.node.message(dest, SITE.id, text)).status).toBe(200);
    // Wait for a later answer instead of a fixed time: nothing is sent back for the Notify before it.
    await xmlOf('Query', 'PatrolRouteQuery', SITE.id, '');
    expect(upper.received.slice(before).some((r) => r.msg?.sn === sn)).toBe(false);
  });

  it('R-FN-3: DeviceConfig BasicParam changes the keepalive interval and count of the link; a new Name, other types and cameras are refused', async () => {
    const link = site.cascade.link!;
    const ok = await xmlOf('Control', 'DeviceConfig', SITE.id, '<BasicParam><Expiration>7200</Expiration><HeartBeatInterval>20</HeartBeatInterval><HeartBeatCount>5</HeartBeatCount></BasicParam>');
    expect(ok).toMatch(/<CmdType>DeviceConfig<\/CmdType>[\s\S]*<Result>OK<\/Result>/);
    expect(link.upper).toMatchObject({ expiresS: 7200, keepaliveS: 20, heartBeatCount: 5 });
    expect(await xmlOf('Control', 'DeviceConfig', SITE.id, '<BasicParam><Name>other</Name></BasicParam>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceConfig', SITE.id, '<BasicParam><HeartBeatInterval>1</HeartBeatInterval></BasicParam>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceConfig', SITE.id, '<SVACEncodeConfig><ROIParam/></SVACEncodeConfig>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceConfig', cams[0].gb, '<BasicParam><HeartBeatCount>4</HeartBeatCount></BasicParam>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(link.upper.keepaliveS).toBe(20);
    const audits = await site.t.app.store.db.selectFrom('audit_log').select('outcome').where('action', '=', 'cascade.config').execute();
    expect(audits.map((a) => a.outcome)).toEqual(['ok', 'denied', 'denied', 'denied', 'denied']);
  });

  it('R-FN-3: the catalog is system → business group 215 → 216 → channels, with BusinessGroupID and 2022 Info PTZType/Resolution/DownloadSpeed', async () => {
    // A recording of cams[0] at 1280×720: its Info Resolution is 5 (720P, Annex F); cams[1] never recorded has none.
    const t0 = Date.now() - 3_600_000;
    await repos(site.t.app.store.db).recordings.insertRun({
      camera_id: cams[0].id, stream: 'main', started_at_ms: t0, duration_90k: 90_000, ended_at_ms: t0 + 1000, end_reason: 'stopped', end_detail: null,
      video_codec: 'h264', width: 1280, height: 720, rfc6381: 'avc1.64001f', audio_codec: null, clock_offset_ms: null, frame_count: 25,
    });
    const answers = await upper.ask(dest, SITE.id, { kind: 'catalog-query', sn: upper.node.nextSn(), deviceId: SITE.id });
    const items = answers.flatMap((a) => (a.kind === 'catalog-response' ? a.items : []));
    const group = businessGroupId(SITE.id);
    expect(group.slice(10, 13)).toBe('215');
    expect(items.find((i) => i.deviceId === group)).toMatchObject({ parentId: SITE.id, parental: 1 });
    const tops = items.filter((i) => i.deviceId.slice(10, 13) === '216' && !items.some((p) => p.deviceId === i.parentId && p.deviceId.slice(10, 13) === '216'));
    expect(tops.length).toBeGreaterThan(0);
    for (const t of tops) expect(t.parentId).toBe(group);
    const cam = items.find((i) => i.deviceId === cams[0].gb)!;
    expect(cam).toMatchObject({ businessGroupId: group, info: { PTZType: '3', Resolution: '5', DownloadSpeed: '1/2/4/8' } });
    // What the node knows and nothing more (no ONVIF address: fixed; a room: indoors; not a grassroots or public-security point).
    expect(items.find((i) => i.deviceId === cams[1].gb)!.info).toEqual({ PTZType: '3', RoomType: '2', DownloadSpeed: '1/2/4/8', GrassrootsCode: '000000', PointType: '9' });
  });
});
