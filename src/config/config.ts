// Configuration: xuncha.yaml (optional) overlaid by XUNCHA_* environment variables, validated by
// zod so that every wrong field gets its own clear message.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const configSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    dataDir: z.string().min(1).default('./data'),
    /** Unset: SQLite in the data dir. `postgres://…`: PostgreSQL. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// (leave unset for the embedded SQLite)')
      .optional(),
    /** Sets the first administrator's password on first start. */
    adminPassword: z.string().optional(),
    /** Seed a sample organisation on first start (turn off in production). */
    seedSample: z.coerce.boolean().default(true),
    /** Node role in the patrol network. */
    level: z.enum(['province', 'city', 'site']).default('site'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    session: z
      .object({
        idleTimeoutMin: z.coerce.number().int().min(1).max(24 * 60).default(30),
        absoluteTimeoutHours: z.coerce.number().int().min(1).max(72).default(12),
      })
      .strict()
      .default({ idleTimeoutMin: 30, absoluteTimeoutHours: 12 }),
    /** Start simulated cameras for the demo: number of exam rooms (0 = none). */
    simRooms: z.coerce.number().int().min(0).max(500).default(0),
    /** RTSP port of the demo's simulated cameras. */
    simPort: z.coerce.number().int().min(1).max(65535).default(8554),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

const ENV_MAP: Record<string, keyof Config> = {
  XUNCHA_PORT: 'port',
  XUNCHA_HOST: 'host',
  XUNCHA_DATA_DIR: 'dataDir',
  XUNCHA_DATABASE_URL: 'databaseUrl',
  XUNCHA_ADMIN_PASSWORD: 'adminPassword',
  XUNCHA_SEED_SAMPLE: 'seedSample',
  XUNCHA_LEVEL: 'level',
  XUNCHA_LOG_LEVEL: 'logLevel',
  XUNCHA_SIM_ROOMS: 'simRooms',
  XUNCHA_SIM_PORT: 'simPort',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function envValue(key: keyof Config, raw: string): unknown {
  if (key === 'seedSample') return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
  return raw;
}

/** Loads and validates configuration. `file` defaults to ./xuncha.yaml when it exists. */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Partial<Config> } = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.XUNCHA_CONFIG ?? (existsSync('xuncha.yaml') ? 'xuncha.yaml' : undefined);
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([`${file}: cannot read (${(err as Error).message})`]);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ConfigError([`${file}: not valid YAML (${(err as Error).message})`]);
    }
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError([`${file}: must be a mapping of settings`]);
    }
    fromFile = (parsed as Record<string, unknown>) ?? {};
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_MAP)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') fromEnv[key] = envValue(key, raw);
  }
  const result = configSchema.safeParse({ ...fromFile, ...fromEnv, ...opts.overrides });
  if (!result.success) {
    const envName = (key: string) => Object.entries(ENV_MAP).find(([, k]) => k === key)?.[0];
    throw new ConfigError(
      result.error.issues.map((i) => {
        const key = i.path.join('.');
        const where = envName(String(i.path[0])) && fromEnv[String(i.path[0])] !== undefined ? ` (from ${envName(String(i.path[0]))})` : '';
        return `${key || '(root)'}${where}: ${i.message}`;
      }),
    );
  }
  const cfg = result.data;
  cfg.dataDir = path.resolve(cfg.dataDir);
  return cfg;
}
