// Exam readiness (issue 17, docs/design/readiness.md): campaigns with contacts, per-camera probe
// results, signed reference snapshots, checklist templates and signed items. Units are in the
// column names and in src/store/schema.ts. Cameras, rooms and sites are referenced by id without
// foreign keys (results are history; deleting a device must not fail on them); a campaign goes
// with its org node.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('readiness_campaign'), dialect)
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('exam_id', 'integer')
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('checks', 'varchar(16)', (c) => c.notNull())
      .addColumn('origin', 'varchar(16)', (c) => c.notNull())
      .addColumn('deadline_ms', 'bigint', (c) => c.notNull())
      .addColumn('profile_json', 'text', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull().defaultTo('open'))
      .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('readiness_campaign_node').on('readiness_campaign').column('org_node_id').execute();
    // Timetable campaigns are made once per exam and kind of check; manual ones have exam_id too but origin 'manual'.
    await db.schema.createIndex('readiness_campaign_auto').on('readiness_campaign').columns(['exam_id', 'checks', 'origin']).execute();

    await idColumn(db.schema.createTable('readiness_contact'), dialect)
      .addColumn('campaign_id', 'integer', (c) => c.notNull().references('readiness_campaign.id').onDelete('cascade'))
      .addColumn('org_node_id', 'integer', (c) => c.notNull())
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('phone', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('readiness_contact_node').on('readiness_contact').columns(['campaign_id', 'org_node_id']).unique().execute();

    await idColumn(db.schema.createTable('readiness_result'), dialect)
      .addColumn('campaign_id', 'integer', (c) => c.notNull().references('readiness_campaign.id').onDelete('cascade'))
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('probe', 'varchar(16)', (c) => c.notNull())
      .addColumn('verdict', 'varchar(8)', (c) => c.notNull())
      .addColumn('value', 'varchar(256)', (c) => c.notNull())
      .addColumn('rule', 'varchar(256)', (c) => c.notNull())
      .addColumn('reason', 'varchar(512)')
      .addColumn('measured_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('readiness_result_key').on('readiness_result').columns(['campaign_id', 'camera_id', 'probe']).unique().execute();

    await idColumn(db.schema.createTable('readiness_reference'), dialect)
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('image_jpeg_b64', 'text', (c) => c.notNull())
      .addColumn('thumb_gray_b64', 'text', (c) => c.notNull())
      .addColumn('signer_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('signed_by_user_id', 'integer')
      .addColumn('signed_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('camera_updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('readiness_reference_camera').on('readiness_reference').column('camera_id').unique().execute();

    await idColumn(db.schema.createTable('checklist_template'), dialect)
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('requirement', 'varchar(16)', (c) => c.notNull())
      .addColumn('title', 'varchar(128)', (c) => c.notNull())
      .addColumn('checks', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('checklist_template_node').on('checklist_template').column('org_node_id').execute();

    await idColumn(db.schema.createTable('checklist_template_item'), dialect)
      .addColumn('template_id', 'integer', (c) => c.notNull().references('checklist_template.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('text', 'varchar(256)', (c) => c.notNull())
      .addColumn('per', 'varchar(16)', (c) => c.notNull())
      .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('checklist_template_item_pos').on('checklist_template_item').columns(['template_id', 'position']).execute();

    await idColumn(db.schema.createTable('checklist_signature'), dialect)
      .addColumn('campaign_id', 'integer', (c) => c.notNull().references('readiness_campaign.id').onDelete('cascade'))
      .addColumn('item_id', 'integer', (c) => c.notNull().references('checklist_template_item.id'))
      .addColumn('site_id', 'integer', (c) => c.notNull())
      .addColumn('subject', 'varchar(64)', (c) => c.notNull())
      .addColumn('outcome', 'varchar(8)', (c) => c.notNull())
      .addColumn('signer_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('signed_by_user_id', 'integer')
      .addColumn('signed_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('note', 'varchar(512)')
      .addColumn('file_name', 'varchar(128)')
      .addColumn('file_sha256', 'varchar(64)')
      .addColumn('file_b64', 'text')
      .execute();
    await db.schema.createIndex('checklist_signature_key').on('checklist_signature').columns(['campaign_id', 'item_id', 'site_id', 'subject']).unique().execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['checklist_signature', 'checklist_template_item', 'checklist_template', 'readiness_reference', 'readiness_result', 'readiness_contact', 'readiness_campaign']) await db.schema.dropTable(t).execute();
  };
}
