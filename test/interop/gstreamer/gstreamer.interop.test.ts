// Interop with an independent RTSP server: GStreamer's rtsp-server (libgstrtspserver through
// python3-gi, rtsp-server.py next to this file) plays the camera, and xuncha records it through the
// whole pipeline (RTSP client, depacketizers, supervisor, recorder, index) exactly as it records
// the simulator: H.264 with G.711 A-law or AAC, TCP interleaved and UDP, no auth, Basic and Digest.
// Never skipped: missing GStreamer packages fail the suite (scripts/ensure-system.sh installs them).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraOpener } from '../../../src/ingest/source.ts';
import { OpenError } from '../../../src/ingest/source.ts';
import { RtspCameraOpener } from '../../../src/ingest/rtsp-opener.ts';
import { repos } from '../../../src/store/repos/index.ts';
import { createTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { ffprobe } from '../../helpers/ffprobe.ts';

const SERVER = fileURLToPath(new URL('rtsp-server.py', import.meta.url));
/** python3-gi belongs to the system interpreter; a pyenv/venv `python3` first on PATH lacks it. */
const PYTHON = '/usr/bin/python3';
const USER = 'user';
const PASSWORD = 'secret-pass';
const RECORD_MS = 8000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function requireGstreamer(): void {
  const r = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`GStreamer rtsp-server for python3 is missing (scripts/ensure-system.sh installs it): ${r.stderr || r.error?.message}`);
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Every server process started here; afterAll checks that none is left running. */
const spawned: ChildProcess[] = [];

interface GstServer {
  port: number;
  proc: ChildProcess;
  /** Keep-alive requests received inside a session, by method (the server prints them). */
  keepalives: Record<string, number>;
  /** SIGKILL (a camera losing power) or SIGTERM; resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts rtsp-server.py; with sessionTimeoutS, sessions announce that timeout (keep-alive at half of it). */
async function startGst(port: number, auth: 'none' | 'basic' | 'digest' = 'none', sessionTimeoutS?: number): Promise<GstServer> {
  const proc = spawn(PYTHON, [SERVER, String(port), auth, ...(sessionTimeoutS ? [String(sessionTimeoutS)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let log = '';
  const keepalives: Record<string, number> = {};
  proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`GStreamer rtsp-server not ready on ${port}: ${log}`)), 15_000);
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const m = /^KEEPALIVE (\S+)/.exec(line);
        if (m) keepalives[m[1]] = (keepalives[m[1]] ?? 0) + 1;
        if (line === `READY ${port}`) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`GStreamer rtsp-server exited (${code}): ${log}`));
    });
  });
  return {
    port,
    proc,
    keepalives,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Frame rates as ffprobe reports them for the video stream (e.g. '25/1'). */
function frameRates(file: string): { r: number; avg: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate,avg_frame_rate', '-of', 'json', file], { encoding: 'utf8' });
  const s = (JSON.parse(out) as { streams: Array<{ r_frame_rate: string; avg_frame_rate: string }> }).streams[0];
  const rate = (q: string) => {
    const [n, d] = q.split('/').map(Number);
    return n / d;
  };
  return { r: rate(s.r_frame_rate), avg: rate(s.avg_frame_rate) };
}

/** Opens with UDP for the cameras listed, TCP interleaved (the default) for the others: a camera row has no transport setting. */
function openerWithUdpFor(udp: Set<number>): CameraOpener {
  const real = new RtspCameraOpener();
  return { open: (spec) => real.open(udp.has(spec.cameraId) ? { ...spec, transport: 'udp' } : spec) };
}

async function firstRoom(t: TestApp): Promise<number> {
  const admin = await t.actor('admin');
  return (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0].id;
}

afterAll(async () => {
  for (const p of spawned) {
    if (p.exitCode !== null || p.signalCode !== null) continue;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
  // No orphans: every GStreamer server this file started is gone.
  expect(spawned.filter((p) => alive(p.pid)).map((p) => p.pid)).toEqual([]);
});

describe('GStreamer rtsp-server as a camera (R-FN-1)', () => {
  let t: TestApp;
  const servers: Record<string, GstServer> = {};
  const ids: Record<string, number> = {};
  const udp = new Set<number>();
  const cams = [
    { name: 'pcma-tcp', server: 'open', path: '/pcma', audio: 'pcm_alaw' },
    { name: 'aac-tcp', server: 'open', path: '/aac', audio: 'aac' },
    { name: 'pcma-udp', server: 'open', path: '/pcma', audio: 'pcm_alaw', udp: true },
    { name: 'pcma-basic', server: 'basic', path: '/pcma', audio: 'pcm_alaw' },
    { name: 'pcma-digest', server: 'digest', path: '/pcma', audio: 'pcm_alaw' },
  ] as const;

  beforeAll(async () => {
    requireGstreamer();
    // A 2 s session timeout: the client's keep-alive (every 1 s) must run and be accepted while recording.
    servers.open = await startGst(await freeTcpPort(), 'none', 2);
    servers.basic = await startGst(await freeTcpPort(), 'basic');
    servers.digest = await startGst(await freeTcpPort(), 'digest');
    t = await createTestApp('sqlite', { realClock: true, app: { opener: openerWithUdpFor(udp), recording: { supervisor: { backoffMinMs: 50, backoffMaxMs: 100, stallTimeoutMs: 3000 } } } });
    const admin = await t.actor('admin');
    const roomId = await firstRoom(t);
    for (const c of cams) {
      const auth = c.server === 'open' ? {} : { username: USER, password: PASSWORD };
      ids[c.name] = (await t.app.devices.createCamera(admin, { roomId, name: c.name, position: 'front', sourceKind: 'rtsp', mainStream: c.path, subStream: '/none', host: '127.0.0.1', port: servers[c.server].port, ...auth })).id;
      if ('udp' in c) udp.add(ids[c.name]);
    }
  });
  afterAll(async () => {
    await t?.app.recorder.stop();
    await t?.close();
    for (const s of Object.values(servers)) await s.kill();
  });

  it(`R-FN-1: records ${RECORD_MS / 1000} s of H.264 640x360 25 fps with PCMA/AAC over TCP interleaved and UDP, with Basic and Digest auth and keep-alives; ffprobe agrees with the index to the frame`, async () => {
    await t.app.recorder.start();
    await until('every GStreamer camera records', () => cams.every((c) => t.app.recorder.status(ids[c.name])?.recording === true));
    await sleep(RECORD_MS);
    await t.app.recorder.stop();
    // Three sessions on the 2 s-timeout server, each with a GET_PARAMETER keep-alive every second.
    expect(servers.open.keepalives.GET_PARAMETER ?? 0).toBeGreaterThanOrEqual(3 * (RECORD_MS / 1000 - 2));
    expect(servers.open.keepalives.OPTIONS).toBeUndefined();
    const r = repos(t.app.store.db).recordings;
    for (const c of cams) {
      const id = ids[c.name];
      const runs = await r.runsBetween(id, 0, Date.now() + 1000);
      expect(runs, c.name).toHaveLength(1);
      expect(runs[0].end_reason, c.name).toBe('stopped');
      expect([runs[0].video_codec, runs[0].width, runs[0].height], c.name).toEqual(['h264', 640, 360]);
      const files = await r.filesBetween(id, 0, Date.now() + 1000);
      expect(files.length, c.name).toBeGreaterThan(0);
      let frames = 0;
      let probedS = 0;
      for (const f of files) {
        expect(f.status, c.name).toBe('closed');
        const file = t.app.files.absolute(f.rel_path);
        const p = ffprobe(file);
        expect([p.codec, p.width, p.height, p.audioCodec], c.name).toEqual(['h264', 640, 360, c.audio]);
        expect(p.frames, c.name).toBe(f.frame_count);
        const rates = frameRates(file);
        expect(rates.r, c.name).toBe(25);
        expect(Math.abs(rates.avg - 25), c.name).toBeLessThan(0.5);
        frames += p.frames;
        probedS += p.durationS;
      }
      expect(frames, c.name).toBe(Number(runs[0].frame_count));
      // About RECORD_MS of media: the window is wall-clock (connect and stop times move on a
      // loaded machine); the exact checks are the frame counts above.
      expect(Math.abs(probedS - RECORD_MS / 1000), c.name).toBeLessThan(2.5);
      expect(Math.abs(Number(runs[0].duration_90k) / 90_000 - RECORD_MS / 1000), c.name).toBeLessThan(2.5);
    }
  });

  it('R-FN-1: a wrong password is refused by GStreamer (Basic and Digest) and reported as an auth failure', async () => {
    for (const s of ['basic', 'digest']) {
      const open = new RtspCameraOpener().open({ cameraId: 1, stream: 'main', url: `rtsp://127.0.0.1:${servers[s].port}/pcma`, username: USER, password: 'wrong' });
      await expect(open, s).rejects.toBeInstanceOf(OpenError);
      await expect(open, s).rejects.toMatchObject({ code: 'auth' });
    }
  });
});

describe('GStreamer rtsp-server killed mid-recording (R-REC-4)', () => {
  let t: TestApp;
  let server: GstServer;
  let cameraId = 0;

  beforeAll(async () => {
    requireGstreamer();
    server = await startGst(await freeTcpPort());
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { supervisor: { backoffMinMs: 50, backoffMaxMs: 100, stallTimeoutMs: 3000 } } } });
    const admin = await t.actor('admin');
    cameraId = (await t.app.devices.createCamera(admin, { roomId: await firstRoom(t), name: 'gst', position: 'front', sourceKind: 'rtsp', mainStream: '/pcma', subStream: '/none', host: '127.0.0.1', port: server.port })).id;
  });
  afterAll(async () => {
    await t?.app.recorder.stop();
    await t?.close();
    await server?.kill();
  });

  it('R-REC-4: SIGKILL of the GStreamer server, restart 2 s later: two runs, a gap of about the outage, an end reason', async () => {
    const r = repos(t.app.store.db).recordings;
    await t.app.recorder.start();
    await until('the camera records', () => t.app.recorder.status(cameraId)?.recording === true);
    await sleep(3000);
    const killedAt = Date.now();
    await server.kill('SIGKILL');
    await sleep(2000);
    server = await startGst(server.port);
    const restartedAt = Date.now();
    await until('a second run', async () => (await r.runsBetween(cameraId, 0, Date.now() + 1000)).length >= 2, 20_000);
    await sleep(2000);
    await t.app.recorder.stop();
    const runs = await r.runsBetween(cameraId, 0, Date.now() + 1000);
    expect(runs).toHaveLength(2);
    const [first, second] = runs;
    expect(first.end_reason).toMatch(/^(eof|timeout|stall)$/);
    expect(second.end_reason).toBe('stopped');
    // The first run ends at the kill (at most one frame interval plus delivery before it); the
    // second starts once the new server delivers its first key frame.
    expect(Number(first.ended_at_ms)).toBeGreaterThan(killedAt - 500);
    expect(Number(first.ended_at_ms)).toBeLessThan(killedAt + 500);
    const gapMs = Number(second.started_at_ms) - Number(first.ended_at_ms);
    expect(gapMs).toBeGreaterThan(restartedAt - killedAt - 500);
    expect(gapMs).toBeLessThan(restartedAt - killedAt + 3000);
    for (const f of await r.filesBetween(cameraId, 0, Date.now() + 1000)) {
      expect(f.status).toBe('closed');
      const p = ffprobe(t.app.files.absolute(f.rel_path));
      expect([p.codec, p.width, p.height, p.audioCodec]).toEqual(['h264', 640, 360, 'pcm_alaw']);
      expect(p.frames).toBe(f.frame_count);
    }
  });
});
