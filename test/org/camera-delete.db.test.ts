// Deleting a camera that still has recordings is refused with a 409 that says what to do, never a
// 500 (R-RET-1: recordings are kept for their retention); files retention deleted no longer show
// as recorded spans but as a gap 'deleted'; once no file is left the camera can be deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { record } from '../retention/fixture.ts';

describe.each(DIALECTS)('camera deletion with recordings on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('refuses with 409 while files remain, shows deleted files as a gap, deletes once none remain (R-RET-1, R-REC-4)', async () => {
    const admin = await t.actor('admin');
    const roomId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0].id;
    const cam = (await t.app.devices.createCamera(admin, { roomId, name: '待删', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
    const t0 = t.clock.nowMs();
    const files = await record(t, cam, t0, 30);
    expect(files.length).toBeGreaterThanOrEqual(2);

    const err = await t.app.devices.deleteCamera(admin, cam).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
    expect((err as AppError).message).toContain(`${files.length} 个录像文件`);
    expect((err as AppError).message).toContain('scheduled recording');

    // Retention deletes the first file: its seconds are a gap 'deleted', not a recorded span.
    const r = repos(t.app.store.db).recordings;
    await t.app.store.db.transaction().execute((trx) => repos(trx).recordings.moveFilesToGarbage([files[0]], t.clock.nowMs()));
    await t.app.files.remove(files[0].rel_path);
    await r.removeGarbagePath(files[0].rel_path);
    const [tl] = await t.app.recordings.timelines(admin, [cam], t0, t0 + 30_000);
    expect(tl.spans).toEqual([{ startMs: Number(files[1].start_ms), endMs: t0 + 30_000, runId: files[0].run_id }]);
    expect(tl.gaps).toEqual([expect.objectContaining({ startMs: t0, endMs: Number(files[1].start_ms), reason: 'deleted' })]);

    // The rest goes too: the camera can now be deleted, with its run history.
    await t.app.store.db.transaction().execute((trx) => repos(trx).recordings.moveFilesToGarbage(files.slice(1), t.clock.nowMs()));
    await t.app.devices.deleteCamera(admin, cam);
    expect(await r.runsBetween(cam, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
