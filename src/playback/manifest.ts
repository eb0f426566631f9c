// The signed manifest of an export folder: SHA-256 of every file, who exported what, when and
// why, and the gaps; manifest.sig is HMAC-SHA256 over the exact bytes of manifest.json (R-DIS-4).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';

export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

export interface ExportManifest {
  format: 'xuncha-export/1';
  exportId: string;
  createdAtMs: number;
  exportedBy: { userId: number | null; username: string; role: string; ip: string; workstation: string };
  purpose: string;
  watermark: boolean;
  range: { fromMs: number; toMs: number; fromBeijing: string; toBeijing: string };
  cameras: Array<{
    cameraId: number;
    gbCode: string;
    name: string;
    parts: Array<{ file: string; startMs: number; endMs: number; keyframeAligned: boolean; prerollMs: number; frames: number; reencoded: boolean }>;
    gaps: Array<{ startMs: number; endMs: number; durationMs: number; reason: string }>;
  }>;
  files: ManifestFile[];
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function signManifest(key: Buffer, bytes: Uint8Array): string {
  return createHmac('sha256', key).update(bytes).digest('hex');
}

export async function writeSignedManifest(dir: string, key: Buffer, manifest: ExportManifest): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  await writeFile(path.join(dir, MANIFEST), bytes);
  await writeFile(path.join(dir, SIGNATURE), `HMAC-SHA256 ${signManifest(key, bytes)}\n`);
}

export interface VerifyProblem {
  file: string;
  problem: 'changed' | 'missing' | 'unexpected' | 'signature' | 'unreadable';
  detail?: string;
}

/** Checks the signature, then every file's hash; names each changed, missing or extra file. */
export async function verifyExportDir(dir: string, key: Buffer): Promise<{ ok: boolean; checked: number; problems: VerifyProblem[] }> {
  const problems: VerifyProblem[] = [];
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, MANIFEST));
  } catch (err) {
    return { ok: false, checked: 0, problems: [{ file: MANIFEST, problem: 'missing', detail: (err as Error).message }] };
  }
  let sig = '';
  try {
    sig = (await readFile(path.join(dir, SIGNATURE), 'utf8')).trim().replace(/^HMAC-SHA256\s+/, '');
  } catch {
    problems.push({ file: SIGNATURE, problem: 'missing' });
  }
  const expected = Buffer.from(signManifest(key, bytes), 'hex');
  const given = Buffer.from(sig, 'hex');
  if (sig && (given.length !== expected.length || !timingSafeEqual(given, expected))) problems.push({ file: MANIFEST, problem: 'signature', detail: 'manifest.json was changed or signed by another node' });
  let manifest: ExportManifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as ExportManifest;
  } catch {
    return { ok: false, checked: 0, problems: [...problems, { file: MANIFEST, problem: 'unreadable' }] };
  }
  let checked = 0;
  for (const f of manifest.files ?? []) {
    const abs = path.join(dir, path.basename(f.name));
    try {
      const sum = await sha256File(abs);
      if (sum !== f.sha256) problems.push({ file: f.name, problem: 'changed', detail: `sha256 ${sum} ≠ ${f.sha256}` });
      checked++;
    } catch {
      problems.push({ file: f.name, problem: 'missing' });
    }
  }
  const listed = new Set([MANIFEST, SIGNATURE, ...(manifest.files ?? []).map((f) => f.name)]);
  for (const name of await readdir(dir)) if (!listed.has(name)) problems.push({ file: name, problem: 'unexpected' });
  return { ok: problems.length === 0, checked, problems };
}
