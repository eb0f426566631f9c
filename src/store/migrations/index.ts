// Every migration, in order. Names sort lexically; never rename or edit one that has shipped.
import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.ts';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_recording.ts';
import * as m0003 from './0003_exams.ts';
import * as m0004 from './0004_cascade.ts';
import * as m0005 from './0005_retention.ts';
import * as m0006 from './0006_gb_sm3.ts';
import * as m0007 from './0007_tours.ts';
import * as m0009 from './0009_security.ts';
import * as m0010 from './0010_uplink.ts';
import * as m0011 from './0011_cascade_alarm_clear.ts';
import * as m0013 from './0013_readiness.ts';
import * as m0014 from './0014_audit_checkpoint.ts';
import * as m0015 from './0015_ledger.ts';
import * as m0016 from './0016_duty.ts';
import * as m0017 from './0017_console.ts';
import * as m0022 from './0022_readiness_bandwidth.ts';
import * as m0023 from './0023_export_request.ts';
import * as m0024 from './0024_wall_layout.ts';
import * as m0027 from './0027_audit_rekey.ts';
import * as m0029 from './0029_remote_business_group.ts';
import * as m0030 from './0030_readiness_cascade_bandwidth.ts';
import * as m0031 from './0031_device_health.ts';
import * as m0032 from './0032_device_probe.ts';
import * as m0033 from './0033_duty_presence.ts';
import * as m0034 from './0034_uplink_down.ts';
import * as m0035 from './0035_duty_cancel_confirm.ts';
import * as m0036 from './0036_device_reported.ts';
import * as m0037 from './0037_remote_catalog_info.ts';

export function migrationList(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_foundation': { up: m0001.up(dialect), down: m0001.down() },
    '0002_recording': { up: m0002.up(dialect), down: m0002.down() },
    '0003_exams': { up: m0003.up(dialect), down: m0003.down() },
    '0004_cascade': { up: m0004.up(dialect), down: m0004.down() },
    '0005_retention': { up: m0005.up(dialect), down: m0005.down() },
    '0006_gb_sm3': { up: m0006.up(), down: m0006.down() },
    '0007_tours': { up: m0007.up(dialect), down: m0007.down() },
    '0009_security': { up: m0009.up(), down: m0009.down() },
    '0010_uplink': { up: m0010.up(dialect), down: m0010.down() },
    '0011_cascade_alarm_clear': { up: m0011.up(), down: m0011.down() },
    '0013_readiness': { up: m0013.up(dialect), down: m0013.down() },
    '0014_audit_checkpoint': { up: m0014.up(), down: m0014.down() },
    '0015_ledger': { up: m0015.up(dialect), down: m0015.down() },
    '0016_duty': { up: m0016.up(dialect), down: m0016.down() },
    '0017_console': { up: m0017.up(), down: m0017.down() },
    '0022_readiness_bandwidth': { up: m0022.up(dialect), down: m0022.down() },
    '0023_export_request': { up: m0023.up(dialect), down: m0023.down() },
    '0024_wall_layout': { up: m0024.up(dialect), down: m0024.down() },
    '0027_audit_rekey': { up: m0027.up(), down: m0027.down() },
    '0029_remote_business_group': { up: m0029.up(), down: m0029.down() },
    '0030_readiness_cascade_bandwidth': { up: m0030.up(dialect), down: m0030.down() },
    '0031_device_health': { up: m0031.up(dialect), down: m0031.down() },
    '0032_device_probe': { up: m0032.up(), down: m0032.down() },
    '0033_duty_presence': { up: m0033.up(), down: m0033.down() },
    '0034_uplink_down': { up: m0034.up(dialect), down: m0034.down() },
    '0035_duty_cancel_confirm': { up: m0035.up(), down: m0035.down() },
    '0036_device_reported': { up: m0036.up(), down: m0036.down() },
    '0037_remote_catalog_info': { up: m0037.up(), down: m0037.down() },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrationList(dialect)) };
}
