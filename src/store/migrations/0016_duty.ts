// Duty and discipline (issue 18, docs/design/duty.md): enrolled workstations of monitoring rooms,
// the duty roster, check-ins, remote-view requests (an approved request is the grant), incidents
// and their handling at the upper, patrol notes, approved PTZ presets and custody review tasks.
// Units are in the column names (…_ms = ms since the Unix epoch) and in src/store/schema.ts.
// Users, cameras and sessions are referenced without foreign keys (duty records are history:
// deleting a user or camera must not fail on them, nor erase who was on duty); rooms cascade.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

const TABLES = ['duty_review_task', 'duty_ptz_preset', 'duty_patrol_note', 'duty_incident_handling', 'duty_incident', 'duty_view_request', 'duty_checkin', 'duty_roster', 'duty_workstation'];

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('duty_workstation'), dialect)
      .addColumn('room_id', 'integer', (c) => c.notNull().references('room.id').onDelete('cascade'))
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('credential_sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('enrolled_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('enrolled_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at_ms', 'bigint')
      .addColumn('revoked_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('duty_workstation_cred').on('duty_workstation').column('credential_sha256').unique().execute();

    await idColumn(db.schema.createTable('duty_roster'), dialect)
      .addColumn('room_id', 'integer', (c) => c.notNull().references('room.id').onDelete('cascade'))
      .addColumn('session_id', 'integer')
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('duty_role', 'varchar(16)', (c) => c.notNull())
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('duty_roster_room').on('duty_roster').columns(['room_id', 'from_ms']).execute();

    await idColumn(db.schema.createTable('duty_checkin'), dialect)
      .addColumn('room_id', 'integer', (c) => c.notNull().references('room.id').onDelete('cascade'))
      .addColumn('workstation_id', 'integer', (c) => c.notNull())
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('user_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('checked_in_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('checked_out_at_ms', 'bigint')
      .addColumn('out_reason', 'varchar(16)')
      .execute();
    await db.schema.createIndex('duty_checkin_room').on('duty_checkin').columns(['room_id', 'checked_out_at_ms']).execute();

    await idColumn(db.schema.createTable('duty_view_request'), dialect)
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('requester_id', 'integer', (c) => c.notNull())
      .addColumn('requester_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('camera_ids_json', 'text', (c) => c.notNull())
      .addColumn('room_ids_json', 'text', (c) => c.notNull())
      .addColumn('reason', 'varchar(512)', (c) => c.notNull())
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('decided_by', 'varchar(64)')
      .addColumn('decided_by_user_id', 'integer')
      .addColumn('decided_at_ms', 'bigint')
      .addColumn('decision_note', 'varchar(512)')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('duty_view_request_req').on('duty_view_request').columns(['requester_id', 'state']).execute();

    await idColumn(db.schema.createTable('duty_incident'), dialect)
      .addColumn('site_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('camera_ids_json', 'text', (c) => c.notNull())
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint', (c) => c.notNull())
      .addColumn('category', 'varchar(16)', (c) => c.notNull())
      .addColumn('description', 'varchar(2000)', (c) => c.notNull())
      .addColumn('reported_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('hold_ids_json', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('duty_incident_site').on('duty_incident').columns(['site_id', 'created_at_ms']).execute();

    await idColumn(db.schema.createTable('duty_incident_handling'), dialect)
      .addColumn('origin_code', 'varchar(20)', (c) => c.notNull())
      .addColumn('item_key', 'varchar(64)', (c) => c.notNull())
      .addColumn('scope_path', 'varchar(255)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('note', 'varchar(2000)')
      .addColumn('handled_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('handled_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('duty_incident_handling_key').on('duty_incident_handling').columns(['origin_code', 'item_key', 'handled_at_ms']).execute();

    await idColumn(db.schema.createTable('duty_patrol_note'), dialect)
      .addColumn('site_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('room_id', 'integer')
      .addColumn('camera_id', 'integer')
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('user_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('text', 'varchar(2000)', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('duty_patrol_note_site').on('duty_patrol_note').columns(['site_id', 'at_ms']).execute();

    await idColumn(db.schema.createTable('duty_ptz_preset'), dialect)
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('preset_no', 'integer', (c) => c.notNull())
      .addColumn('label', 'varchar(64)', (c) => c.notNull())
      .addColumn('approved_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('approved_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('duty_ptz_preset_key').on('duty_ptz_preset').columns(['camera_id', 'preset_no']).unique().execute();

    await idColumn(db.schema.createTable('duty_review_task'), dialect)
      .addColumn('room_id', 'integer', (c) => c.notNull().references('room.id').onDelete('cascade'))
      .addColumn('window_id', 'integer')
      .addColumn('period_from_ms', 'bigint', (c) => c.notNull())
      .addColumn('period_to_ms', 'bigint', (c) => c.notNull())
      .addColumn('due_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('signed_by', 'varchar(64)')
      .addColumn('signed_by_user_id', 'integer')
      .addColumn('signed_at_ms', 'bigint')
      .addColumn('note', 'varchar(2000)')
      .execute();
    await db.schema.createIndex('duty_review_task_room').on('duty_review_task').columns(['room_id', 'due_at_ms']).unique().execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of TABLES) await db.schema.dropTable(t).execute();
  };
}
