// The two SQL dialects we run on. Only the store layer knows about them.
import type { CreateTableBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Adds an auto-incrementing integer primary key `id` in the dialect's own way. */
export function idColumn<T extends string>(builder: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'serial', (c) => c.primaryKey());
}

/** Binary column type: BLOB in SQLite, BYTEA in PostgreSQL. */
export function blobType(dialect: Dialect): 'blob' | 'bytea' {
  return dialect === 'sqlite' ? 'blob' : 'bytea';
}
