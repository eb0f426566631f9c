// Who is acting, from where, within which scope. Passed from the API into services and down to
// repositories, which filter every query by `scope`.
import type { Role } from '../store/schema.ts';

/** A subtree of the organisation, as the materialised path of its root ('/1/4/'); 'all' for the system itself. */
export type Scope = { kind: 'all' } | { kind: 'subtree'; path: string };

export interface Actor {
  userId: number | null;
  username: string;
  role: Role | 'system';
  ip: string;
  workstation: string;
  scope: Scope;
}

export const SYSTEM_ACTOR: Actor = {
  userId: null,
  username: 'system',
  role: 'system',
  ip: '-',
  workstation: '-',
  scope: { kind: 'all' },
};

export function inScope(scope: Scope, path: string): boolean {
  return scope.kind === 'all' || path.startsWith(scope.path);
}
