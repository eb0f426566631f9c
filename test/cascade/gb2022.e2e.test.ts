// GB/T 28181-2022 details of the cascade on loopback (issue 7; R-FN-3, R-SEC-5, R-FN-1): every
// REGISTER carries X-GB-Ver and so does every answer; a lower that declares 2022 is challenged
// with SM3 (then MD5) and registers with SM3, one that declares 2016 keeps MD5, and a row made
// before migration 0006 (no SM3 HA1) still registers with MD5; the declared version and algorithm
// show in GET /api/cascade/lowers. A Download from the site ends with MediaStatus 121 inside the
// dialog: the city's source closes with 'end-of-file' (not an error) and hangs up itself, and the
// PS it received holds every recorded frame of the range (ffprobe: frames and duration).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { FILE_END_BYE_WAIT_MS } from '../../src/cascade/file-end.ts';
import { recordedFrames } from '../../src/cascade/recorded-frames.ts';
import { createRequest, parseManscdp, SipDigestClient, SipTransport } from '../../src/gb28181/index.ts';
import type { SessionEnd } from '../../src/ingest/source.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ffprobe } from '../helpers/ffprobe.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { addLower, CITY, PASSWORD, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const SITE_2016 = { id: '32010700002000000001', domain: '3201070000' };
const SITE_LEGACY = { id: '32010800002000000001', domain: '3201080000' };
const RAW_DEVICE = '32010900001320000001';
const RAW_PROBE = '32010900001320000002';
const FRAME_S = 1 / 25; // the simulator's clip is 25 fps

interface LowerApi { sipId: string; online: boolean; gbVersion: string | null; authAlgorithm: string | null; sm3Ready: boolean }

describe('GB/T 28181-2022: X-GB-Ver, SM3 digest, MediaStatus 121 (city ← sites)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let site2016: Level;
  let legacy: Level;
  let server: FastifyInstance;
  let camId = 0;
  let gb = '';
  const registers: Array<{ user: string; gbVer?: string }> = [];
  const mediaStatus: Array<{ callId: string; deviceId: string; notifyType: number }> = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-gb2022-'));
  const raw: SipTransport[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    city = await startLevel(CITY);
    for (const [l, name] of [[SITE, '考点 2022'], [SITE_2016, '考点 2016'], [SITE_LEGACY, '旧登记考点']] as const) await addLower(city, l.id, name);
    const admin = await city.t.actor('admin');
    for (const id of [RAW_DEVICE, RAW_PROBE]) await city.cascade.service.createLower(admin, { sipId: id, name: `2022 IPC ${id.slice(-1)}`, kind: 'device', password: PASSWORD });
    // A row as migration 0006 leaves those made before it: MD5 HA1 only.
    await city.t.app.store.db.updateTable('lower_platform').set({ ha1_sm3: null }).where('sip_id', '=', SITE_LEGACY.id).execute();
    await city.cascade.start();
    // What reaches the city's SIP port, seen beside the cascade's own handler.
    city.cascade.node!.transport.on('request', (req) => {
      const user = /sip:(\d{20})@/.exec(req.headers.get('From') ?? '')?.[1] ?? '';
      if (req.method === 'REGISTER') registers.push({ user, gbVer: req.headers.get('X-GB-Ver') });
      if (req.method === 'MESSAGE') {
        try {
          const m = parseManscdp(req.body);
          if (m.kind === 'media-status') mediaStatus.push({ callId: req.headers.get('Call-ID') ?? '', deviceId: m.deviceId, notifyType: m.notifyType });
        } catch {
          // not MANSCDP: not ours to record
        }
      }
    });
    server = await buildServer(city.t.app, pino({ level: 'silent' }));

    site = await startLevel(SITE, city, { recorder: true });
    const siteAdmin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(siteAdmin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(siteAdmin, { roomId: room.id, name: 'cam-a', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    camId = c.id;
    gb = c.gbCode;
    await site.t.app.recorder.start();
    await site.cascade.start();
    site2016 = await startLevel(SITE_2016, city, { gbVersion: '2016' });
    await site2016.cascade.start();
    legacy = await startLevel(SITE_LEGACY, city);
    await legacy.cascade.start();
    await until('site camera records', () => site.t.app.recorder.status(c.id)?.recording === true);
    await until('city has the channel', () => city.cascade.calls!.owns(gb));
  });

  afterAll(async () => {
    await Promise.all(raw.map((t) => t.close()));
    await server?.close();
    await stopLevels([site, site2016, legacy, city]);
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The fixture's 1 s keepalives: a busy machine can make the city drop the site for a moment. */
  async function siteOnline(): Promise<void> {
    const row = await repos(city.t.app.store.db).cascade.lowerBySipId(SITE.id);
    await until('the site online at the city', () => city.cascade.registry!.isOnline(row!.id), 15_000);
  }

  async function lowersFromApi(): Promise<LowerApi[]> {
    const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(login.statusCode).toBe(200);
    const cookie = login.headers['set-cookie']!.toString().split(';')[0];
    const res = await server.inject({ method: 'GET', url: '/api/cascade/lowers', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { lowers: LowerApi[] }).lowers;
  }

  it('R-FN-3 R-SEC-5: each lower declares its edition in X-GB-Ver; 2022 registers with SM3, 2016 and pre-0006 rows with MD5; the API shows it', async () => {
    for (const l of [site, site2016, legacy]) await until(`${l.cascade.settings!.id} registered`, () => l.cascade.link?.registered === true);
    // On the wire, at the city: the header on every REGISTER, with the configured edition.
    const declared = (id: string) => [...new Set(registers.filter((r) => r.user === id).map((r) => r.gbVer))];
    expect(declared(SITE.id)).toEqual(['3.0']);
    expect(declared(SITE_2016.id)).toEqual(['2.0']);
    expect(declared(SITE_LEGACY.id)).toEqual(['3.0']);
    // The city's answers carry its own version; each lower used the algorithm it was offered first.
    expect(site.cascade.status().upper).toMatchObject({ gbVersion: '3.0', upperGbVersion: '3.0', authAlgorithm: 'SM3' });
    expect(site2016.cascade.status().upper).toMatchObject({ gbVersion: '2.0', upperGbVersion: '3.0', authAlgorithm: 'MD5' });
    expect(legacy.cascade.status().upper).toMatchObject({ gbVersion: '3.0', authAlgorithm: 'MD5' });
    const lowers = await lowersFromApi();
    const by = (id: string) => lowers.find((l) => l.sipId === id);
    expect(by(SITE.id)).toMatchObject({ online: true, gbVersion: '3.0', authAlgorithm: 'SM3', sm3Ready: true });
    expect(by(SITE_2016.id)).toMatchObject({ online: true, gbVersion: '2.0', authAlgorithm: 'MD5', sm3Ready: true });
    expect(by(SITE_LEGACY.id)).toMatchObject({ online: true, gbVersion: '3.0', authAlgorithm: 'MD5', sm3Ready: false });
    expect(by(RAW_DEVICE)).toMatchObject({ online: false, gbVersion: null, authAlgorithm: null, sm3Ready: true });
  });

  it('R-SEC-5: the 401 to a 2022 device offers SM3 then MD5 with one nonce and X-GB-Ver; a device that does not answer SM3 gets MD5 alone next', async () => {
    const t = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
    raw.push(t);
    const dest = { host: '127.0.0.1', port: city.cascade.node!.transport.udpPort!, transport: 'udp' as const };
    const bare = () => createRequest({
      method: 'REGISTER', uri: `sip:${CITY.id}@${CITY.domain}`, from: `<sip:${RAW_PROBE}@${CITY.domain}>`, to: `<sip:${RAW_PROBE}@${CITY.domain}>`,
      headers: { Contact: `<sip:${RAW_PROBE}@127.0.0.1:${t.udpPort!}>`, Expires: '3600', 'X-GB-Ver': '3.0' },
    });
    const algorithmsOf = (h: string[]) => h.map((x) => /algorithm=(\w+)/.exec(x)?.[1]);
    const first = await t.request(bare(), dest);
    expect(first.status).toBe(401);
    expect(first.headers.get('X-GB-Ver')).toBe('3.0');
    const offers = first.headers.getAll('WWW-Authenticate');
    expect(algorithmsOf(offers)).toEqual(['SM3', 'MD5']);
    expect(new Set(offers.map((h) => /nonce="([^"]+)"/.exec(h)?.[1])).size).toBe(1);
    // Back without answering (a client that reads only the first challenge and lacks SM3).
    const second = await t.request(bare(), dest);
    expect(algorithmsOf(second.headers.getAll('WWW-Authenticate'))).toEqual(['MD5']);
  });

  it('R-SEC-5: a 2022 device registers with SM3 (X-GB-Ver on the 200); a wrong SM3 password is refused and does not cost it SM3', async () => {
    const t = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
    raw.push(t);
    const dest = { host: '127.0.0.1', port: city.cascade.node!.transport.udpPort!, transport: 'udp' as const };
    const registerRequest = () => createRequest({
      method: 'REGISTER', uri: `sip:${CITY.id}@${CITY.domain}`, from: `<sip:${RAW_DEVICE}@${CITY.domain}>`, to: `<sip:${RAW_DEVICE}@${CITY.domain}>`,
      headers: { Contact: `<sip:${RAW_DEVICE}@127.0.0.1:${t.udpPort!}>`, Expires: '3600', 'X-GB-Ver': '3.0' },
    });
    const bad = new SipDigestClient({ username: RAW_DEVICE, password: 'not-the-password' });
    const refused = await t.request(registerRequest(), dest, { auth: bad });
    expect(refused.status).toBe(401);
    expect(bad.lastAlgorithm).toBe('SM3');
    expect(refused.headers.getAll('WWW-Authenticate')[0]).toContain('algorithm=SM3'); // still offered first

    const ok = registerRequest();
    const good = new SipDigestClient({ username: RAW_DEVICE, password: PASSWORD });
    const res = await t.request(ok, dest, { auth: good });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-GB-Ver')).toBe('3.0');
    expect(good.lastAlgorithm).toBe('SM3');
    expect(ok.headers.get('Authorization')).toContain('algorithm=SM3');
    await until('the device is online at the city', async () => (await repos(city.t.app.store.db).cascade.lowerBySipId(RAW_DEVICE))?.online === 1);
    const row = (await repos(city.t.app.store.db).cascade.lowerBySipId(RAW_DEVICE))!;
    expect([row.gb_version, row.auth_algorithm]).toEqual(['3.0', 'SM3']);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`R-FN-1: a Download over ${transport} ends with MediaStatus 121; the city closes with 'end-of-file', hangs up, and holds every frame of the range`, async () => {
      const r = repos(site.t.app.store.db).recordings;
      await until('a recorded file', async () => {
        await site.t.app.recorder.index.flush();
        return (await r.filesBetween(camId, 0, Date.now())).length > 0;
      });
      const startSec = Math.ceil(Number((await r.filesBetween(camId, 0, Date.now()))[0].start_ms) / 1000) + 1;
      const endSec = startSec + 4;
      await until('the range is recorded', async () => {
        await site.t.app.recorder.index.flush();
        return Date.now() > endSec * 1000 + 1500;
      }, 20_000);
      await site.t.app.recorder.index.flush();
      // What the site has for the range: from the keyframe at or before its start to its end.
      const sent: number[] = [];
      for await (const f of recordedFrames(site.t.app.store, site.t.app.files, camId, startSec * 1000, endSec * 1000)) sent.push(f.wallMs);
      expect(sent[0]).toBeLessThanOrEqual(startSec * 1000);
      expect(sent[sent.length - 1]).toBeGreaterThan(endSec * 1000 - 2 * FRAME_S * 1000);

      const before = mediaStatus.length;
      const chunks: Uint8Array[] = [];
      let frames = 0;
      await siteOnline();
      const src = await city.cascade.calls!.openLive(gb, { session: 'Download', transport, startSec, endSec, tap: (p) => chunks.push(p.slice()) });
      src.on('frame', (f) => {
        if (f.kind === 'video') frames++;
      });
      const end = await new Promise<SessionEnd>((resolve) => src.once('close', resolve));
      const closedAt = Date.now();
      expect(end.code).toBe('end-of-file');
      expect(mediaStatus.slice(before)).toEqual([{ callId: expect.any(String) as string, deviceId: gb, notifyType: 121 }]);
      // The city hung up (BYE) at once rather than the site after its 5 s wait.
      await until('site session ended by the city', () => site.cascade.status().mediaSessions === 0, 4000);
      expect(Date.now() - closedAt).toBeLessThan(2000);

      expect(frames).toBe(sent.length);
      const file = path.join(dir, `download-${transport}.ps`);
      writeFileSync(file, Buffer.concat(chunks));
      const p = ffprobe(file);
      expect(p.codec).toBe('h264');
      expect(p.frames).toBe(sent.length);
      // Duration: the asked range plus the lead-in from the keyframe before it, to one frame.
      const expectedS = (endSec * 1000 - sent[0]) / 1000;
      expect(Math.abs(p.durationS - expectedS)).toBeLessThanOrEqual(FRAME_S + 1e-6);
      expect(p.durationS).toBeGreaterThanOrEqual(endSec - startSec - FRAME_S);
      await sleep(100);
    });
  }

  it('R-FN-1: an upper that acknowledges MediaStatus 121 but never hangs up is sent BYE after the wait; one that refuses it at once', async () => {
    const r = repos(site.t.app.store.db).recordings;
    await site.t.app.recorder.index.flush();
    const startSec = Math.ceil(Number((await r.filesBetween(camId, 0, Date.now()))[0].start_ms) / 1000) + 1;
    const endSec = startSec + 2;
    let sent = 0;
    for await (const f of recordedFrames(site.t.app.store, site.t.app.files, camId, startSec * 1000, endSec * 1000)) if (f.nalus.length > 0) sent++;
    const calls = city.cascade.calls!;
    const handle = calls.onMessage.bind(calls);
    const download = async () => {
      let frames = 0;
      await siteOnline();
      // TCP: no loss to blur the timing; no stall before the site's BYE (as with the 10 s default)
      const src = await calls.openLive(gb, { session: 'Download', transport: 'tcp', startSec, endSec, stallMs: 2 * FILE_END_BYE_WAIT_MS });
      // Listening from the start: a refused 121 ends the session right after the last frame,
      // possibly before the wait for the frames below has noticed them.
      const closed = new Promise<SessionEnd & { atMs: number }>((resolve) => src.once('close', (e) => resolve({ ...e, atMs: Date.now() })));
      let lastFrameAt = Date.now();
      src.on('frame', (f) => {
        if (f.kind === 'video') frames++;
        lastFrameAt = Date.now();
      });
      await until('every frame arrived', () => frames >= sent, 10_000);
      const end = await closed;
      await until('site session ended', () => site.cascade.status().mediaSessions === 0, 2 * FILE_END_BYE_WAIT_MS);
      return { code: end.code, afterMs: end.atMs - lastFrameAt, frames };
    };
    try {
      // An older platform: 200 to the MESSAGE, nothing else. The site waits, then hangs up.
      calls.onMessage = (_req, reply) => (reply(200), true);
      const ignored = await download();
      expect(ignored).toMatchObject({ code: 'stopped', frames: sent }); // ended by the site's BYE
      expect(ignored.afterMs).toBeGreaterThan(FILE_END_BYE_WAIT_MS - 500);
      // A platform that refuses it (here: the MESSAGE falls through to the registry, which does
      // not know the channel id in the dialog's From and answers 403): BYE at once.
      calls.onMessage = () => false;
      const refused = await download();
      expect(refused).toMatchObject({ code: 'stopped', frames: sent });
      expect(refused.afterMs).toBeLessThan(FILE_END_BYE_WAIT_MS - 1000);
    } finally {
      calls.onMessage = handle;
    }
  }, 90_000); // two downloads, each waiting out the 5 s BYE delay, on a possibly loaded machine
});
