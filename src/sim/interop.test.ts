// The project's own RTSP client and depacketizers (src/media) against the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtspClient } from '../media/rtsp/client.ts';
import { createDepacketizer } from '../media/rtp/depacketize/index.ts';
import type { Depacketizer, MediaFrame } from '../media/types.ts';
import { startSimulator, type Simulator } from './simulator.ts';
import { waitFor } from './test-util.ts';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    cameras: [
      { id: 'i1', audio: 'aac', clockOffsetMs: 120_000 },
      { id: 'i2', audio: 'pcma' },
      { id: 'i3', audio: 'none', clockOffsetMs: -7_300, rtcpSr: false },
    ],
    auth: { username: 'admin', password: 'Abc12345', scheme: 'digest' },
    srIntervalMs: 500,
  });
});
afterAll(async () => {
  await sim?.close();
});

function attach(client: RtspClient) {
  const deps: Depacketizer[] = [];
  const frames: MediaFrame[][] = [];
  const srs: Array<{ track: number; ntpMs: number; receivedAtMs: number }> = [];
  client.on('rtp', (i, p, t) => {
    if (!deps[i]) {
      deps[i] = createDepacketizer(client.tracks[i].media);
      frames[i] = [];
    }
    frames[i].push(...deps[i].push(p, t));
  });
  client.on('sr', (i, sr) => srs.push({ track: i, ntpMs: sr.ntpMs, receivedAtMs: sr.receivedAtMs }));
  return { deps, frames, srs };
}

describe('src/media RTSP client against the simulator', () => {
  for (const transport of ['tcp', 'udp'] as const) {
    it(`plays H.264 + audio over ${transport} with Digest auth; R-PRE-6 SR carries the camera clock offset`, async () => {
      const id = transport === 'tcp' ? 'i1' : 'i2';
      const client = new RtspClient({ url: sim.url(id), username: 'admin', password: 'Abc12345', transport });
      const { deps, frames, srs } = attach(client);
      try {
        await client.start();
        await waitFor(() => (frames[0]?.length ?? 0) >= 25 && (frames[1]?.length ?? 0) > 5 && srs.length > 0, 5000);
        const v = frames[0].filter((f) => f.kind === 'video');
        expect(v[0].keyframe).toBe(true);
        expect(deps[0].videoParams).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
        expect(deps[1].audioParams?.codec).toBe(transport === 'tcp' ? 'aac' : 'pcma');
        const pts = v.map((f) => (f.kind === 'video' ? f.pts90k : 0));
        for (let i = 1; i < pts.length; i++) expect(pts[i] - pts[i - 1]).toBe(3600);
        const offset = srs[0].ntpMs - srs[0].receivedAtMs;
        expect(Math.abs(offset - (transport === 'tcp' ? 120_000 : 0))).toBeLessThan(1000);
      } finally {
        await client.stop();
      }
    });
  }

  it('R-PRE-6: a camera without RTCP SR states its clock in the Date headers of its replies', async () => {
    const client = new RtspClient({ url: sim.url('i3'), username: 'admin', password: 'Abc12345' });
    const { srs } = attach(client);
    try {
      await client.start();
      const c = client.statedClock;
      // OPTIONS, DESCRIBE (401 and again), SETUP, PLAY: each reply bounds the offset.
      expect(c?.samples).toBeGreaterThanOrEqual(4);
      expect(c!.uncertaintyMs).toBeLessThanOrEqual(520);
      expect(Math.abs(c!.offsetMs - -7_300)).toBeLessThanOrEqual(c!.uncertaintyMs + 50);
      expect(srs).toEqual([]);
    } finally {
      await client.stop();
    }
  });

  it('R-REC-4 resolution fault: the depacketizer sees the new 640x360 SPS in-band', async () => {
    const client = new RtspClient({ url: sim.url('i2'), username: 'admin', password: 'Abc12345' });
    const { deps, frames } = attach(client);
    try {
      await client.start();
      await waitFor(() => (frames[0]?.length ?? 0) > 5, 5000);
      expect(deps[0].videoParams?.width).toBe(1280);
      sim.fault('i2', { type: 'resolution' });
      await waitFor(() => deps[0].videoParams?.width === 640, 4000);
      expect(deps[0].videoParams?.height).toBe(360);
    } finally {
      sim.fault('i2', { type: 'clear' });
      await client.stop();
    }
  });
});
