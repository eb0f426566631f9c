import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './simulator.ts';
import { RawRtspClient, rtpHeader } from './testing.ts';
import { ffprobeStreams, sleep, spawnFfmpeg, waitFor } from './test-util.ts';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    cameras: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8'].map((id) => ({ id, audio: 'none' as const })),
    controlPort: 0,
  });
});
afterAll(async () => {
  await sim?.close();
});

const videoPackets = (c: RawRtspClient) => c.frames.filter((f) => f.channel === 0).map((f) => rtpHeader(f.data));

function ntpMs(sr: Buffer): number {
  return (sr.readUInt32BE(8) - 2_208_988_800) * 1000 + (sr.readUInt32BE(12) / 2 ** 32) * 1000;
}

describe('fault injection', () => {
  it('R-REC-4 drop closes the ffmpeg session, then refuses for durationMs', async () => {
    const ff = spawnFfmpeg(['-v', 'error', '-rtsp_transport', 'tcp', '-i', sim.url('f1'), '-t', '30', '-c', 'copy', '-f', 'null', '-']);
    try {
      await waitFor(() => (sim.stats('f1')?.streams.main.framesSent ?? 0) > 25, 15_000);
      const t0 = Date.now();
      sim.fault('f1', { type: 'drop', durationMs: 1500 });
      expect(sim.stats('f1')!.sessions).toBe(0);
      await ff.exited;
      expect(Date.now() - t0).toBeLessThan(5000);
      // While dropped the camera looks offline: connection reset, no answer.
      const p = await ffprobeStreams(sim.url('f1'), ['-rtsp_transport', 'tcp']);
      expect(p.streams).toHaveLength(0);
      await sleep(Math.max(0, 1600 - (Date.now() - t0)));
      const q = await ffprobeStreams(sim.url('f1'), ['-rtsp_transport', 'tcp']);
      expect(q.streams[0]?.codec_name, q.stderr).toBe('h264');
    } finally {
      ff.child.kill('SIGKILL');
      await ff.exited;
    }
  });

  it('R-REC-4 stall keeps the socket open but sends nothing for durationMs, then resumes', async () => {
    const c = await RawRtspClient.connect(sim.url('f2'));
    try {
      await c.play(sim.url('f2'));
      await sleep(300);
      sim.fault('f2', { type: 'stall', durationMs: 800 });
      const n = c.frames.length;
      await sleep(600);
      expect(c.frames.length).toBe(n);
      expect(c.closed).toBe(false);
      await sleep(500);
      expect(c.frames.length).toBeGreaterThan(n);
      // After the stall the timestamps jumped forward by about the stall time (no burst).
      const v = videoPackets(c).filter((p) => p.marker);
      const gaps = v.slice(1).map((p, i) => (p.ts - v[i].ts) >>> 0);
      expect(Math.max(...gaps)).toBeGreaterThan(0.6 * 90_000);
    } finally {
      await c.close();
    }
  });

  it('R-REC-4 refuse answers 503 to DESCRIBE until cleared (via the HTTP control API)', async () => {
    const base = `http://127.0.0.1:${sim.controlPort}/cameras/f3/fault`;
    const post = (body: unknown) => fetch(base, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect((await post({ type: 'refuse' })).status).toBe(200);
    const c = await RawRtspClient.connect(sim.url('f3'));
    try {
      expect((await c.request('DESCRIBE', sim.url('f3'))).status).toBe(503);
      expect((await post({ type: 'clear' })).status).toBe(200);
      expect((await c.request('DESCRIBE', sim.url('f3'))).status).toBe(200);
      expect((await post({ type: 'bogus' })).status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${sim.controlPort}/cameras/nope/fault`, { method: 'POST', body: '{"type":"drop"}' })).status).toBe(404);
    } finally {
      await c.close();
    }
  });

  it('R-REC-4 garbage sends random bytes on the session socket', async () => {
    const c = await RawRtspClient.connect(sim.url('f4'));
    try {
      await c.play(sim.url('f4'));
      await sleep(100);
      sim.fault('f4', { type: 'garbage' });
      await sleep(200);
      expect(c.junkBytes).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it('R-REC-4 loss drops about lossPct of RTP packets (sequence gaps)', async () => {
    const c = await RawRtspClient.connect(sim.url('f5'));
    try {
      sim.fault('f5', { type: 'loss', lossPct: 30 });
      await c.play(sim.url('f5'));
      await sleep(1500);
      const v = videoPackets(c);
      const span = ((v[v.length - 1].seq - v[0].seq) & 0xffff) + 1;
      const lossRate = 1 - v.length / span;
      expect(lossRate).toBeGreaterThan(0.15);
      expect(lossRate).toBeLessThan(0.45);
      expect(sim.stats('f5')!.streams.main.packetsLost).toBeGreaterThan(0);
    } finally {
      sim.fault('f5', { type: 'clear' });
      await c.close();
    }
  });

  it('R-PRE-6 clock offset (config and clock fault) shows in the RTCP SR NTP time', async () => {
    const s = await startSimulator({ cameras: [{ id: 'skew', audio: 'none', clockOffsetMs: -90_000 }], srIntervalMs: 300 });
    const c = await RawRtspClient.connect(s.url('skew'));
    try {
      await c.play(s.url('skew'));
      await sleep(100);
      const sr1 = c.frames.find((f) => f.channel === 1 && f.data[1] === 200)!;
      expect(ntpMs(sr1.data) - Date.now()).toBeGreaterThan(-92_000);
      expect(ntpMs(sr1.data) - Date.now()).toBeLessThan(-88_000);
      s.fault('skew', { type: 'clock', offsetMs: 3_600_000 });
      const n = c.frames.length;
      await waitFor(() => c.frames.slice(n).some((f) => f.channel === 1), 3000);
      const sr2 = c.frames.slice(n).find((f) => f.channel === 1)!;
      expect(Math.abs(ntpMs(sr2.data) - Date.now() - 3_600_000)).toBeLessThan(2000);
      // The SR's RTP timestamp maps to the same media clock as the packets.
      const lastVideo = videoPackets(c).at(-1)!;
      expect(Math.abs(((sr2.data.readUInt32BE(16) - lastVideo.ts) | 0) / 90)).toBeLessThan(200);
      expect(s.stats('skew')!.clockOffsetMs).toBe(3_600_000);
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('resolution switches the playing main stream to 640x360 with a new in-band SPS at a keyframe', async () => {
    const c = await RawRtspClient.connect(sim.url('f6'));
    try {
      const { sdp } = await c.play(sim.url('f6'));
      const sps720 = /sprop-parameter-sets=([^,]+),/.exec(sdp)![1];
      await sleep(200);
      sim.fault('f6', { type: 'resolution' });
      await waitFor(() => videoPackets(c).some((p) => (p.payload[0] & 0x1f) === 7 && Buffer.from(p.payload).toString('base64') !== sps720), 4000);
      // A new DESCRIBE advertises the new parameter sets too.
      const c2 = await RawRtspClient.connect(sim.url('f6'));
      const d = await c2.request('DESCRIBE', sim.url('f6'));
      await c2.close();
      expect(/sprop-parameter-sets=([^,]+),/.exec(d.body)![1]).not.toBe(sps720);
      sim.fault('f6', { type: 'clear' });
    } finally {
      await c.close();
    }
  });

  it('ends a session whose client stops sending keep-alives (session timeout)', async () => {
    const s = await startSimulator({ cameras: [{ id: 't', audio: 'none' }], sessionTimeoutSec: 1 });
    const c = await RawRtspClient.connect(s.url('t'));
    try {
      const { session } = await c.play(s.url('t'));
      expect(session).toBeTruthy();
      await sleep(600);
      expect((await c.request('GET_PARAMETER', `${s.url('t')}/`, { Session: session })).status).toBe(200);
      await sleep(600);
      expect(s.stats('t')!.sessions).toBe(1);
      await waitFor(() => s.stats('t')!.sessions === 0, 3000);
    } finally {
      await c.close();
      await s.close();
    }
  });
});
