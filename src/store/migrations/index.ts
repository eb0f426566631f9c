// Every migration, in order. Names sort lexically; never rename or edit one that has shipped.
import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.ts';
import * as m0001 from './0001_foundation.ts';

export function migrationList(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_foundation': { up: m0001.up(dialect), down: m0001.down() },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrationList(dialect)) };
}
