// The frame size a camera last recorded at, on both databases (issue 15: GB/T 28181 DeviceInfo
// Resolution and the catalog's 2022 Info Resolution come from it while a camera is offline):
// the latest main-stream run wins, sub-stream runs and zero sizes are not taken. R-FN-3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

describe.each(DIALECTS)('latest recorded frame size on %s (R-FN-3)', (dialect) => {
  let t: TestApp;
  const ids: number[] = [];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const admin = await t.actor('admin');
    const room = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    for (const name of ['a', 'b', 'c']) ids.push((await t.app.devices.createCamera(admin, { roomId: room.id, name, position: 'front', sourceKind: 'rtsp', mainStream: `/${name}`, subStream: '/none' })).id);
    const run = (cameraId: number, startedAtMs: number, stream: string, width: number, height: number) => repos(t.app.store.db).recordings.insertRun({
      camera_id: cameraId, stream, started_at_ms: startedAtMs, duration_90k: 0, ended_at_ms: null, end_reason: null, end_detail: null,
      video_codec: 'h264', width, height, rfc6381: 'avc1.640028', audio_codec: null, clock_offset_ms: null, frame_count: 0,
    });
    await run(ids[0], 1000, 'main', 1280, 720);
    await run(ids[0], 2000, 'main', 1920, 1080); // the camera was reconfigured: the newest run counts
    await run(ids[0], 3000, 'sub', 640, 360);
    await run(ids[1], 1000, 'main', 0, 0); // nothing known
  });
  afterAll(async () => {
    await t.close();
  });

  it('per camera and for one camera: the newest main-stream run, none for a camera never recorded', async () => {
    const r = repos(t.app.store.db).recordings;
    expect(await r.latestVideoSize(ids[0])).toEqual({ width: 1920, height: 1080 });
    expect(await r.latestVideoSize(ids[1])).toBeUndefined();
    expect(await r.latestVideoSize(ids[2])).toBeUndefined();
    const all = await r.latestVideoSizes();
    expect(all.get(ids[0])).toEqual({ width: 1920, height: 1080 });
    expect(all.has(ids[1])).toBe(false);
    expect(all.has(ids[2])).toBe(false);
  });
});
