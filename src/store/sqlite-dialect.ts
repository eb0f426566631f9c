// Kysely's SQLite dialect, except that a rollback after SQLite already rolled the transaction back
// by itself (SQLITE_FULL, SQLITE_IOERR… end the transaction) is skipped: otherwise Kysely's
// "cannot rollback - no transaction is active" replaces the real error ("database or disk is
// full"), and the log tells an operator nothing (issue 12).
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely';

export class HonestRollbackSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly raw: BetterSqlite3.Database,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const raw = this.raw;
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection: DatabaseConnection): Promise<void> => {
      if (!raw.inTransaction) return;
      await rollback(connection);
    };
    return driver;
  }
}
