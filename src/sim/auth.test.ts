import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './simulator.ts';
import { RawRtspClient } from './testing.ts';
import { ffprobeStreams } from './test-util.ts';

describe('Digest auth', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'd1', audio: 'pcma' }], auth: { username: 'admin', password: 'hik12345', scheme: 'digest' } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('answers 401 with a Digest challenge and refuses a wrong password', async () => {
    const c = await RawRtspClient.connect(sim.url('d1'));
    try {
      expect((await c.request('OPTIONS', sim.url('d1'))).status).toBe(200);
      const r = await c.request('DESCRIBE', sim.url('d1'));
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Digest realm="[^"]+", nonce="[0-9a-f]+"/);
    } finally {
      await c.close();
    }
    const wrong = await RawRtspClient.connect(sim.url('d1'), { username: 'admin', password: 'nope', scheme: 'digest' });
    try {
      expect((await wrong.request('DESCRIBE', sim.url('d1'))).status).toBe(401);
    } finally {
      await wrong.close();
    }
    const basic = await RawRtspClient.connect(sim.url('d1'), { username: 'admin', password: 'hik12345', scheme: 'basic' });
    try {
      expect((await basic.request('DESCRIBE', sim.url('d1'))).status).toBe(401); // Basic not accepted by a Digest camera
    } finally {
      await basic.close();
    }
    const bad = await ffprobeStreams(sim.url('d1').replace('rtsp://', 'rtsp://admin:wrong@'), ['-rtsp_transport', 'tcp']);
    expect(bad.streams).toHaveLength(0);
    expect(bad.stderr).toMatch(/401/);
  });

  it('accepts the right password (raw client and ffprobe)', async () => {
    const c = await RawRtspClient.connect(sim.url('d1'), { username: 'admin', password: 'hik12345', scheme: 'digest' });
    try {
      expect((await c.request('DESCRIBE', sim.url('d1'))).status).toBe(200);
    } finally {
      await c.close();
    }
    const ok = await ffprobeStreams(sim.url('d1', 'main', { withAuth: true }), ['-rtsp_transport', 'tcp']);
    expect(ok.streams.map((s) => s.codec_name).sort(), ok.stderr).toEqual(['h264', 'pcm_alaw']);
  });
});

describe('Basic auth', () => {
  it('accepts Basic credentials and refuses wrong ones', async () => {
    const sim = await startSimulator({ cameras: [{ id: 'b1' }], auth: { username: 'admin', password: 'dahua888', scheme: 'basic' } });
    try {
      const c = await RawRtspClient.connect(sim.url('b1'));
      const r = await c.request('DESCRIBE', sim.url('b1'));
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      await c.close();
      const w = await RawRtspClient.connect(sim.url('b1'), { username: 'admin', password: 'x', scheme: 'basic' });
      expect((await w.request('DESCRIBE', sim.url('b1'))).status).toBe(401);
      await w.close();
      const ok = await ffprobeStreams(sim.url('b1', 'main', { withAuth: true }), ['-rtsp_transport', 'tcp']);
      expect(ok.streams.map((s) => s.codec_name).sort(), ok.stderr).toEqual(['aac', 'h264']);
    } finally {
      await sim.close();
    }
  });
});
