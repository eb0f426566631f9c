// Which node this installation is (issue 14 item 15): the name and level of the root of its own
// organisation tree, so that two nodes open in two browser tabs can be told apart (title, header).
import type { Kysely } from 'kysely';
import type { Database, OrgNodeKind } from '../store/schema.ts';
import { repos } from '../store/repos/index.ts';

export interface NodeIdentity {
  name: string;
  kind: OrgNodeKind;
  /** Level as staff say it: 省级 / 市级 / 区县 / 考点. */
  levelLabel: string;
}

export const LEVEL_LABELS: Record<OrgNodeKind, string> = { province: '省级', city: '市级', district: '区县', site: '考点' };

export async function nodeIdentity(db: Kysely<Database>): Promise<NodeIdentity | undefined> {
  const root = await repos(db).org.root();
  return root ? { name: root.name, kind: root.kind, levelLabel: LEVEL_LABELS[root.kind] } : undefined;
}
