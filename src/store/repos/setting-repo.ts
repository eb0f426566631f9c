// Small key/value settings of the node (e.g. whether the sample organisation was seeded).
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export class SettingRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async set(key: string, value: string): Promise<void> {
    const exists = await this.get(key);
    if (exists === undefined) await this.db.insertInto('setting').values({ key, value }).execute();
    else await this.db.updateTable('setting').set({ value }).where('key', '=', key).execute();
  }
}
