// R-FN-1 (time to first frame of a wall): a page subscribing several tiles at once gets every
// tile's init segment and keyframe before the catch-up frames of the GOPs they join
// (src/live/ws-session.ts JOIN_HOLD_MS). Before, each init went out behind the whole GOP burst of
// every tile registered before it, and a 16-tile 720p wall waited ~300–600 ms for its last init.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from './helpers/live-server.ts';
import type { LiveServer } from './helpers/live-server.ts';
import { connectLive } from './helpers/ws-client.ts';

let server: LiveServer;
let admin: ApiClient;
let cameraIds: number[] = [];

beforeAll(async () => {
  server = await startLiveServer({ XUNCHA_SIM_ROOMS: '2', XUNCHA_SIM_PORT: String(await freePort()) });
  admin = new ApiClient(server.baseUrl);
  expect((await admin.login('admin', ADMIN_PASSWORD)).ok).toBe(true);
  const { nodes } = await admin.json<{ nodes: Array<{ rooms?: Array<{ cameras: Array<{ id: number }> }> }> }>('GET', '/api/org/tree');
  cameraIds = nodes.flatMap((n) => (n.rooms ?? []).flatMap((r) => r.cameras.map((c) => c.id)));
});

afterAll(async () => {
  await server?.stop();
});

describe('live socket join order (R-FN-1)', () => {
  it('sends every tile its init and keyframe before any GOP catch-up when a wall subscribes at once', async () => {
    const ids = cameraIds.slice(0, 4);
    expect(ids).toHaveLength(4);
    const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: ids, stream: 'main' });
    const c = await connectLive(server.baseUrl, token);
    await c.waitFor((m) => m.text?.ev === 'hello');
    // Warm-up: the cameras' streams up and a GOP held by each hub, as on a wall opened later.
    ids.forEach((cameraId, i) => c.send({ op: 'sub', ch: 1 + i, cameraId, stream: 'main' }));
    await Promise.all(ids.map((_, i) => c.waitFor((m) => m.type === 2 && m.ch === 1 + i, 20_000)));
    await new Promise((r) => setTimeout(r, 1000));
    ids.forEach((_, i) => c.send({ op: 'unsub', ch: 1 + i }));
    await new Promise((r) => setTimeout(r, 1300)); // past a keyframe: the GOPs joined below have catch-up frames
    // One burst of subscribes, as LiveClient sends them when its socket opens.
    const chs = ids.map((_, i) => 20 + i);
    ids.forEach((cameraId, i) => c.send({ op: 'sub', ch: chs[i], cameraId, stream: 'main' }));
    await new Promise((r) => setTimeout(r, 1500));
    const mine = c.messages.filter((m) => m.type !== undefined && chs.includes(m.ch ?? -1));
    for (const ch of chs) {
      const own = mine.filter((m) => m.ch === ch);
      expect(own[0]?.type).toBe(1);
      expect(own[1]?.keyframe).toBe(true);
      expect(own.length).toBeGreaterThan(10); // the catch-up and live frames do follow
    }
    // Every init and first keyframe arrive before the first non-key frame of any tile.
    const firstCatchUp = mine.findIndex((m) => m.type === 2 && !m.keyframe);
    expect(firstCatchUp).toBeGreaterThan(0);
    expect(mine.findLastIndex((m) => m.type === 1)).toBeLessThan(firstCatchUp);
    expect(mine.slice(0, firstCatchUp).filter((m) => m.type === 2 && m.keyframe)).toHaveLength(chs.length);
    c.close();
    await c.closed;
  }, 60_000);
});
