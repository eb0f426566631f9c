// Backup to an S3-compatible store (R-RET-2, R-ACC-1). No S3 or MinIO is available here, so the
// store is a tiny S3-compatible HTTP server in this file (path-style PUT/GET/HEAD object on
// loopback): it insists on a SigV4 Authorization header (without checking the signature) and, like
// S3, refuses a body that does not match x-amz-checksum-sha256. The real BackupService copies a
// finished session to it through S3Target and verifies every copy; a changed object (bytes modified
// in the server) and a deleted one are found and named by verification.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Target, backupRootFromEnv, backupTargetFor, parseS3Url, s3Url } from '../../src/backup/s3-target.ts';
import { itemKey, reportKey } from '../../src/backup/target.ts';
import { createRetentionModule } from '../../src/retention/index.ts';
import type { RetentionModule } from '../../src/retention/index.ts';
import type { FileRow } from '../../src/store/repos/recording-repo.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { FakeTimer, bj, closeDay, examDay } from '../exams/fixture.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { FakeGate, record } from './fixture.ts';

interface Stored {
  body: Buffer;
  meta: Record<string, string>;
}

/** A minimal path-style S3: /bucket/key. */
class FakeS3 {
  readonly objects = new Map<string, Stored>();
  readonly requests: Array<{ method: string; path: string; auth: string | undefined; contentSha256: string | undefined; checksum: string | undefined }> = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  endpoint = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private error(res: http.ServerResponse, status: number, code: string, head = false): void {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(head ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.endpoint);
    const key = decodeURIComponent(url.pathname.slice(1));
    const auth = req.headers.authorization;
    const contentSha256 = req.headers['x-amz-content-sha256'] as string | undefined;
    this.requests.push({ method: req.method ?? '', path: key, auth, contentSha256, checksum: req.headers['x-amz-checksum-sha256'] as string | undefined });
    if (!auth?.startsWith('AWS4-HMAC-SHA256 Credential=')) return this.error(res, 403, 'AccessDenied', req.method === 'HEAD');
    if (req.method === 'PUT') {
      if (contentSha256?.startsWith('STREAMING-')) return this.error(res, 501, 'NotImplemented'); // aws-chunked: not expected
      const want = req.headers['x-amz-checksum-sha256'];
      if (want && createHash('sha256').update(body).digest('base64') !== want) return this.error(res, 400, 'BadDigest');
      const meta: Record<string, string> = {};
      for (const [h, v] of Object.entries(req.headers)) if (h.startsWith('x-amz-meta-') && typeof v === 'string') meta[h] = v;
      this.objects.set(key, { body, meta });
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      return void res.end();
    }
    const obj = this.objects.get(key);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!obj) return this.error(res, 404, 'NoSuchKey', req.method === 'HEAD');
      res.writeHead(200, { 'content-length': obj.body.length, 'content-type': 'application/octet-stream', etag: `"${createHash('md5').update(obj.body).digest('hex')}"`, ...obj.meta });
      return void res.end(req.method === 'HEAD' ? undefined : obj.body);
    }
    this.error(res, 405, 'MethodNotAllowed');
  }
}

const ENV = { AWS_ACCESS_KEY_ID: 'xuncha-test', AWS_SECRET_ACCESS_KEY: 'xuncha-test-secret' };

describe('S3 target configuration (R-RET-2)', () => {
  it('parses s3:// URLs; the stored root carries no secrets; XUNCHA_BACKUP_S3_URL wins over XUNCHA_BACKUP_DIR', () => {
    const c = parseS3Url('s3://exam-backup/nanjing/2026?endpoint=http://127.0.0.1:9000&region=us-east-1', ENV);
    expect(c).toMatchObject({ bucket: 'exam-backup', prefix: 'nanjing/2026', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'xuncha-test' } });
    expect(parseS3Url('s3://exam-backup', {})).toMatchObject({ prefix: '', forcePathStyle: false, endpoint: undefined, credentials: undefined });
    expect(parseS3Url(s3Url(c), ENV)).toEqual(c);
    expect(s3Url(c)).not.toContain('secret');
    expect(() => parseS3Url('s3://AK:SK@exam-backup/x', ENV)).toThrow(/credentials/);
    expect(() => parseS3Url('s3://exam-backup/x?bogus=1', ENV)).toThrow(/unknown/);
    expect(backupRootFromEnv({ ...ENV, XUNCHA_BACKUP_DIR: '/mnt/backup', XUNCHA_BACKUP_S3_URL: 's3://exam-backup/p?endpoint=http://h:9000' })).toBe('s3://exam-backup/p/?endpoint=http%3A%2F%2Fh%3A9000&region=us-east-1');
    expect(backupRootFromEnv({ XUNCHA_BACKUP_DIR: '/mnt/backup' })).toBe('/mnt/backup');
    expect(backupTargetFor(ENV)('s3://exam-backup/p/?region=us-east-1')).toBeInstanceOf(S3Target);
    expect(() => new S3Target(c).locate('backup-1/../x')).toThrow(/escapes/);
    expect(new S3Target(c).locate('backup-1/a.mp4')).toBe('s3://exam-backup/nanjing/2026/backup-1/a.mp4');
  });
});

describe.each(DIALECTS)('backup to S3 on %s (R-RET-2)', (dialect) => {
  let d: ExamDay;
  let m: RetentionModule;
  const s3 = new FakeS3();
  let root = '';
  let backupId = 0;
  const f: Record<string, FileRow[]> = {};
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

  beforeAll(async () => {
    await s3.start();
    d = await examDay(dialect);
    f.X = await record(d.t, d.cameras.r1front, bj('2026-06-07 09:10'), 20);
    f.L = await record(d.t, d.cameras.lab, bj('2026-06-07 09:30'), 10);
    root = backupRootFromEnv({ ...ENV, XUNCHA_BACKUP_S3_URL: `s3://xuncha-backup/site-1?endpoint=${s3.endpoint}&region=us-east-1` })!;
    m = createRetentionModule(d.t.app, { timer: new FakeTimer(), gate: new FakeGate(), backupDir: root, targetFor: backupTargetFor(ENV) });
  });
  afterAll(async () => {
    await m?.stop();
    await closeDay(d);
    await s3.stop();
  });

  it('copies a session to the bucket and verifies every copy by SHA-256; requests are SigV4-signed and path-style', async () => {
    d.t.clock.set(bj('2026-06-07 13:10'));
    const b = await m.backups.create(d.admin, { sessionId: d.sessionId, fromMs: bj('2026-06-07 00:00'), toMs: bj('2026-06-08 00:00') });
    await m.backups.idle();
    backupId = b.id;
    const want = [...f.X, ...f.L];
    expect(await m.backups.get(d.admin, b.id)).toMatchObject({ state: 'done', totalFiles: want.length, verifiedFiles: want.length, failedFiles: 0 });
    for (const file of want) {
      const obj = s3.objects.get(`xuncha-backup/site-1/${itemKey(b.id, file.rel_path)}`);
      expect(obj, file.rel_path).toBeDefined();
      const expected = sha(d.t.app.files.absolute(file.rel_path));
      expect(createHash('sha256').update(obj!.body).digest('hex')).toBe(expected);
      expect(obj!.meta['x-amz-meta-sha256']).toBe(expected);
    }
    const report = JSON.parse(s3.objects.get(`xuncha-backup/site-1/${reportKey(b.id)}`)!.body.toString('utf8')) as { files: Array<{ relPath: string; verified: boolean; copy: string }> };
    expect(report.files).toHaveLength(want.length);
    expect(report.files.every((x) => x.verified && x.copy.startsWith('s3://xuncha-backup/site-1/'))).toBe(true);
    expect(s3.requests.length).toBeGreaterThan(0);
    expect(s3.requests.every((r) => r.auth?.includes('Credential=xuncha-test/') && r.path.startsWith('xuncha-backup/site-1/backup-'))).toBe(true);
    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(want.length + 1); // the copies and report.json
    expect(puts.every((r) => !r.contentSha256?.startsWith('STREAMING-') && r.checksum)).toBe(true); // plain body, SHA-256 checked by the store
    expect((await m.verifyBackup(d.admin, b.id)).ok).toBe(true);
    const head = await (backupTargetFor(ENV)(root) as S3Target).head(itemKey(b.id, f.X[0].rel_path));
    expect(head).toEqual({ bytes: Number(f.X[0].bytes), sha256: sha(d.t.app.files.absolute(f.X[0].rel_path)) });
  });

  it('verification finds and names a changed object and a missing one', async () => {
    const changed = `xuncha-backup/site-1/${itemKey(backupId, f.X[0].rel_path)}`;
    const obj = s3.objects.get(changed)!;
    obj.body = Buffer.from(obj.body);
    obj.body[obj.body.length >> 1] ^= 0xff; // same size, one byte flipped
    s3.objects.delete(`xuncha-backup/site-1/${itemKey(backupId, f.L[0].rel_path)}`);
    const v = await m.verifyBackup(d.admin, backupId);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ relPath: f.X[0].rel_path, problem: 'changed', copy: `s3://${changed}` }),
        expect.objectContaining({ relPath: f.L[0].rel_path, problem: 'missing' }),
      ]),
    );
    expect(v.problems).toHaveLength(2);
  });

  it('writes text objects, reads a missing object as missing; the test store refuses unsigned requests', async () => {
    const t = new S3Target(parseS3Url(root, ENV));
    await expect(t.putText('probe/ok.json', '{"ok":true}')).resolves.toBeUndefined();
    expect(await t.digest('probe/none.json')).toBeUndefined();
    const noAuth = await fetch(`${s3.endpoint}/xuncha-backup/site-1/probe/ok.json`);
    expect(noAuth.status).toBe(403); // the server really checks that requests are signed
    t.close();
  });
});
