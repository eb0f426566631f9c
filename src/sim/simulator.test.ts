import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './simulator.ts';
import { readFrameCode } from './frame-code.ts';
import { simulateSite } from './site.ts';
import { RawRtspClient, rtpHeader } from './testing.ts';
import { FFMPEG, ffprobeStreams, run } from './test-util.ts';

let sim: Simulator;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'xuncha-sim-'));
  sim = await startSimulator({
    cameras: [
      { id: 'aac1', audio: 'aac' },
      { id: 'pcma1', audio: 'pcma' },
      { id: 'mute1', audio: 'none' },
    ],
  });
});

afterAll(async () => {
  await sim?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('simulator over RTSP with ffmpeg', () => {
  it('ffprobe reads H.264 1280x720 + AAC over TCP', async () => {
    const { streams, stderr } = await ffprobeStreams(sim.url('aac1'), ['-rtsp_transport', 'tcp']);
    const v = streams.find((s) => s.codec_type === 'video');
    const a = streams.find((s) => s.codec_type === 'audio');
    expect(v, stderr).toMatchObject({ codec_name: 'h264', width: 1280, height: 720 });
    expect(a).toMatchObject({ codec_name: 'aac', sample_rate: '16000' });
  });

  it('ffprobe reads the PCMA camera, the sub stream and the H.265 stream', async () => {
    const p = await ffprobeStreams(sim.url('pcma1', 'sub'), ['-rtsp_transport', 'tcp']);
    expect(p.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(p.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'pcm_alaw', sample_rate: '8000' });
    const h = await ffprobeStreams(sim.url('mute1', 'h265'), ['-rtsp_transport', 'tcp']);
    expect(h.streams.map((s) => s.codec_name)).toEqual(['hevc']);
    expect(h.streams[0]).toMatchObject({ width: 1280, height: 720 });
  });

  it('ffmpeg records 4 s with -c copy: ~100 frames, decodable, frame codes consecutive', async () => {
    const out = path.join(tmp, 'rec.mkv');
    const r = await run(FFMPEG, ['-v', 'error', '-y', '-rtsp_transport', 'tcp', '-i', sim.url('aac1'), '-t', '4', '-c', 'copy', out], 20_000);
    expect(r.code, r.stderr).toBe(0);
    const { streams } = await ffprobeStreams(out, [], true);
    const v = streams.find((s) => s.codec_type === 'video')!;
    expect(Number(v.nb_read_frames)).toBeGreaterThanOrEqual(95);
    expect(Number(v.nb_read_frames)).toBeLessThanOrEqual(105);
    expect(Number(streams.find((s) => s.codec_type === 'audio')?.nb_read_frames)).toBeGreaterThan(55);
    // Decode only the code band of the first 60 frames.
    const d = await run(FFMPEG, ['-v', 'error', '-i', out, '-an', '-frames:v', '60', '-vf', 'crop=1280:40:0:0', '-pix_fmt', 'gray', '-f', 'rawvideo', '-']);
    expect(d.code, d.stderr).toBe(0);
    const size = 1280 * 40;
    const codes: number[] = [];
    for (let off = 0; off + size <= d.stdout.length; off += size) codes.push(readFrameCode(new Uint8Array(d.stdout.subarray(off, off + size)), 1280, 40));
    expect(codes.length).toBe(60);
    expect(codes[0]).toBe(0); // a session starts on the clip's first IDR
    for (let i = 1; i < codes.length; i++) expect(codes[i]).toBe((codes[i - 1] + 1) % 250);
    expect(sim.stats('aac1')!.streams.main.framesSent).toBeGreaterThan(95);
  });

  it('UDP transport works with ffmpeg (-rtsp_transport udp)', async () => {
    const out = path.join(tmp, 'udp.mkv');
    const r = await run(FFMPEG, ['-v', 'error', '-y', '-rtsp_transport', 'udp', '-i', sim.url('pcma1'), '-t', '2', '-c', 'copy', out], 20_000);
    expect(r.code, r.stderr).toBe(0);
    const { streams } = await ffprobeStreams(out, [], true);
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 1280 });
    expect(Number(streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBeGreaterThanOrEqual(45);
    expect(streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('pcm_alaw');
  });
});

describe('RTSP protocol details', () => {
  it('answers OPTIONS/DESCRIBE/SETUP/PLAY/GET_PARAMETER/TEARDOWN like an IP camera', async () => {
    const c = await RawRtspClient.connect(sim.url('aac1'));
    try {
      const o = await c.request('OPTIONS', sim.url('aac1'));
      expect(o.status).toBe(200);
      expect(o.headers.get('public')).toContain('GET_PARAMETER');
      const d = await c.request('DESCRIBE', sim.url('aac1'), { Accept: 'application/sdp' });
      expect(d.status).toBe(200);
      expect(d.headers.get('content-base')).toBe(`${sim.url('aac1')}/`);
      expect(d.body).toMatch(/a=fmtp:96 packetization-mode=1;profile-level-id=4D401F;sprop-parameter-sets=Z01AH[^,]+,aO/);
      expect(d.body).toMatch(/a=rtpmap:97 MPEG4-GENERIC\/16000\/1/);
      expect(d.body).toMatch(/config=1408;sizeLength=13/);
      expect(d.body).toContain('a=control:trackID=1');
      expect(d.body).toContain('a=control:trackID=2');
      const s1 = await c.request('SETUP', `${sim.url('aac1')}/trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      expect(s1.status).toBe(200);
      expect(s1.headers.get('transport')).toMatch(/^RTP\/AVP\/TCP;unicast;interleaved=0-1;ssrc=[0-9A-F]{8}/);
      expect(s1.headers.get('session')).toMatch(/^\d+;timeout=60$/);
      const session = s1.headers.get('session')!.split(';')[0];
      const s2 = await c.request('SETUP', `${sim.url('aac1')}/trackID=2`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: session });
      expect(s2.status).toBe(200);
      const p = await c.request('PLAY', `${sim.url('aac1')}/`, { Session: session });
      expect(p.status).toBe(200);
      const info = p.headers.get('rtp-info')!;
      const m = /trackID=1;seq=(\d+);rtptime=(\d+)/.exec(info)!;
      expect(m).toBeTruthy();
      await new Promise((r) => setTimeout(r, 300));
      const g = await c.request('GET_PARAMETER', `${sim.url('aac1')}/`, { Session: session });
      expect(g.status).toBe(200);
      const video = c.frames.filter((f) => f.channel === 0).map((f) => rtpHeader(f.data));
      expect(video.length).toBeGreaterThan(10);
      expect(video[0].seq).toBe(Number(m[1]));
      expect(video[0].ts).toBe(Number(m[2]));
      expect(video[0].pt).toBe(96);
      for (let i = 1; i < video.length; i++) expect(video[i].seq).toBe((video[i - 1].seq + 1) & 0xffff);
      // Marker only on the last packet of each frame; timestamps advance 3600 per frame.
      const ends = video.filter((v) => v.marker);
      for (let i = 1; i < ends.length; i++) expect((ends[i].ts - ends[i - 1].ts) >>> 0).toBe(3600);
      const audio = c.frames.filter((f) => f.channel === 2).map((f) => rtpHeader(f.data));
      expect(audio.length).toBeGreaterThan(2);
      expect(audio.every((a) => a.pt === 97 && a.marker)).toBe(true);
      expect(audio[0].ssrc).not.toBe(video[0].ssrc);
      const t = await c.request('TEARDOWN', `${sim.url('aac1')}/`, { Session: session });
      expect(t.status).toBe(200);
      const bad = await c.request('PLAY', `${sim.url('aac1')}/`, { Session: session });
      expect(bad.status).toBe(454);
      expect((await c.request('DESCRIBE', sim.url('nope'))).status).toBe(404);
      expect((await c.request('SETUP', `${sim.url('aac1')}/trackID=1`, { Transport: 'RTP/AVP;multicast' })).status).toBe(461);
    } finally {
      await c.close();
    }
  });

  it('gives every viewer its own random SSRC / initial seq / timestamp', async () => {
    const a = await RawRtspClient.connect(sim.url('mute1'));
    const b = await RawRtspClient.connect(sim.url('mute1'));
    try {
      const [ia, ib] = await Promise.all([a.play(sim.url('mute1')), b.play(sim.url('mute1'))]);
      expect(ia.rtpInfo).not.toBe(ib.rtpInfo);
      await new Promise((r) => setTimeout(r, 200));
      expect(rtpHeader(a.frames[0].data).ssrc).not.toBe(rtpHeader(b.frames[0].data).ssrc);
      expect(sim.stats('mute1')!.streams.main.sessions).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('sends RTCP sender reports with the NTP wall clock', async () => {
    const c = await RawRtspClient.connect(sim.url('mute1'));
    try {
      await c.play(sim.url('mute1'));
      await new Promise((r) => setTimeout(r, 200));
      const sr = c.frames.find((f) => f.channel === 1 && f.data[1] === 200);
      expect(sr).toBeTruthy();
      const ntpMs = (sr!.data.readUInt32BE(8) - 2_208_988_800) * 1000 + (sr!.data.readUInt32BE(12) / 2 ** 32) * 1000;
      expect(Math.abs(ntpMs - Date.now())).toBeLessThan(2000);
    } finally {
      await c.close();
    }
  });
});

describe('simulator scale', () => {
  it('starts 200 cameras (simulateSite) and serves one of them', async () => {
    const cameras = simulateSite({ rooms: 100, camerasPerRoom: 2 });
    expect(cameras).toHaveLength(200);
    const big = await startSimulator({ cameras });
    try {
      expect(big.cameraIds()).toHaveLength(200);
      const id = cameras[137].id;
      const { streams, stderr } = await ffprobeStreams(big.url(id), ['-rtsp_transport', 'tcp']);
      expect(streams.find((s) => s.codec_type === 'video'), stderr).toMatchObject({ codec_name: 'h264', width: 1280 });
      expect(streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe(cameras[137].audio === 'aac' ? 'aac' : 'pcm_alaw');
    } finally {
      await big.close();
    }
  });

  it('closes cleanly: no open handles left after close()', async () => {
    const kinds = () => process.getActiveResourcesInfo().filter((k) => k !== 'TTYWrap' && k !== 'FSReqCallback');
    const count = (l: string[]) => l.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
    const before = count(kinds());
    const s = await startSimulator({ cameras: [{ id: 'x' }], controlPort: 0 });
    const c = await RawRtspClient.connect(s.url('x'));
    await c.play(s.url('x'));
    await fetch(`http://127.0.0.1:${s.controlPort}/cameras/x/stats`).then((r) => r.json());
    await s.close();
    await c.closedPromise;
    await new Promise((r) => setTimeout(r, 50));
    const after = count(kinds());
    for (const k of ['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'Timeout']) expect(after[k] ?? 0, k).toBeLessThanOrEqual(before[k] ?? 0);
  });
});
