// A province's voice reaches a site's exam room through the city (issue 15, R-FN-3; GB/T
// 28181-2016 §9.12 at two hops): a raw SIP province is the city's upper; the city is the site's
// upper and has a camera pulling the site's channel (source_kind gb28181). The province sends
// Broadcast for the city's camera; the city answers OK only once its own Broadcast to the site has
// been accepted, INVITEs the province's audio source, and relays the province's G.711 down as RTP
// to the site, which plays it on the simulated camera's back channel. The user's check: the room
// hears the province's tone at its pitch, none lost; BYE from the province ends both legs; a camera
// without a speaker two hops down is refused at the province with the site's reason. The province may
// also address a site channel the city has no camera for (the city relays the site's catalog upward).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText, buildGbSdp, createUasDialog, parseGbSdp } from '../../src/gb28181/index.ts';
import type { SipDestination, SipDialog, SipRequest } from '../../src/gb28181/index.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { RawUpper } from './raw-upper.ts';
import { addLower, addSimCameras, CITY, PASSWORD, PROVINCE, SITE, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';
import { sendBroadcast, sendTone } from './voice-fixture.ts';

/** The province's audio source (SourceID). */
const SOURCE_ID = '32000000001370000001';

describe('voice broadcast from the province to a site room through the city (R-FN-3, issue 15)', () => {
  let sim: Simulator;
  let province: RawUpper;
  let city: Level;
  let site: Level;
  let dest: SipDestination;
  const cityCam: Record<string, string> = {};
  let siteCams: Record<string, { id: number; gb: string }> = {};
  const invites: Array<{ req: SipRequest; dialog: SipDialog }> = [];

  beforeAll(async () => {
    // room2: a site camera the city has no camera row for (only in the site's catalog the city relays).
    sim = await startSimulator({ cameras: [{ id: 'room1', audio: 'pcma', speaker: true }, { id: 'mute', audio: 'pcma' }, { id: 'room2', audio: 'pcma', speaker: true }] });
    province = await RawUpper.start(PROVINCE.id);
    province.onInvite = (req, reply, ctx) => {
      const answer = buildGbSdp({ sessionName: 'Play', originId: SOURCE_ID, ip: '127.0.0.1', port: 40010, transport: 'udp', direction: 'sendonly', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }], ssrc: parseGbSdp(bodyText(req)).ssrc });
      const res = reply(200, { headers: { Contact: province.node.contact('udp'), 'Content-Type': 'APPLICATION/SDP' }, body: new TextEncoder().encode(answer) });
      invites.push({ req, dialog: createUasDialog(req, res, ctx.source) });
    };
    city = await startLevel3();
    await addLower(city, SITE.id, '南京市第一中学考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    siteCams = await addSimCameras(site, sim.port, ['room1', 'mute', 'room2']);
    await site.t.app.recorder.start();
    await site.cascade.start();
    const admin = await city.t.actor('admin');
    const room = (await city.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    for (const name of ['room1', 'mute']) {
      cityCam[name] = (await city.t.app.devices.createCamera(admin, { roomId: room.id, name: `考点一 ${name}`, position: 'front', sourceKind: 'gb28181', mainStream: siteCams[name].gb, subStream: '' })).gbCode;
    }
    await until('the city owns the site channels', async () => (await city.cascade.calls!.owns(siteCams.room1.gb)) && (await city.cascade.calls!.owns(siteCams.mute.gb)) && (await city.cascade.calls!.owns(siteCams.room2.gb)), 30_000);
    await until('the city registered to the province', () => province.registered && city.cascade.link!.registered);
    dest = { host: '127.0.0.1', port: city.cascade.node!.transport.udpPort!, transport: 'udp' };
  }, 120_000);

  /** The city: a lower of the raw province (UDP) and the upper of the site. */
  function startLevel3(): Promise<Level> {
    return startLevel(CITY, undefined, { sip: { upper: { id: PROVINCE.id, host: '127.0.0.1', port: province.port, password: PASSWORD, transport: 'udp', keepaliveS: 30, expiresS: 3600 } } });
  }

  afterAll(async () => {
    await stopLevels([site, city]);
    await province?.close();
    await sim?.close();
  });

  const broadcast = (targetGb: string): Promise<string> => sendBroadcast(province, dest, CITY.id, SOURCE_ID, targetGb, 20_000);

  /**
   * The province sends 100 packets of a 1 kHz tone to the city's audio port (from its INVITE's
   * offer): the room hears every one at its pitch; then the province's BYE ends all three legs.
   */
  async function toneHeardThenBye(invite: { req: SipRequest; dialog: SipDialog }, room: string, checkLegs: () => void): Promise<void> {
    const offer = parseGbSdp(bodyText(invite.req));
    expect(offer).toMatchObject({ audioOnly: true, direction: 'recvonly' });
    await until('the site plays into the camera', () => site.cascade.status().voiceSessions.fromUpper === 1 && sim.speaker(room)!.sessions === 1, 10_000);
    checkLegs();
    const udp = await sendTone({ host: offer.ip, port: offer.port }, { hz: 1000, peakDbfs: -12, packets: 100, ssrc: Number(offer.ssrc) });
    await until('tone heard in the room', () => (sim.speaker(room)?.packets ?? 0) >= 100, 10_000);
    udp.close();
    const heard = sim.speaker(room)!;
    expect(heard).toMatchObject({ packets: 100, lost: 0, malformed: 0 });
    expect(heard.toneHz).toBeGreaterThan(999);
    expect(heard.toneHz).toBeLessThan(1001);
    expect((await province.node.transport.bye(invite.dialog)).status).toBe(200);
    await until('both legs ended and the back channel closed', () => sim.speaker(room)!.sessions === 0 && city.cascade.status().voiceSessions.fromUpper === 0 && city.cascade.status().voiceSessions.toLowers === 0 && site.cascade.status().voiceSessions.fromUpper === 0, 10_000);
  }

  it('R-FN-3: the province\'s 1 kHz tone is heard in the site room through the city, none lost; BYE ends both legs', async () => {
    const answer = await broadcast(cityCam.room1);
    expect(answer).toMatch(/<Result>OK<\/Result>/);
    await until('the city INVITEs the province\'s source', () => invites.length === 1);
    // Two legs at the city: from its upper (the province) and its own broadcast down to the site.
    await until('both legs at the city', () => city.cascade.status().voiceSessions.fromUpper === 1 && city.cascade.status().voiceSessions.toLowers === 1);
    await toneHeardThenBye(invites[0], 'room1', () => {
      expect(city.cascade.status().voiceSessions).toEqual({ fromUpper: 1, toLowers: 1 });
      // The city's 级联 page lists both legs of the relay: the province's into the city's camera, the city's down to the site's channel.
      expect(city.cascade.status().voiceLegs.map((l) => [l.direction, l.kind, l.channelId]).sort()).toEqual([
        ['from_upper', 'broadcast', expect.any(String)],
        ['to_lower', 'broadcast', expect.any(String)],
      ]);
    });
  });

  it('R-FN-3: a province addressing a site channel the city has no camera for (the city\'s relayed catalog) is heard in that room; the city lists the leg by the channel\'s name', async () => {
    const invited = invites.length;
    const answer = await broadcast(siteCams.room2.gb);
    expect(answer).toMatch(/<Result>OK<\/Result>/);
    await until('the city INVITEs the province\'s source', () => invites.length === invited + 1);
    await toneHeardThenBye(invites[invited], 'room2', () => {
      const legs = city.cascade.status().voiceLegs;
      const fromUpper = legs.find((l) => l.direction === 'from_upper');
      expect(fromUpper).toMatchObject({ kind: 'broadcast', channelId: siteCams.room2.gb, cameraName: 'cam-room2', peerId: PROVINCE.id });
      expect(fromUpper!.cameraId).toBeUndefined();
      expect(legs.find((l) => l.direction === 'to_lower')).toMatchObject({ channelId: siteCams.room2.gb, peerId: SITE.id });
      expect(sim.speaker('room1')!.sessions).toBe(0);
    });
  });

  it('R-FN-3: a room without a speaker two hops down is refused at the province with the site\'s reason, and no INVITE follows', async () => {
    const before = invites.length;
    const answer = await broadcast(cityCam.mute);
    expect(answer).toMatch(/<Result>ERROR<\/Result>/);
    expect(answer).toMatch(/<Reason>no audio output[^<]*(551|扬声器)/);
    expect(invites.length).toBe(before);
  });
});
