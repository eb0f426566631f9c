// The node's master secret: from XUNCHA_SECRET_KEY (base64, 32 bytes; needed when several
// processes share one PostgreSQL) or from <dataDir>/secret.key, created on first start with mode
// 0600. Sub-keys for separate purposes are derived with HKDF so that one leak does not open all.
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface NodeKeys {
  /** AES-256-GCM key for device credentials and TOTP secrets at rest (R-SEC-5, R-SEC-6). */
  secretBox: Buffer;
  /** HMAC-SHA256 key of the audit hash chain (R-ACC-1). */
  audit: Buffer;
  /** HMAC key for short-lived media tokens. */
  mediaToken: Buffer;
}

export function deriveKeys(master: Buffer): NodeKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, 'xuncha', info, 32));
  return { secretBox: derive('secret-box'), audit: derive('audit-chain'), mediaToken: derive('media-token') };
}

export function loadMasterKey(dataDir: string, envKey?: string): Buffer {
  if (envKey) {
    const key = Buffer.from(envKey, 'base64');
    if (key.length !== 32) throw new Error('XUNCHA_SECRET_KEY must be 32 bytes in base64');
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} is damaged: expected 32 bytes in base64`);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/**
 * The audit chain's key from a file outside the data directory (issue 13 item 3): 32 bytes in
 * base64. Refused when others may read or write it (mode & 0o007): the node does not start.
 */
export function loadAuditKeyFile(file: string): Buffer {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new KeyFileError(`audit key file ${file} cannot be read (${(err as Error).message}); create it with: head -c 32 /dev/urandom | base64 > ${file}; chmod 600 ${file}`);
  }
  if ((mode & 0o007) !== 0) {
    throw new KeyFileError(`audit key file ${file} is accessible to other users (mode ${(mode & 0o777).toString(8)}): chmod 600 ${file}`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new KeyFileError(`audit key file ${file} is damaged: expected 32 bytes in base64`);
  return key;
}
