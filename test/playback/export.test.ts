// Exports: exact range by ffprobe and by the frames' own codes, honest keyframe alignment, gaps in
// the signed manifest, verify-export naming a changed file, purpose and permission enforced,
// every download audited (R-DIS-4, R-SEC-9, R-FN-2, R-ACC-1).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportJob } from '../../src/playback/export-service.ts';
import type { ExportManifest } from '../../src/playback/manifest.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ffprobe } from '../helpers/ffprobe.ts';
import { frameCodes, playbackFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

describe('exports (R-DIS-4, R-SEC-9)', () => {
  let f: Fixture;
  let adm: { cookie: string; csrf: string };
  beforeAll(async () => {
    f = await playbackFixture('sqlite');
    adm = await f.login('gulou_admin');
  });
  afterAll(() => f.close());

  const post = (s: { cookie: string; csrf: string }, url: string, payload: unknown) => f.server.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: payload as Record<string, unknown> });
  const denied = async () => (await repos(f.t.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied' })).total;
  const exportDir = (id: string) => path.join(f.t.db.dataDir, 'exports', id);
  const run = async (body: Record<string, unknown>): Promise<{ job: ExportJob; manifest: ExportManifest }> => {
    const res = await post(adm, '/api/exports', body);
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json() as ExportJob;
    await f.module.exports.idle();
    const done = (await f.server.inject({ method: 'GET', url: `/api/exports/${job.id}`, headers: { cookie: adm.cookie } })).json() as ExportJob;
    expect(done.status, done.error).toBe('done');
    return { job: done, manifest: JSON.parse(readFileSync(path.join(exportDir(job.id), 'manifest.json'), 'utf8')) as ExportManifest };
  };
  const verify = (dir: string) => spawnSync(process.execPath, [path.join(REPO, 'bin/xuncha.mjs'), 'verify-export', dir], { cwd: f.t.db.dataDir, env: { ...process.env, XUNCHA_DATA_DIR: f.t.db.dataDir }, encoding: 'utf8' });

  it('exports exactly the range, to the frame, with the gap in the signed manifest; verify-export names a changed file', async () => {
    const fromMs = f.t0 + 8_000; // a keyframe (frame 200)
    const toMs = f.t0 + 40_000; // front: 8–30 s, gap 30–37 s ('eof'), 37–40 s
    const { job, manifest } = await run({ cameraIds: [f.front, f.rear], fromMs, toMs, purpose: '考生违纪取证 第01考场' });
    expect(manifest).toMatchObject({ purpose: '考生违纪取证 第01考场', exportedBy: { username: 'gulou_admin' }, range: { fromMs, toMs } });
    const [front, rear] = manifest.cameras;
    expect(front.gaps).toEqual([{ startMs: f.t0 + 30_000, endMs: f.t1, durationMs: 7000, reason: 'eof' }]);
    expect(rear.gaps).toEqual([]);
    expect(front.parts[0]).toMatchObject({ startMs: fromMs, endMs: toMs, keyframeAligned: true, prerollMs: 0, frames: 550 + 75 });
    const cams = await Promise.all([f.front, f.rear].map((id) => repos(f.t.app.store.db).cameras.get({ kind: 'all' }, id)));
    expect(manifest.cameras.map((c) => c.gbCode)).toEqual(cams.map((c) => c!.gb_code));
    const frontFile = path.join(exportDir(job.id), front.parts[0].file);
    const rearFile = path.join(exportDir(job.id), rear.parts[0].file);
    // ffprobe (independent reader): duration is the range to the frame; moov comes before mdat.
    const [rp, fp] = [ffprobe(rearFile), ffprobe(frontFile)];
    expect(rp).toMatchObject({ codec: 'h264', width: 1280, frames: 800 });
    expect(fp).toMatchObject({ codec: 'h264', frames: 625 });
    expect(Math.abs(rp.durationS - 32)).toBeLessThan(0.04);
    expect(Math.abs(fp.durationS - 32)).toBeLessThan(0.04);
    const head = readFileSync(frontFile).subarray(0, 64 * 1024).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat'));
    // The pictures: rear starts at frame 200; front runs to clip frame 249 (frame 749), then the
    // camera's second session starts at its frame 0 — after 7 s of file time, not collapsed.
    expect(frameCodes(rearFile).slice(0, 3)).toEqual([200, 201, 202]);
    const codes = frameCodes(frontFile);
    expect(codes).toHaveLength(625);
    expect([codes[549], codes[550]]).toEqual([249, 0]);
    const pts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', frontFile], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(pts[550] - pts[549]).toBeCloseTo(7.04, 3);

    let r = verify(exportDir(job.id));
    expect(r.status, r.stderr).toBe(0);
    const bytes = readFileSync(rearFile);
    bytes[bytes.length - 1000] ^= 0x01;
    writeFileSync(rearFile, bytes);
    r = verify(exportDir(job.id));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`CHANGED: ${rear.parts[0].file}`);
    expect(r.stderr).not.toContain(front.parts[0].file);
  }, 90_000);

  it('states honestly when the start is not on a keyframe (pre-roll from the keyframe before)', async () => {
    const { manifest } = await run({ cameraIds: [f.rear], fromMs: f.t0 + 8_520, toMs: f.t0 + 10_000, purpose: '复核 上午场' });
    expect(manifest.cameras[0].parts[0]).toMatchObject({ startMs: f.t0 + 8_000, keyframeAligned: false, prerollMs: 520, frames: 50 });
  });

  it('burns in a visible watermark when asked (re-encoded, said so in the manifest)', async () => {
    const { job, manifest } = await run({ cameraIds: [f.rear], fromMs: f.t0 + 2_000, toMs: f.t0 + 4_000, purpose: '上级复核调阅', watermark: true });
    expect(manifest.cameras[0].parts[0]).toMatchObject({ reencoded: true });
    const file = path.join(exportDir(job.id), manifest.cameras[0].parts[0].file);
    expect(ffprobe(file)).toMatchObject({ codec: 'h264', frames: 50 });
    expect(verify(exportDir(job.id)).status).toBe(0);
  });

  it('refuses an export without a purpose, out of scope, or without the export permission — each refusal audited', async () => {
    let before = await denied();
    expect((await post(adm, '/api/exports', { cameraIds: [f.rear], fromMs: f.t0, toMs: f.t0 + 1000 })).statusCode).toBe(400);
    expect((await post(adm, '/api/exports', { cameraIds: [f.rear], fromMs: f.t0, toMs: f.t0 + 1000, purpose: '  ' })).statusCode).toBe(400);
    expect(await denied()).toBe(before + 2);
    before = await denied();
    expect((await post(adm, '/api/exports', { cameraIds: [f.outside], fromMs: f.t0, toMs: f.t0 + 1000, purpose: '越权导出尝试' })).statusCode).toBe(404);
    const op = await f.login('gulou_op');
    expect((await post(op, '/api/exports', { cameraIds: [f.rear], fromMs: f.t0, toMs: f.t0 + 1000, purpose: '巡查员导出尝试' })).statusCode).toBe(403);
    expect(await denied()).toBe(before + 2);
  });

  it('downloads only with a token, as a tar or one file, and audits every download', async () => {
    const { job, manifest } = await run({ cameraIds: [f.rear], fromMs: f.t0 + 2_000, toMs: f.t0 + 3_000, purpose: '下载测试用途' });
    const token = async () => (await post(adm, `/api/exports/${job.id}/token`, {})).json() as { url: string };
    expect((await f.server.inject({ method: 'GET', url: `/api/exports/${job.id}/download?token=forged` })).statusCode).toBe(401);
    const tar = await f.server.inject({ method: 'GET', url: (await token()).url });
    expect(tar.statusCode).toBe(200);
    expect(tar.headers['content-type']).toBe('application/x-tar');
    const names = tar.rawPayload.toString('latin1').match(/export-[0-9a-f-]+\/[^\0]+/g);
    expect(names).toEqual(expect.arrayContaining([`export-${job.id}/manifest.json`, `export-${job.id}/manifest.sig`, `export-${job.id}/${manifest.files[0].name}`]));
    const one = await f.server.inject({ method: 'GET', url: `${(await token()).url}&file=manifest.json` });
    expect(JSON.parse(one.body)).toEqual(manifest);
    const downloads = (await repos(f.t.app.store.db).audit.list({ kind: 'all' }, { action: 'export.download' })).records.filter((r) => r.object_id === job.id);
    expect(downloads).toHaveLength(2);
    expect(downloads.every((d) => d.username === 'gulou_admin')).toBe(true);
  });

  it('issue 14 item 7: downloads a stored .zip that the system unzip unpacks and verify-export passes; a changed file fails; audited as zip', async () => {
    const { job, manifest } = await run({ cameraIds: [f.rear], fromMs: f.t0 + 4_000, toMs: f.t0 + 6_000, purpose: 'Windows 用户 zip 下载' });
    const { url } = (await post(adm, `/api/exports/${job.id}/token`, {})).json() as { url: string };
    const zip = await f.server.inject({ method: 'GET', url: `${url}&format=zip` });
    expect(zip.statusCode, zip.body.slice(0, 200)).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(String(zip.headers['content-disposition'])).toContain(`export-${job.id}.zip`);
    const out = mkdtempSync(path.join(tmpdir(), 'xuncha-zip-'));
    try {
      const file = path.join(out, 'export.zip');
      writeFileSync(file, zip.rawPayload);
      // unzip -t checks every entry's CRC-32 against the data; then unpack.
      execFileSync('unzip', ['-tq', file]);
      execFileSync('unzip', ['-q', file, '-d', out]);
      const dir = path.join(out, `export-${job.id}`);
      expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sig', manifest.files[0].name]));
      expect(readFileSync(path.join(dir, manifest.files[0].name)).equals(readFileSync(path.join(exportDir(job.id), manifest.files[0].name)))).toBe(true);
      const ok = verify(dir);
      expect(ok.status, ok.stderr).toBe(0);
      const video = path.join(dir, manifest.files[0].name);
      const bytes = readFileSync(video);
      bytes[bytes.length - 10] ^= 0xff;
      writeFileSync(video, bytes);
      const bad = verify(dir);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain(manifest.files[0].name);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const downloads = (await repos(f.t.app.store.db).audit.list({ kind: 'all' }, { action: 'export.download' })).records.filter((r) => r.object_id === job.id);
    expect(downloads).toHaveLength(1);
    expect(JSON.stringify(downloads[0].detail)).toContain('(all, zip)');
  }, 120_000);
});
