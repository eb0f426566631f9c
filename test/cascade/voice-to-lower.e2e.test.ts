// 喊话 from the city's console to an exam room of a site below it (issue 15, R-FN-3; GB/T
// 28181-2016 §9.12 with the city as the UPPER): two xuncha nodes on loopback — the city (its real
// HTTP server and console in Chromium with the fake microphone) and the site (recording the
// simulated cameras, registered to the city). The city's camera is the site's channel
// (source_kind gb28181). Pressing 喊话 on its tile: the city sends Broadcast, the site answers OK
// and INVITEs the city's audio source, the city sends the browser's G.711 down as RTP, the site
// plays it on the camera's ONVIF back channel. The user's checks: the simulated camera hears the
// microphone's beep at its pitch; every packet the city took from the browser reached the room
// (counts equal, none lost); 结束喊话 ends the legs on both nodes; a channel without a speaker is
// refused on the tile with the Chinese reason the site's 551 means. Audited at both nodes.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { encodeG711 } from '../../src/media/g711/encode.ts';
import { toneSamples } from '../../src/media/g711/tone.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { launchBrowser, pageApi, settled } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { beepsHeard, FAKE_MIC_HZ, loginInUi, pressTalk } from '../e2e/helpers/talk.ts';
import type { AuditRecords } from '../e2e/helpers/talk.ts';
import { ensureWebBuilt } from '../e2e/helpers/web-build.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { addLower, addSimCameras, CITY, PASSWORD, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const SHOTS = '/tmp/xuncha-shots';

describe('喊话 from the city console to a site camera through the cascade (R-FN-3, issue 15)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let server: FastifyInstance | undefined;
  let browser: BrowserSession | undefined;
  let baseUrl = '';
  let siteCams: Record<string, { id: number; gb: string }> = {};
  /** The city's cameras: the site's channels as the city sees them. */
  const cityCam: Record<string, number> = {};

  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startSimulator({ cameras: [{ id: 'room1', audio: 'pcma', speaker: true }, { id: 'mute', audio: 'pcma' }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '南京市第一中学考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    siteCams = await addSimCameras(site, sim.port, ['room1', 'mute']);
    await site.t.app.recorder.start();
    await site.cascade.start();
    const admin = await city.t.actor('admin');
    const room = (await city.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    for (const name of ['room1', 'mute']) {
      cityCam[name] = (await city.t.app.devices.createCamera(admin, { roomId: room.id, name: `考点一 ${name}`, position: 'front', sourceKind: 'gb28181', mainStream: siteCams[name].gb, subStream: '' })).id;
    }
    await until('the city has both channels in the site catalog', async () => (await city.cascade.calls!.owns(siteCams.room1.gb)) && (await city.cascade.calls!.owns(siteCams.mute.gb)), 30_000);
    server = await buildServer(city.t.app, createLogger('silent'));
    await server.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser({ fakeMedia: true });
    browser.page.setDefaultTimeout(20_000);
    await loginInUi(browser.page, baseUrl, ADMIN_PASSWORD);
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('R-FN-3: the city operator\'s microphone is heard by the site camera\'s speaker at its pitch, every packet arriving; 结束喊话 ends the session on both nodes', async () => {
    const page = browser!.page;
    expect(sim.speaker('room1')!.sessions).toBe(0);
    const { button, state, text } = await pressTalk(page, baseUrl, cityCam.room1);
    expect([state, text]).toEqual(['on', '喊话中']);
    // One voice leg at each node: the city's broadcast down, the site's from its upper; the camera's back channel open.
    expect(city.cascade.status().voiceSessions).toEqual({ fromUpper: 0, toLowers: 1 });
    await until('the site\'s leg', () => site.cascade.status().voiceSessions.fromUpper === 1, 5000);
    expect(site.cascade.status().voiceSessions).toEqual({ fromUpper: 1, toLowers: 0 });
    expect(sim.speaker('room1')!.sessions).toBe(1);
    await until('the room hears the city', () => sim.speaker('room1')!.packets > 100, 20_000);
    const tones = await beepsHeard(sim, 'room1');
    console.log(`city → site → camera: beeps heard at ${tones.join(', ')} Hz`);
    expect(tones.some((hz) => Math.abs(hz - FAKE_MIC_HZ) < 20)).toBe(true);

    // What the system knows, a person can see: the city's 级联 page lists its broadcast down to the
    // site's channel by the camera's name; the site lists the upper's broadcast into room1 — to a
    // caller whose scope holds the room only (R-CITY-2).
    const cascadePage = await page.context().newPage();
    await cascadePage.goto(`${baseUrl}/#/cascade`);
    await expect.poll(() => cascadePage.getByTestId('voice-direction').first().textContent()).toBe('本节点 → 下级平台通道');
    expect(await cascadePage.getByTestId('voice-kind').first().textContent()).toBe('喊话（广播）');
    expect(await cascadePage.getByTestId('voice-camera').first().textContent()).toBe('考点一 room1');
    mkdirSync(SHOTS, { recursive: true });
    await settled(cascadePage);
    await cascadePage.getByTestId('sessions-card').screenshot({ path: path.join(SHOTS, 'cascade-voice-leg.png') });
    await cascadePage.close();
    const siteAdmin = await site.t.actor('admin');
    expect((await site.cascade.service.status(siteAdmin)).voiceLegs).toEqual([
      expect.objectContaining({ direction: 'from_upper', kind: 'broadcast', twoWay: false, cameraId: siteCams.room1.id, channelId: siteCams.room1.gb, peerId: CITY.id }),
    ]);
    expect((await site.cascade.service.status({ ...siteAdmin, scope: { kind: 'subtree', path: '/0/elsewhere/' } })).voiceLegs).toEqual([]);
    await sleep(1000);

    // 结束喊话: the city hangs up, the site closes the camera's back channel; no leg is left anywhere.
    await button.click();
    expect(await button.getAttribute('data-talk')).toBe('off');
    await until('the camera back channel closed', () => sim.speaker('room1')!.sessions === 0, 10_000);
    await until('no voice leg left at either node', () => city.cascade.status().voiceSessions.toLowers === 0 && site.cascade.status().voiceSessions.fromUpper === 0, 10_000);
    expect((await pageApi<{ talks: number }>(page, 'GET', '/api/live/stats')).talks).toBe(0);

    // Every packet the city took from the browser was played in the room: counts equal, no gap, 20 ms of PCMA each.
    const findEnd = async () => (await pageApi<AuditRecords>(page, 'GET', '/api/audit?action=video.talk.end')).records.find((r) => r.objectId === String(cityCam.room1));
    await until('the talk\'s end audited', async () => (await findEnd()) !== undefined, 10_000);
    const end = (await findEnd())!;
    const heard = sim.speaker('room1')!;
    console.log(`city took ${String(end.detail.packets)} packets from the browser; the camera played ${heard.packets} (${heard.bytes} bytes), lost ${heard.lost}`);
    expect(heard).toMatchObject({ packets: end.detail.packets, bytes: Number(end.detail.packets) * 160, lost: 0, malformed: 0, wrongPayloadType: 0 });
    const after = heard.packets;
    await sleep(500);
    expect(sim.speaker('room1')!.packets).toBe(after);

    // Audited at the city as a talk naming the cascade leg, at the site as a broadcast from its upper.
    const talks = await pageApi<AuditRecords>(page, 'GET', '/api/audit?action=video.talk');
    // (the filter is a prefix: video.talk.end rows come too)
    const ok = talks.records.find((r) => r.action === 'video.talk' && r.objectId === String(cityCam.room1) && r.outcome === 'ok')!;
    expect(ok.detail).toMatchObject({ transport: 'webrtc', codec: 'pcma', lower: SITE.id, channelId: siteCams.room1.gb });
    const siteRows = await site.t.app.store.db.selectFrom('audit_log').select(['outcome', 'object_id', 'detail']).where('action', '=', 'cascade.broadcast').execute();
    expect(siteRows.map((r) => [r.outcome, String(r.object_id)])).toContainEqual(['ok', String(siteCams.room1.id)]);
    expect(JSON.parse(String(siteRows.find((r) => r.outcome === 'ok')!.detail))).toMatchObject({ sourceId: ok.detail.sourceId, targetId: siteCams.room1.gb });
  }, 120_000);

  it('R-FN-3: a site channel without a speaker is refused on the city\'s tile with 该摄像机没有扬声器 (the site\'s 551), audited denied; nothing is left open', async () => {
    const page = browser!.page;
    const { state, text } = await pressTalk(page, baseUrl, cityCam.mute);
    expect([state, text]).toEqual(['refused', '该摄像机没有扬声器']);
    const talks = await pageApi<AuditRecords>(page, 'GET', '/api/audit?action=video.talk');
    const denied = talks.records.find((r) => r.action === 'video.talk' && r.objectId === String(cityCam.mute) && r.outcome === 'denied')!;
    expect(String(denied.detail.reason)).toMatch(new RegExp(`^no speaker: lower platform ${SITE.id} answered ERROR: .*551`));
    expect(sim.speaker('mute')!.sessionsTotal).toBe(0);
    expect(city.cascade.status().voiceSessions).toEqual({ fromUpper: 0, toLowers: 0 });
    expect(site.cascade.status().voiceSessions).toEqual({ fromUpper: 0, toLowers: 0 });
  }, 60_000);
});

describe('voice down to a lower\'s channel over a TCP SIP link (R-FN-3, issue 15)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let cityCamId = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'room1', audio: 'pcma', speaker: true }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '南京市第一中学考点');
    await city.cascade.start();
    // The site registers over TCP: its broadcast INVITE comes on that connection and offers TCP/RTP/AVP passive.
    site = await startLevel(SITE, undefined, { sip: { upper: { id: CITY.id, host: '127.0.0.1', port: city.cascade.node!.transport.tcpPort!, password: PASSWORD, transport: 'tcp', keepaliveS: 1, expiresS: 3600 } } });
    const gb = (await addSimCameras(site, sim.port, ['room1'])).room1.gb;
    await site.cascade.start();
    const admin = await city.t.actor('admin');
    const room = (await city.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    cityCamId = (await city.t.app.devices.createCamera(admin, { roomId: room.id, name: '考点一 room1', position: 'front', sourceKind: 'gb28181', mainStream: gb, subStream: '' })).id;
    await until('the city has the channel', async () => (await city.cascade.calls!.owns(gb)) === true, 30_000);
  }, 60_000);

  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('R-FN-3: the city takes the site\'s TCP passive offer, connects, and a 600 Hz tone sent through the speaker it opened is heard whole; close ends both legs', async () => {
    const camera = (await repos(city.t.app.store.db).cameras.get({ kind: 'all' }, cityCamId))!;
    const speaker = await city.cascade.openLowerSpeaker(camera);
    expect(speaker.law).toBe('pcma');
    expect(speaker.detail).toMatchObject({ lower: SITE.id, sourceId: expect.stringMatching(/^\d{10}136\d{7}$/) as unknown });
    // The site starts its leg when our 200 reaches it (it may still be on its way when open resolves).
    await until('the site\'s leg', () => site.cascade.status().voiceSessions.fromUpper === 1, 5000);
    // The site offered its audio over TCP (the SIP link's transport): the city connected to it.
    const okRow = () => site.t.app.store.db.selectFrom('audit_log').select(['detail']).where('action', '=', 'cascade.broadcast').where('outcome', '=', 'ok').executeTakeFirst();
    await until('the site audited the broadcast', async () => (await okRow()) !== undefined, 5000);
    expect(JSON.parse(String((await okRow())!.detail))).toMatchObject({ transport: 'tcp', sourceId: speaker.detail.sourceId });
    for (let i = 0; i < 50; i++) {
      speaker.send('pcma', encodeG711('pcma', toneSamples(600, -10, 160, 8000, i * 160)));
      await sleep(20);
    }
    await until('tone heard over TCP', () => sim.speaker('room1')!.packets >= 50, 10_000);
    expect(sim.speaker('room1')).toMatchObject({ packets: 50, bytes: 8000, lost: 0 });
    expect(sim.speaker('room1')!.toneHz).toBeCloseTo(600, 0);
    await speaker.close();
    await until('both legs ended', () => city.cascade.status().voiceSessions.toLowers === 0 && site.cascade.status().voiceSessions.fromUpper === 0 && sim.speaker('room1')!.sessions === 0, 10_000);
  });
});
