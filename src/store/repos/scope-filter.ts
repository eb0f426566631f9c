// The one place that turns a Scope into SQL. Paths hold only digits and '/', so a LIKE prefix
// needs no escaping.
import type { Scope } from '../../auth/actor.ts';

export function scopePrefix(scope: Scope): string | undefined {
  return scope.kind === 'all' ? undefined : `${scope.path}%`;
}
