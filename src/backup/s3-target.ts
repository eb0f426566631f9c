// Off-site backup target (R-RET-2): an S3 bucket or an S3-compatible store (MinIO, Ceph RGW…).
// Each copy is uploaded with its SHA-256 (x-amz-checksum-sha256: the store refuses a body that does
// not match) and its hex digest in the object metadata; verification reads the object back and
// hashes what comes out, so a changed or truncated object is found. The target is named by a URL
// without secrets, stored with each backup:
//   s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1[&forcePathStyle=false]
// Credentials come from the options or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (else the SDK's
// default chain). See docs/design/retention.md.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type * as S3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3 } from '../util/lazy-libs.ts';
import type { BackupTarget, Digest } from './target.ts';
import { LocalDirTarget } from './target.ts';

export interface S3TargetConfig {
  bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the bucket root. */
  prefix: string;
  region: string;
  /** For S3-compatible stores; omitted for AWS. */
  endpoint?: string;
  /** Path-style URLs (http://host/bucket/key), needed by most S3-compatible stores. */
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export const isS3Url = (root: string): boolean => root.startsWith('s3://');

/** Parses `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=…`; credentials from `env`. */
export function parseS3Url(url: string, env: NodeJS.ProcessEnv = process.env): S3TargetConfig {
  if (!isS3Url(url)) throw new Error(`not an s3:// URL: ${url}`);
  const u = new URL(url);
  if (u.username || u.password) throw new Error('put S3 credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, not in the URL');
  const bucket = u.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`invalid S3 bucket name: ${bucket}`);
  for (const k of u.searchParams.keys()) if (!['endpoint', 'region', 'forcePathStyle'].includes(k)) throw new Error(`unknown S3 URL parameter: ${k}`);
  const endpoint = u.searchParams.get('endpoint') ?? undefined;
  if (endpoint && !/^https?:\/\//.test(endpoint)) throw new Error(`S3 endpoint must be http(s)://…: ${endpoint}`);
  const fps = u.searchParams.get('forcePathStyle');
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    bucket,
    prefix,
    region: u.searchParams.get('region') ?? env.AWS_REGION ?? 'us-east-1',
    endpoint,
    forcePathStyle: fps === null ? Boolean(endpoint) : fps === 'true',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } : undefined,
  };
}

/** The secret-free URL of a configuration (what is stored as the backup's target). */
export function s3Url(c: Pick<S3TargetConfig, 'bucket' | 'prefix' | 'region' | 'endpoint' | 'forcePathStyle'>): string {
  const q = new URLSearchParams();
  if (c.endpoint) q.set('endpoint', c.endpoint);
  q.set('region', c.region);
  if (c.forcePathStyle !== Boolean(c.endpoint)) q.set('forcePathStyle', String(c.forcePathStyle));
  return `s3://${c.bucket}/${c.prefix ? `${c.prefix}/` : ''}?${q.toString()}`;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

async function hashFile(file: string, lengthBytes: number): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { start: 0, end: lengthBytes - 1 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

export class S3Target implements BackupTarget {
  readonly root: string;
  private clientP: Promise<S3Client> | undefined;

  constructor(
    readonly config: S3TargetConfig,
    private readonly injectedClient?: S3Client,
  ) {
    this.root = s3Url(config);
  }

  /** The SDK is loaded with the first request (lazy-libs.ts), the client made once. */
  private async sdk(): Promise<{ client: S3Client; m: typeof S3 }> {
    const m = await loadS3();
    this.clientP ??= Promise.resolve(
      this.injectedClient ??
        new m.S3Client({
          region: this.config.region,
          endpoint: this.config.endpoint,
          forcePathStyle: this.config.forcePathStyle,
          credentials: this.config.credentials,
          // We send our own SHA-256; no aws-chunked CRC trailers, which several S3-compatible stores refuse.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          maxAttempts: 3,
        }),
    );
    return { client: await this.clientP, m };
  }

  static fromUrl(url: string, env: NodeJS.ProcessEnv = process.env): S3Target {
    return new S3Target(parseS3Url(url, env));
  }

  private objectKey(key: string): string {
    const parts = key.split('/');
    if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`backup key escapes the target: ${key}`);
    return this.config.prefix ? `${this.config.prefix}/${key}` : key;
  }

  locate(key: string): string {
    return `s3://${this.config.bucket}/${this.objectKey(key)}`;
  }

  /** Hashes the file, then uploads it with that SHA-256 (the store checks it); resolves once stored. */
  async put(key: string, sourceAbs: string, lengthBytes: number): Promise<Digest> {
    // Only the indexed length: a damaged tail past it is never copied.
    const d = await hashFile(sourceAbs, lengthBytes);
    const size = (await stat(sourceAbs)).size;
    if (d.bytes !== lengthBytes || size < lengthBytes) throw new Error(`source is shorter than its indexed ${lengthBytes} bytes: ${sourceAbs}`);
    const { client, m } = await this.sdk();
    await client.send(
      new m.PutObjectCommand({
        Bucket: this.config.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(sourceAbs, { start: 0, end: lengthBytes - 1 }),
        ContentLength: d.bytes,
        ContentType: 'application/octet-stream',
        ChecksumSHA256: b64(d.sha256),
        Metadata: { sha256: d.sha256 },
      }),
    );
    return d;
  }

  /** Reads the object back and hashes it; undefined when it is missing. */
  async digest(key: string): Promise<Digest | undefined> {
    let body: Readable;
    try {
      const { client, m } = await this.sdk();
      const out = await client.send(new m.GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      body = out.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  /** Size and recorded SHA-256 (metadata) of a stored object without reading it. */
  async head(key: string): Promise<{ bytes: number; sha256?: string } | undefined> {
    try {
      const { client, m } = await this.sdk();
      const h = await client.send(new m.HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      return { bytes: Number(h.ContentLength ?? 0), sha256: h.Metadata?.sha256 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async putText(key: string, text: string): Promise<void> {
    const body = Buffer.from(text, 'utf8');
    const { client, m } = await this.sdk();
    await client.send(
      new m.PutObjectCommand({
        Bucket: this.config.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.length,
        ContentType: 'application/json; charset=utf-8',
        ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
      }),
    );
  }

  close(): void {
    if (this.injectedClient) this.injectedClient.destroy();
    else void this.clientP?.then((c) => c.destroy());
  }
}

/**
 * The configured backup root: XUNCHA_BACKUP_S3_URL (stored without secrets) wins over
 * XUNCHA_BACKUP_DIR; undefined when neither is set.
 */
export function backupRootFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.XUNCHA_BACKUP_S3_URL) return s3Url(parseS3Url(env.XUNCHA_BACKUP_S3_URL, env));
  return env.XUNCHA_BACKUP_DIR ? path.resolve(env.XUNCHA_BACKUP_DIR) : undefined;
}

/** The target of a stored root: s3:// URLs → S3Target (credentials from `env`), else a local directory. One client per root. */
export function backupTargetFor(env: NodeJS.ProcessEnv = process.env): (root: string) => BackupTarget {
  const cache = new Map<string, BackupTarget>();
  return (root) => {
    let t = cache.get(root);
    if (!t) {
      t = isS3Url(root) ? S3Target.fromUrl(root, env) : new LocalDirTarget(root);
      cache.set(root, t);
    }
    return t;
  };
}
