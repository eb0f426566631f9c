// Accounts. A user is visible to an actor when the user's node is inside the actor's scope.
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, UserTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type UserRow = Omit<UserTable, 'id'> & { id: number; org_path: string; org_name: string };

export class UserRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private base(scope: Scope) {
    let q = this.db
      .selectFrom('app_user')
      .innerJoin('org_node', 'org_node.id', 'app_user.org_node_id')
      .selectAll('app_user')
      .select(['org_node.path as org_path', 'org_node.name as org_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  list(scope: Scope): Promise<UserRow[]> {
    return this.base(scope).orderBy('app_user.username').execute();
  }

  get(scope: Scope, id: number): Promise<UserRow | undefined> {
    return this.base(scope).where('app_user.id', '=', id).executeTakeFirst();
  }

  /** Login looks a user up by name before any scope exists. */
  byUsername(username: string): Promise<UserRow | undefined> {
    return this.base({ kind: 'all' }).where('app_user.username', '=', username).executeTakeFirst();
  }

  async insert(v: Omit<UserTable, 'id'>): Promise<number> {
    const { id } = await this.db.insertInto('app_user').values(v).returning('id').executeTakeFirstOrThrow();
    return id;
  }

  async update(id: number, v: Partial<Omit<UserTable, 'id'>>): Promise<void> {
    await this.db.updateTable('app_user').set(v).where('id', '=', id).execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
