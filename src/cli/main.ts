// The `xuncha` command line.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { createApp } from '../app.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { hashPassword, passwordProblems } from '../auth/password.ts';
import { ROLES } from '../auth/roles.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import type { Config } from '../config/config.ts';
import { CHECKPOINT_TOPIC, checkpointKey, lastPublishedCheckpointSeq, parseCheckpoints } from '../audit/checkpoints.ts';
import { deriveKeys, loadAuditKeyFile, loadMasterKey } from '../crypto/keys.ts';
import { createRetentionModule } from '../retention/index.ts';
import { createUplinkModule } from '../uplink/index.ts';
import { repos } from '../store/repos/index.ts';
import type { Role } from '../store/schema.ts';
import { VERSION } from '../version.ts';
import { EXIT } from './exit-codes.ts';
import { serve } from './serve.ts';

function config(opts: { config?: string }): Config {
  return loadConfig({ file: opts.config });
}

async function withApp<T>(opts: { config?: string }, fn: (app: Awaited<ReturnType<typeof createApp>>) => Promise<T>): Promise<T> {
  const app = await createApp(config(opts));
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

function readPassword(): string {
  const pw = process.env.XUNCHA_NEW_PASSWORD;
  if (!pw) throw new Error('set the new password in XUNCHA_NEW_PASSWORD (kept out of shell history and process lists)');
  return pw;
}

const program = new Command('xuncha').version(VERSION).description('巡查 exam-site online video patrol system').option('-c, --config <file>', 'configuration file (default ./xuncha.yaml)');
program.exitOverride();

program
  .command('serve')
  .description('run this node: API, web console, recording')
  .action(async () => {
    const code = await serve(config(program.opts()));
    process.exitCode = code;
    // A stuck shutdown step leaves handles open; the process must still end.
    if (code === EXIT.shutdownTimeout) process.exit(code);
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    await withApp(program.opts(), () => Promise.resolve());
    console.log('database schema is up to date');
  });

program
  .command('config')
  .command('check')
  .description('validate configuration and print the effective settings')
  .action(() => {
    const cfg = config(program.opts());
    const sip = cfg.gb28181 && { ...cfg.gb28181, password: cfg.gb28181.password ? '[set]' : undefined, upper: cfg.gb28181.upper && { ...cfg.gb28181.upper, password: '[set]' } };
    console.log(JSON.stringify({ ...cfg, adminPassword: cfg.adminPassword ? '[set]' : undefined, databaseUrl: cfg.databaseUrl?.replace(/\/\/[^@/]*@/, '//[credentials]@'), gb28181: sip }, null, 2));
    // The node-to-node channel (docs/design/uplink.md) carries what GB/T 28181 cannot: say when it is off.
    if (cfg.gb28181?.upper && !cfg.gb28181.upper.uplinkUrl) {
      console.error('note: gb28181.upper is set but gb28181.upper.uplinkUrl (XUNCHA_SIP_UPPER_UPLINK_URL) is not: readiness, ledger, faults and audit checkpoints will not reach the upper level');
    }
  });

const user = program.command('user').description('manage accounts');
user
  .command('list')
  .action(async () => {
    await withApp(program.opts(), async (app) => {
      for (const u of await repos(app.store.db).users.list({ kind: 'all' })) console.log(`${u.username}\t${u.role}\t${u.org_name}\t${u.disabled ? 'disabled' : 'active'}`);
    });
  });
user
  .command('add <username> <role> <orgGbCode>')
  .description(`create an account (role: ${ROLES.join('|')}); password from XUNCHA_NEW_PASSWORD`)
  .option('--name <displayName>')
  .action(async (username: string, role: string, orgGbCode: string, o: { name?: string }) => {
    if (!ROLES.includes(role as Role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
    const password = readPassword();
    const problems = passwordProblems(password, username);
    if (problems.length) throw new Error(problems.join('; '));
    await withApp(program.opts(), async (app) => {
      const r = repos(app.store.db);
      const node = await r.org.getByGbCode({ kind: 'all' }, orgGbCode);
      if (!node) throw new Error(`no organisation node with code ${orgGbCode}`);
      const now = app.clock.nowMs();
      const hash = await hashPassword(password);
      await app.store.db.transaction().execute(async (trx) => {
        const id = await repos(trx).users.insert({ username, display_name: o.name ?? username, password_hash: hash, role: role as Role, org_node_id: node.id, disabled: 0, failed_logins: 0, locked_until_ms: null, totp_secret_enc: null, totp_enabled: 0, totp_last_step: null, must_change_password: 0, password_changed_at_ms: now, created_at_ms: now });
        await app.audit.append(trx, { ...SYSTEM_ACTOR, workstation: 'cli' }, { action: 'user.create', objectType: 'user', objectId: id, scopePath: node.path, detail: { username, role, via: 'cli' } });
      });
      console.log(`created ${username} (${role}) at ${node.name}`);
    });
  });
user
  .command('passwd <username>')
  .description('set a password (from XUNCHA_NEW_PASSWORD) and unlock the account')
  .action(async (username: string) => {
    const password = readPassword();
    const problems = passwordProblems(password, username);
    if (problems.length) throw new Error(problems.join('; '));
    await withApp(program.opts(), async (app) => {
      const u = await repos(app.store.db).users.byUsername(username);
      if (!u) throw new Error(`no user ${username}`);
      const hash = await hashPassword(password);
      await app.store.db.transaction().execute(async (trx) => {
        await repos(trx).users.update(u.id, { password_hash: hash, password_changed_at_ms: app.clock.nowMs(), failed_logins: 0, locked_until_ms: null });
        await repos(trx).sessions.deleteForUser(u.id);
        await app.audit.append(trx, { ...SYSTEM_ACTOR, workstation: 'cli' }, { action: 'user.update', objectType: 'user', objectId: u.id, scopePath: u.org_path, detail: { passwordChanged: true, via: 'cli' } });
      });
      console.log(`password of ${username} changed`);
    });
  });

const auditCommand = program.command('audit').description('the audit hash chain (R-ACC-1)');
auditCommand
  .command('verify')
  .description('check the audit hash chain; exit 0 when intact, 6 naming the first bad record otherwise')
  .option('--against-checkpoints <file>', "also check against the upper level's checkpoints (its GET /api/uplink/items?topic=audit.checkpoint answer, or a JSON list of {seq, hash})")
  .option('--origin <code>', 'only the checkpoints of this origin code (default: the root node of this tree)')
  .action(async (o: { againstCheckpoints?: string; origin?: string }) => {
    await withApp(program.opts(), async (app) => {
      if (!o.againstCheckpoints) {
        const result = await app.audit.verify();
        if (result.ok) console.log(`audit chain intact: ${result.checked} records`);
        else {
          console.error(`audit chain BROKEN at record ${result.firstBadSeq}: ${result.reason} (${result.checked} records verified before it)`);
          process.exitCode = EXIT.auditBroken;
        }
        return;
      }
      const root = await repos(app.store.db).org.rootPath();
      const origin = o.origin ?? (root ? (await app.store.db.selectFrom('org_node').select('gb_code').where('path', '=', root).executeTakeFirst())?.gb_code : undefined);
      let parsed;
      try {
        parsed = parseCheckpoints(readFileSync(o.againstCheckpoints, 'utf8'), origin ?? undefined);
      } catch (err) {
        console.error(`cannot read checkpoints from ${o.againstCheckpoints}: ${(err as Error).message}`);
        process.exitCode = EXIT.config;
        return;
      }
      const result = await app.audit.verifyAgainst(parsed.claims);
      if (result.ok && result.checkpoints === 0) {
        console.error(`no checkpoint of this node in ${o.againstCheckpoints} (${result.foreign} with another key, ${parsed.skipped} of other origins or topics): nothing to compare`);
        process.exitCode = EXIT.auditBroken;
      } else if (result.ok) console.log(`audit chain intact: ${result.checked} records, consistent with ${result.checkpoints} checkpoints of the upper level`);
      else {
        console.error(`audit chain BROKEN at record ${result.firstBadSeq}: ${result.reason} (${result.checked} records verified)`);
        process.exitCode = EXIT.auditBroken;
      }
    });
  });
auditCommand
  .command('rekey')
  .description('rotate the audit key: after pointing audit.keyFile at a new key, seal the chain written with the old one (run with the node stopped)')
  .option('--old-key-file <file>', 'the previous audit.keyFile (32 bytes base64)')
  .option('--old-key-derived', 'the previous key was derived from the master key (no audit.keyFile was set)')
  .action(async (o: { oldKeyFile?: string; oldKeyDerived?: boolean }) => {
    if (!o.oldKeyFile === !o.oldKeyDerived) {
      console.error('give exactly one of --old-key-file <file> and --old-key-derived');
      process.exitCode = EXIT.config;
      return;
    }
    await withApp(program.opts(), async (app) => {
      const old = o.oldKeyFile ? loadAuditKeyFile(o.oldKeyFile) : deriveKeys(loadMasterKey(app.config.dataDir, process.env.XUNCHA_SECRET_KEY)).audit;
      try {
        const r = await app.audit.rekey(old);
        console.log(`audit key rotated from ${r.fromKeyId} to ${r.toKeyId} at record ${r.seq}; the old key is no longer needed to verify the log`);
        if (r.priorChain !== 'intact') {
          console.error(`note: the chain did not verify before the rotation (record ${r.priorChain.firstBadSeq}: ${r.priorChain.reason}); \`audit verify\` keeps reporting it`);
          process.exitCode = EXIT.auditBroken;
        }
      } catch (err) {
        console.error(`audit key not rotated: ${(err as Error).message}`);
        process.exitCode = EXIT.failure;
      }
    });
  });
auditCommand
  .command('checkpoint')
  .description('queue a signed checkpoint of the audit head for the upper level now (the running server sends it)')
  .action(async () => {
    await withApp(program.opts(), async (app) => {
      const cp = await app.audit.checkpoint(await lastPublishedCheckpointSeq(app.store.db));
      const root = await repos(app.store.db).org.rootPath();
      if (!root) {
        console.error('no organisation tree yet: nothing to attach the checkpoint to');
        process.exitCode = EXIT.failure;
        return;
      }
      await createUplinkModule(app).service.publishNow({ topic: CHECKPOINT_TOPIC, key: checkpointKey(cp.seq), body: cp, scopePath: root });
      console.log(`audit checkpoint at record ${cp.seq} queued for the upper level`);
    });
  });

program
  .command('verify-export <dir>')
  .description('check an export folder against its signed manifest; exit 0 when intact, 1 naming each changed or missing file')
  .action(async (dir: string) => {
    const { verifyExportCommand } = await import('./verify-export.ts');
    process.exitCode = await verifyExportCommand(dir, config(program.opts()));
  });

program
  .command('verify-recordings')
  .description('compare the recording index with the files; exit 0 when they agree, 1 listing every hole, missing file, damaged tail or mismatch')
  .option('--camera <id>', 'one camera')
  .option('--from <time>', 'start (Beijing "YYYY-MM-DD HH:mm:ss", ISO with zone, or ms)')
  .option('--to <time>', 'end (same forms)')
  .option('--quick', 'read fragment headers only, not every video sample')
  .action(async (o: { camera?: string; from?: string; to?: string; quick?: boolean }) => {
    const { verifyRecordingsCommand } = await import('./verify-recordings.ts');
    process.exitCode = await verifyRecordingsCommand(o, config(program.opts()));
  });

program
  .command('backup')
  .command('verify [id]')
  .description('re-hash backup copies (one backup, or every finished one); exit 0 when intact, 1 naming each missing or changed file')
  .action(async (id?: string) => {
    await withApp(program.opts(), async (app) => {
      const m = createRetentionModule(app, { gate: null });
      const actor = { ...SYSTEM_ACTOR, workstation: 'cli' };
      const ids = id ? [Number(id)] : (await m.backups.list(actor)).filter((b) => b.state !== 'running').map((b) => b.id);
      if (ids.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`not a backup id: ${id}`);
      let bad = 0;
      for (const backupId of ids) {
        const result = await m.verifyBackup(actor, backupId);
        if (result.ok) console.log(`backup ${backupId} intact: ${result.checked} files`);
        else {
          bad++;
          for (const p of result.problems) console.error(`backup ${backupId} BAD: ${p.problem}: ${p.copy} (recording ${p.relPath})`);
        }
      }
      if (ids.length === 0) console.log('no finished backups');
      if (bad > 0) process.exitCode = EXIT.failure;
    });
  });

program
  .command('sim')
  .description('run simulated cameras (RTSP) for demos and tests')
  .allowUnknownOption()
  .allowExcessArguments()
  .helpOption(false)
  .action(async () => {
    const { main } = await import('../sim/cli.ts');
    process.exitCode = await main(process.argv.slice(process.argv.indexOf('sim') + 1));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as { code?: string; exitCode?: number };
  if (e.code?.startsWith('commander.')) process.exitCode = e.exitCode ?? EXIT.failure;
  else if (err instanceof ConfigError) {
    console.error(err.message);
    process.exitCode = EXIT.config;
  } else {
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = EXIT.failure;
  }
}
