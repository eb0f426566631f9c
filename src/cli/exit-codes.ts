// Process exit codes, documented in README so that service managers can react to them.
export const EXIT = {
  ok: 0,
  failure: 1,
  config: 2,
  portInUse: 3,
  dataDir: 4,
  database: 5,
  auditBroken: 6,
  /** Graceful shutdown did not finish in 10 s; the process exits anyway. */
  shutdownTimeout: 7,
} as const;
