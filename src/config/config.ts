// Configuration: xuncha.yaml (optional) overlaid by XUNCHA_* environment variables, validated by
// zod so that every wrong field gets its own clear message.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { httpSettingsFromEnv, httpSettingsSchema } from './http-config.ts';

const sipPort = z.coerce.number().int().min(0).max(65535);

/** This node's GB/T 28181 identity and, when it is a lower level, the upper platform it registers to. */
export const gb28181Schema = z
  .object({
    /** 20-digit SIP id of this node (type 200, SIP server). */
    id: z.string().regex(/^\d{20}$/, 'must be a 20-digit GB/T 28181 id'),
    /** 10-digit SIP domain (realm of REGISTER challenges). */
    domain: z.string().regex(/^\d{10}$/, 'must be a 10-digit SIP domain'),
    host: z.string().min(1).default('0.0.0.0'),
    /** Address written into Via/Contact/SDP; default 127.0.0.1 when binding 0.0.0.0. */
    advertisedHost: z.string().min(1).optional(),
    udpPort: sipPort.default(5060),
    tcpPort: sipPort.default(5060),
    /** Default password for lower platforms added without their own (only its HA1 is stored). */
    password: z.string().min(1).optional(),
    /** Keepalive interval expected from lower platforms; offline after 3 missed. */
    lowerKeepaliveS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Expires (s) of our Catalog and alarm SUBSCRIBEs to lower platforms, refreshed at 80 %; unset = 3600. */
    subscribeExpiresS: z.coerce.number().int().min(30).max(86400).optional(),
    /** A lower whose uplink channel is silent longer than this is shown stale (s; unset = 120); lowers send a heartbeat every 30 s. */
    uplinkStaleS: z.coerce.number().int().min(10).max(86400).optional(),
    upper: z
      .object({
        id: z.string().regex(/^\d{20}$/, 'must be a 20-digit GB/T 28181 id'),
        host: z.string().min(1),
        port: sipPort.min(1).default(5060),
        password: z.string().min(1),
        transport: z.enum(['udp', 'tcp']).default('udp'),
        keepaliveS: z.coerce.number().int().min(1).max(3600).default(60),
        expiresS: z.coerce.number().int().min(60).max(86400).default(3600),
        /** Edition we declare to this upper in X-GB-Ver (GB/T 28181-2022 Annex I): '2022' → "3.0" (when unset), '2016' → "2.0". */
        gbVersion: z.enum(['2016', '2022']).optional(),
        /**
         * Base URL of the upper's HTTP API for the node-to-node channel (docs/design/uplink.md), e.g.
         * https://city.example:8080; batches go to <url>/api/uplink/v1/batch. Unset = no channel.
         */
        uplinkUrl: z.string().url('must be an http(s) URL').regex(/^https?:\/\//, 'must start with http:// or https://').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Gb28181Settings = z.infer<typeof gb28181Schema>;

/** XUNCHA_SIP_* variables, nested under gb28181 (and gb28181.upper). */
const SIP_ENV: Record<string, string> = {
  XUNCHA_SIP_ID: 'id', XUNCHA_SIP_DOMAIN: 'domain', XUNCHA_SIP_HOST: 'host', XUNCHA_SIP_ADVERTISED_HOST: 'advertisedHost',
  XUNCHA_SIP_UDP_PORT: 'udpPort', XUNCHA_SIP_TCP_PORT: 'tcpPort', XUNCHA_SIP_PASSWORD: 'password', XUNCHA_SIP_LOWER_KEEPALIVE_S: 'lowerKeepaliveS',
  XUNCHA_SIP_SUBSCRIBE_EXPIRES_S: 'subscribeExpiresS',
  XUNCHA_SIP_UPPER_ID: 'upper.id', XUNCHA_SIP_UPPER_HOST: 'upper.host', XUNCHA_SIP_UPPER_PORT: 'upper.port', XUNCHA_SIP_UPPER_PASSWORD: 'upper.password',
  XUNCHA_SIP_UPPER_TRANSPORT: 'upper.transport', XUNCHA_SIP_UPPER_KEEPALIVE_S: 'upper.keepaliveS', XUNCHA_SIP_UPPER_EXPIRES_S: 'upper.expiresS',
  XUNCHA_SIP_UPPER_GB_VERSION: 'upper.gbVersion', XUNCHA_SIP_UPPER_UPLINK_URL: 'upper.uplinkUrl', XUNCHA_SIP_UPLINK_STALE_S: 'uplinkStaleS',
};

function sipFromEnv(env: NodeJS.ProcessEnv, base: unknown): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = base && typeof base === 'object' ? { ...(base as Record<string, unknown>) } : {};
  let any = false;
  for (const [name, key] of Object.entries(SIP_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    any = true;
    if (key.startsWith('upper.')) {
      const u = out.upper && typeof out.upper === 'object' ? { ...(out.upper as Record<string, unknown>) } : {};
      u[key.slice(6)] = raw;
      out.upper = u;
    } else out[key] = raw;
  }
  return any ? out : undefined;
}

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
    /**
     * Demo: one simulated camera shows a picture fault, `<sim camera id>:<black|covered|blur|frozen|moved>`
     * (npm start covers the rear camera of the fourth room, so the readiness check has a failing camera).
     */
    simPictureFault: z.string().regex(/^[A-Za-z0-9_-]+:(black|covered|blur|frozen|moved)$/, 'form <camera id>:<black|covered|blur|frozen|moved>').optional(),
    /** Demo: on first start, run the demo exam's full readiness check once the cameras record. */
    demoProbe: z.union([z.boolean(), z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true')]).default(false),
    /** Bounds on live WebRTC sessions (issue 13): per user, in total, and the time an offer has to connect. */
    webrtc: z
      .object({
        maxPerUser: z.coerce.number().int().min(1).max(1000).default(16),
        maxTotal: z.coerce.number().int().min(1).max(10_000).default(64),
        connectTimeoutS: z.coerce.number().int().min(1).max(600).default(15),
      })
      .strict()
      .default({ maxPerUser: 16, maxTotal: 64, connectTimeoutS: 15 }),
    /** Who may open the browsable API docs at /api/docs (issue 13): everyone, logged-in users, nobody. */
    apiDocs: z.enum(['public', 'users', 'off']).default('users'),
    /** Report files (.pdf/.xlsx) rendered at once in worker threads, per user and in total (issue 13 item 9). */
    reports: z
      .object({
        maxPerUser: z.coerce.number().int().min(1).max(100).default(2),
        maxTotal: z.coerce.number().int().min(1).max(200).default(4),
      })
      .strict()
      .default({ maxPerUser: 2, maxTotal: 4 }),
    /**
     * Audit chain (issue 13 item 3, docs/design/security.md): `keyFile` keeps the chain's HMAC key
     * outside the data directory (32 bytes base64, mode 0600; env XUNCHA_AUDIT_KEY_FILE);
     * `checkpointIntervalS` is how often the signed head goes to the upper level when it moved.
     */
    audit: z
      .object({
        keyFile: z.string().min(1).optional(),
        checkpointIntervalS: z.coerce.number().int().min(5).max(86_400).default(300),
      })
      .strict()
      .default({ checkpointIntervalS: 300 }),
    /** TLS, trusted proxies, connection bounds, export job bounds (src/config/http-config.ts). */
    ...httpSettingsSchema,
    /**
     * Equipment ledger and fault tickets (issue 19, docs/design/ledger.md): when a fault opens a
     * ticket, the limits of acknowledging and repairing, and the node's own health checks.
     */
    ledger: z
      .object({
        /** A camera offline this long opens an offline ticket (s). */
        offlineAfterS: z.coerce.number().int().min(10).max(86_400).default(120),
        /** Time allowed to acknowledge / to repair a ticket before it shows overdue (min). */
        ackLimitMin: z.coerce.number().int().min(1).max(10_080).default(30),
        repairLimitMin: z.coerce.number().int().min(1).max(43_200).default(240),
        /** A repaired device must be measured healthy this long before the system verifies (s). */
        verifyHealthyS: z.coerce.number().int().min(1).max(86_400).default(60),
        /** An untouched automatic ticket whose fault cleared by itself is closed by the system after this long healthy (min); 0 = never. */
        selfClearMin: z.coerce.number().min(0).max(10_080).default(10),
        /** Node health sample interval (s). */
        healthIntervalS: z.coerce.number().int().min(5).max(3600).default(60),
        /** Free share of the data disk (%) below which a disk ticket opens. */
        diskLowPercent: z.coerce.number().min(0.1).max(90).default(5),
        /** SNTP time source ("host" or "host:port"); unset = clock drift not measured. Env XUNCHA_TIME_SERVER. */
        timeServer: z.string().regex(/^[A-Za-z0-9.\-:[\]]+$/, 'host or host:port').optional(),
        /** Clock offset (s) above which a clock-drift ticket opens. */
        clockDriftS: z.coerce.number().min(0.1).max(3600).default(5),
        /** GB code of the org node this server stands for (its NODE-SERVER ledger row); unset = root. */
        nodeOrgCode: z.string().regex(/^\d{20}$/, '20-digit GB code').optional(),
        /** Days the daily / weekly health reports are kept under <dataDir>/reports/ledger. */
        dailyReportKeepDays: z.coerce.number().int().min(1).max(3650).default(93),
        weeklyReportKeepDays: z.coerce.number().int().min(7).max(3650).default(400),
        /** Days a monthly health report is kept after its month (three exam years). */
        monthlyReportKeepDays: z.coerce.number().int().min(31).max(3650).default(1100),
      })
      .strict()
      .default({ offlineAfterS: 120, ackLimitMin: 30, repairLimitMin: 240, verifyHealthyS: 60, selfClearMin: 10, healthIntervalS: 60, diskLowPercent: 5, clockDriftS: 5, dailyReportKeepDays: 93, weeklyReportKeepDays: 400, monthlyReportKeepDays: 1100 }),
    /**
     * Duty (issue 18, docs/design/duty.md): a person checked in at a workstation from which no
     * request came for this long is checked out as idle (min). During exam and custody windows each
     * checked-in person must confirm presence (确认在岗) every `presenceConfirmMin` minutes, or is
     * checked out as absent for the two-person rule.
     */
    duty: z
      .object({ idleCheckoutMin: z.coerce.number().int().min(1).max(1440).default(30), presenceConfirmMin: z.coerce.number().int().min(1).max(720).default(30) })
      .strict()
      .default({ idleCheckoutMin: 30, presenceConfirmMin: 30 }),
    /** GB/T 28181 cascade (docs/design/cascade.md); unset = no SIP. Env: XUNCHA_SIP_*. */
    gb28181: gb28181Schema.optional(),
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
  XUNCHA_SIM_PICTURE_FAULT: 'simPictureFault',
  XUNCHA_DEMO_PROBE: 'demoProbe',
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
  if (env.XUNCHA_AUDIT_KEY_FILE) {
    const fileAudit = fromFile.audit !== null && typeof fromFile.audit === 'object' ? (fromFile.audit as Record<string, unknown>) : {};
    fromEnv.audit = { ...fileAudit, keyFile: env.XUNCHA_AUDIT_KEY_FILE };
  }
  Object.assign(fromEnv, httpSettingsFromEnv(env, fromFile));
  if (env.XUNCHA_TIME_SERVER) {
    const fileLedger = fromFile.ledger !== null && typeof fromFile.ledger === 'object' ? (fromFile.ledger as Record<string, unknown>) : {};
    fromEnv.ledger = { ...fileLedger, timeServer: env.XUNCHA_TIME_SERVER };
  }
  const sip = sipFromEnv(env, fromFile.gb28181);
  if (sip) fromEnv.gb28181 = sip;
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
  if (cfg.audit.keyFile) cfg.audit.keyFile = path.resolve(cfg.audit.keyFile);
  if (cfg.tls) cfg.tls = { certFile: path.resolve(cfg.tls.certFile), keyFile: path.resolve(cfg.tls.keyFile) };
  return cfg;
}
