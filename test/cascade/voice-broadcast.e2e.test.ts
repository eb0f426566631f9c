// Voice broadcast to an exam room through this node as a LOWER platform (GB/T 28181-2016 §9.12,
// issue 15, R-FN-3): a raw SIP upper sends Broadcast for a camera with a speaker; the site answers
// Result OK, INVITEs the SourceID for the audio (s=Play, m=audio, recvonly, PCMA), the upper sends
// a real 1 kHz G.711 tone as RTP, and the camera simulator hears it on its ONVIF back channel at
// the pitch and level sent. BYE ends it (the camera's back-channel session closes). A camera
// without a speaker keeps the refusal (Result ERROR naming 551). Both audited as cascade.broadcast.
// Talk both ways: for a recorded camera whose audio is G.711, an INVITE s=Talk sendrecv is answered
// sendrecv and the room's microphone (the simulator's 1 kHz tone) reaches the upper in the session.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText, buildGbSdp, createRequest, createUasDialog, parseGbSdp } from '../../src/gb28181/index.ts';
import type { SipDestination, SipDialog, SipRequest } from '../../src/gb28181/index.ts';
import { encodeG711 } from '../../src/media/g711/encode.ts';
import { decodeG711 } from '../../src/media/g711/level.ts';
import { toneFrequencyHz, toneSamples } from '../../src/media/g711/tone.ts';
import { frameRfc4571 } from '../../src/media/ps/index.ts';
import { parseRtpPacket, serializeRtpPacket } from '../../src/media/rtp/packet.ts';
import type { Simulator } from '../../src/sim/index.ts';
import type { RawUpper } from './raw-upper.ts';
import { SITE, sleep, until } from './helpers.ts';
import type { Level } from './helpers.ts';
import { sendBroadcast, sendTone, startVoiceSite } from './voice-fixture.ts';
import type { VoiceSite } from './voice-fixture.ts';

const UPPER = { id: '32010000002000000001', domain: '3201000000' };
/** The upper's audio source (SourceID): a voice channel of the upper, not its own id. */
const SOURCE_ID = '32010000001370000001';

describe('voice broadcast as a lower platform (R-FN-3, issue 15)', () => {
  let v: VoiceSite | undefined;
  let sim: Simulator;
  let site: Level;
  let upper: RawUpper;
  let dest: SipDestination;
  let cams: Record<string, { id: number; gb: string }>;
  const invites: Array<{ req: SipRequest; dialog: SipDialog }> = [];

  beforeAll(async () => {
    v = await startVoiceSite({
      upperId: UPPER.id, cameras: [{ id: 'room1', audio: 'pcma', speaker: true }, { id: 'mute', audio: 'pcma' }],
      // The upper answers the site's INVITE for the broadcast audio: it will send from a UDP port.
      configure: (u) => {
        u.onInvite = (req, reply, ctx) => {
          const answer = buildGbSdp({ sessionName: 'Play', originId: SOURCE_ID, ip: '127.0.0.1', port: 40000, transport: 'udp', direction: 'sendonly', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }], ssrc: parseGbSdp(bodyText(req)).ssrc });
          const res = reply(200, { headers: { Contact: u.node.contact('udp'), 'Content-Type': 'APPLICATION/SDP' }, body: new TextEncoder().encode(answer) });
          invites.push({ req, dialog: createUasDialog(req, res, ctx.source) });
        };
      },
    });
    ({ sim, site, upper, dest, cams } = v);
  }, 60_000);

  afterAll(async () => {
    await v?.close();
  });

  const broadcast = (targetGb: string): Promise<string> => sendBroadcast(upper, dest, SITE.id, SOURCE_ID, targetGb);

  it('R-FN-3: Broadcast → Result OK, the site INVITEs the SourceID for PCMA audio, a 1 kHz tone reaches the camera speaker intact; BYE ends it', async () => {
    const answer = await broadcast(cams.room1.gb);
    expect(answer).toMatch(/<CmdType>Broadcast<\/CmdType>[\s\S]*<DeviceID>[0-9]{20}<\/DeviceID>[\s\S]*<Result>OK<\/Result>/);
    await until('INVITE for the audio', () => invites.length === 1);
    const { req, dialog } = invites[0];
    // Who INVITEs whom: the site (on behalf of the camera) calls the upper's audio source.
    expect(req.uri).toMatch(new RegExp(`^sip:${SOURCE_ID}@`));
    expect(req.headers.get('From')).toContain(cams.room1.gb);
    const offer = parseGbSdp(bodyText(req));
    expect(offer).toMatchObject({ sessionName: 'Play', audioOnly: true, direction: 'recvonly', transport: 'udp', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }] });
    expect(offer.ssrc).toMatch(/^0\d{9}$/);
    expect(sim.speaker('room1')!.sessions).toBe(1);

    // Two seconds of a 1 kHz tone, peak −12 dBFS, paced at 20 ms as an upper sends it.
    const udp = await sendTone({ host: offer.ip, port: offer.port }, { hz: 1000, peakDbfs: -12, packets: 100, ssrc: Number(offer.ssrc) });
    const heard = await (async () => {
      await until('tone heard', () => (sim.speaker('room1')?.packets ?? 0) >= 100, 10_000);
      return sim.speaker('room1')!;
    })();
    udp.close();
    expect(heard).toMatchObject({ packets: 100, bytes: 16_000, lost: 0, malformed: 0, wrongPayloadType: 0 });
    expect(heard.toneHz).toBeGreaterThan(999);
    expect(heard.toneHz).toBeLessThan(1001);
    expect(heard.meanDb).toBeGreaterThan(-15.5);
    expect(heard.meanDb).toBeLessThan(-14.5);

    // The upper hangs up: the site closes the camera's back channel.
    expect((await upper.node.transport.bye(dialog)).status).toBe(200);
    await until('back channel closed', () => sim.speaker('room1')!.sessions === 0);
    // A second broadcast is possible once the first ended.
    expect(await broadcast(cams.room1.gb)).toMatch(/<Result>OK<\/Result>/);
    await until('second INVITE', () => invites.length === 2);
    expect((await upper.node.transport.bye(invites[1].dialog)).status).toBe(200);
    await until('back channel closed again', () => sim.speaker('room1')!.sessions === 0);
  });

  it('R-FN-3: a camera without a speaker is refused with Result ERROR naming the 551, and no INVITE follows', async () => {
    const before = invites.length;
    const answer = await broadcast(cams.mute.gb);
    expect(answer).toMatch(/<Result>ERROR<\/Result>/);
    expect(answer).toMatch(/<Reason>no audio output[^<]*no audio back channel \(551 Option not supported/);
    await sleep(300);
    expect(invites.length).toBe(before);
  });

  it('R-FN-3: INVITE s=Talk for a camera with a speaker is answered 200 recvonly and the upper\'s voice reaches the room; without a speaker 488 naming 551', async () => {
    const talk = (gb: string) => {
      const sdp = buildGbSdp({ sessionName: 'Talk', originId: UPPER.id, ip: '127.0.0.1', port: 40002, transport: 'udp', direction: 'sendrecv', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }], ssrc: '0100000002' });
      return createRequest({
        method: 'INVITE', uri: `sip:${gb}@127.0.0.1:${dest.port}`, from: `<sip:${UPPER.id}@${UPPER.domain}>`, to: `<sip:${gb}@127.0.0.1:${dest.port}>`,
        contentType: 'APPLICATION/SDP', body: new TextEncoder().encode(sdp), headers: { Contact: upper.node.contact('udp'), Subject: `${gb}:0100000002,${UPPER.id}:0` },
      });
    };
    const refused = await upper.node.transport.request(talk(cams.mute.gb), dest);
    expect(refused.status).toBe(488);
    expect(refused.headers.get('Warning')).toMatch(/^304 \S+ "Media type not available: no audio output: the speaker of cam-mute could not be opened: the camera has no audio back channel \(551/);

    const before = sim.speaker('room1')!.packets;
    const { response, dialog } = await upper.node.transport.invite(talk(cams.room1.gb), dest);
    expect(response.status).toBe(200);
    const answer = parseGbSdp(bodyText(response));
    expect(answer).toMatchObject({ sessionName: 'Talk', direction: 'recvonly', transport: 'udp', audioOnly: true, ssrc: '0100000002' });
    const udp = await sendTone({ host: answer.ip, port: answer.port }, { hz: 500, peakDbfs: -20, packets: 50, ssrc: 100000002, firstSeq: 7 });
    await until('talk heard', () => sim.speaker('room1')!.packets >= before + 50, 10_000);
    udp.close();
    const heard = sim.speaker('room1', 1000)!;
    expect(heard.toneHz).toBeCloseTo(500, 0);
    expect(heard.maxDb).toBeCloseTo(-20, 0);
    expect((await upper.node.transport.bye(dialog!)).status).toBe(200);
    await until('talk ended', () => sim.speaker('room1')!.sessions === 0);
  });

  it('R-FN-3, R-ACC-1: every broadcast is audited like a live view: ok for the room with a speaker, denied with the reason otherwise', async () => {
    const rows = await site.t.app.store.db.selectFrom('audit_log').select(['action', 'outcome', 'object_id', 'detail']).where('action', '=', 'cascade.broadcast').orderBy('seq').execute();
    expect(rows.map((r) => [r.outcome, String(r.object_id)])).toEqual([['ok', String(cams.room1.id)], ['ok', String(cams.room1.id)], ['denied', String(cams.mute.id)]]);
    expect(JSON.parse(String(rows[0].detail))).toMatchObject({ sourceId: SOURCE_ID, targetId: cams.room1.gb, transport: 'udp' });
    expect(JSON.parse(String(rows[2].detail)).reason).toContain('551');
    const talks = await site.t.app.store.db.selectFrom('audit_log').select(['outcome', 'object_id']).where('action', '=', 'cascade.talk').orderBy('seq').execute();
    expect(talks.map((r) => [r.outcome, String(r.object_id)])).toEqual([['denied', String(cams.mute.id)], ['ok', String(cams.room1.id)]]);
  });
});

describe('voice broadcast over a TCP SIP link (R-FN-3, issue 15)', () => {
  let v: VoiceSite | undefined;
  let sim: Simulator;
  let upper: RawUpper;
  let dest: SipDestination;
  const invites: Array<{ req: SipRequest; dialog: SipDialog }> = [];
  let gb = '';

  beforeAll(async () => {
    v = await startVoiceSite({
      upperId: UPPER.id, transport: 'tcp', cameras: [{ id: 'room1', audio: 'pcma', speaker: true }],
      configure: (u) => {
        u.onInvite = (req, reply, ctx) => {
          const answer = buildGbSdp({ sessionName: 'Play', originId: SOURCE_ID, ip: '127.0.0.1', port: 9, transport: 'tcp', setup: 'active', direction: 'sendonly', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }] });
          const res = reply(200, { headers: { Contact: u.node.contact('tcp'), 'Content-Type': 'APPLICATION/SDP' }, body: new TextEncoder().encode(answer) });
          invites.push({ req, dialog: createUasDialog(req, res, ctx.source) });
        };
      },
    });
    ({ sim, upper, dest } = v);
    gb = v.cams.room1.gb;
  }, 60_000);

  afterAll(async () => {
    await v?.close();
  });

  it('R-FN-3: the audio INVITE offers TCP/RTP/AVP a=setup:passive; the upper connects and its RFC 4571-framed tone reaches the speaker', async () => {
    const sn = upper.node.nextSn();
    const notify = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify><CmdType>Broadcast</CmdType><SN>${sn}</SN><SourceID>${SOURCE_ID}</SourceID><TargetID>${gb}</TargetID></Notify>\r\n`;
    expect((await upper.node.message(dest, SITE.id, notify)).status).toBe(200);
    await until('INVITE for the audio over TCP', () => invites.length === 1);
    const offer = parseGbSdp(bodyText(invites[0].req));
    expect(offer).toMatchObject({ transport: 'tcp', setup: 'passive', direction: 'recvonly', audioOnly: true });
    const sock = connect(offer.port, offer.ip);
    await once(sock, 'connect');
    for (let i = 0; i < 50; i++) {
      sock.write(frameRfc4571(serializeRtpPacket({ payloadType: 8, sequence: i, timestamp: i * 160, ssrc: 5, marker: false, payload: encodeG711('pcma', toneSamples(800, -10, 160, 8000, i * 160)) })));
      await sleep(20);
    }
    await until('tone heard over TCP', () => (sim.speaker('room1')?.packets ?? 0) >= 50, 10_000);
    expect(sim.speaker('room1')).toMatchObject({ packets: 50, lost: 0, bytes: 8000 });
    expect(sim.speaker('room1')!.toneHz).toBeCloseTo(800, 0);
    // The upper closing its audio connection ends the broadcast: the site hangs up (BYE) and closes the back channel.
    sock.end();
    await until('back channel closed', () => sim.speaker('room1')!.sessions === 0);
    await until('BYE from the site', () => upper.received.some((r) => r.method === 'BYE'));
  });
});

describe('two-way talk as a lower: the room is heard by the upper in the same session (R-FN-3, issue 15)', () => {
  let v: VoiceSite | undefined;

  beforeAll(async () => {
    // Recorded: the room's microphone is the camera's own audio (PCMA, the simulator's 1 kHz tone) as the recorder receives it.
    v = await startVoiceSite({ upperId: UPPER.id, recorder: true, cameras: [{ id: 'room1', audio: 'pcma', speaker: true }] });
    const { site, cams } = v;
    await until('the camera\'s PCMA audio received', () => site.t.app.recorder.supervisor(cams.room1.id)?.audio?.codec === 'pcma', 20_000);
  }, 60_000);

  afterAll(async () => {
    await v?.close();
  });

  it('R-FN-3: INVITE s=Talk sendrecv for a camera with G.711 audio → 200 sendrecv; the room\'s 1 kHz tone reaches the upper as PCMA RTP with the y= SSRC while the upper\'s 500 Hz reaches the speaker; BYE stops both', async () => {
    const { upper, dest, cams, sim, site } = v!;
    const gb = cams.room1.gb;
    // The upper's audio port: where it wants the room to be heard.
    const rx = createSocket('udp4');
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
    const up: Array<{ pt: number; ssrc: number; seq: number; payload: Uint8Array }> = [];
    rx.on('message', (b) => {
      const p = parseRtpPacket(b);
      up.push({ pt: p.payloadType, ssrc: p.ssrc, seq: p.sequence, payload: p.payload });
    });
    const sdp = buildGbSdp({ sessionName: 'Talk', originId: UPPER.id, ip: '127.0.0.1', port: rx.address().port, transport: 'udp', direction: 'sendrecv', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }], ssrc: '0100000003' });
    const req = createRequest({
      method: 'INVITE', uri: `sip:${gb}@127.0.0.1:${dest.port}`, from: `<sip:${UPPER.id}@${UPPER.domain}>`, to: `<sip:${gb}@127.0.0.1:${dest.port}>`,
      contentType: 'APPLICATION/SDP', body: new TextEncoder().encode(sdp), headers: { Contact: upper.node.contact('udp'), Subject: `${gb}:0100000003,${UPPER.id}:0` },
    });
    const { response, dialog } = await upper.node.transport.invite(req, dest);
    expect(response.status).toBe(200);
    const answer = parseGbSdp(bodyText(response));
    expect(answer).toMatchObject({ sessionName: 'Talk', direction: 'sendrecv', transport: 'udp', audioOnly: true, ssrc: '0100000003' });

    // Down: the upper's voice to the room's speaker, as in a one-way talk.
    const before = sim.speaker('room1')!.packets;
    const down = await sendTone({ host: answer.ip, port: answer.port }, { hz: 500, peakDbfs: -20, packets: 50, ssrc: 100000003 });
    down.close();
    await until('the upper heard in the room', () => sim.speaker('room1')!.packets >= before + 50, 10_000);
    expect(sim.speaker('room1', 1000)!.toneHz).toBeCloseTo(500, 0);

    // Up: the room's microphone, in 20 ms PCMA packets with the session's SSRC, contiguous.
    await until('the room heard by the upper', () => up.length >= 100, 10_000);
    const last = up.slice(-100);
    expect(last.every((p) => p.pt === 8 && p.ssrc === 100000003 && p.payload.length === 160)).toBe(true);
    expect(last.every((p, i) => i === 0 || p.seq === ((last[i - 1].seq + 1) & 0xffff))).toBe(true);
    // The simulator's tone is 1 kHz with a short 2 kHz beep each second: read in 200 ms windows.
    const pitches: number[] = [];
    for (let i = 0; i + 10 <= last.length; i += 10) {
      const hz = toneFrequencyHz(decodeG711('pcma', Buffer.concat(last.slice(i, i + 10).map((p) => p.payload))));
      if (hz !== undefined) pitches.push(Math.round(hz));
    }
    console.log(`room → upper: ${up.length} packets; pitch in 200 ms windows ${pitches.join(', ')} Hz`);
    expect(pitches.filter((hz) => Math.abs(hz - 1000) <= 5).length).toBeGreaterThanOrEqual(pitches.length / 2);

    // BYE: the speaker's back channel closes and nothing more comes up.
    expect((await upper.node.transport.bye(dialog!)).status).toBe(200);
    await until('talk ended', () => sim.speaker('room1')!.sessions === 0 && site.cascade.status().voiceSessions.fromUpper === 0, 10_000);
    await sleep(200);
    const after = up.length;
    await sleep(500);
    expect(up.length).toBe(after);
    rx.close();
    const rows = await site.t.app.store.db.selectFrom('audit_log').select(['outcome', 'detail']).where('action', '=', 'cascade.talk').execute();
    expect(JSON.parse(String(rows.at(-1)!.detail))).toMatchObject({ direction: 'both ways (sendrecv): the room\'s pcma microphone to the upper' });
  }, 60_000);
});
