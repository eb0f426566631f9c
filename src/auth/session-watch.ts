// Media paths that outlive the HTTP request (live and playback WebSockets, WebRTC sessions) watch
// the login session their media token names, and are closed the moment it ends — logout, account
// disabled, role/node/password changed, lockout, expiry — instead of at their next periodic check
// (issue 13 item 5, R-SEC-4). In-process: a second process sharing the database still relies on
// the periodic checks (at most LOGIN_RECHECK_MS).
/** Media tokens carry a 16-character prefix of the session id; watchers are keyed by it. */
const KEY_LENGTH = 16;

/** Bound of the periodic re-check each media path also runs (sessions ended by another process). */
export const LOGIN_RECHECK_MS = 10_000;

export class SessionWatch {
  private readonly watchers = new Map<string, Set<() => void>>();

  /** Calls `onEnd` once when the session ends; returns the function that stops watching. */
  watch(sessionId: string, onEnd: () => void): () => void {
    const key = sessionId.slice(0, KEY_LENGTH);
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    let fired = false;
    const fn = () => {
      if (fired) return;
      fired = true;
      onEnd();
    };
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.watchers.get(key) === set) this.watchers.delete(key);
    };
  }

  /** The sessions ended (after the commit that removed them): close what watched them. */
  ended(sessionIds: readonly string[]): void {
    for (const id of sessionIds) {
      const key = id.slice(0, KEY_LENGTH);
      const set = this.watchers.get(key);
      if (!set) continue;
      this.watchers.delete(key);
      for (const fn of set) {
        try {
          fn();
        } catch {
          // One failing watcher must not keep the others open.
        }
      }
    }
  }

  /** Open watchers (tests and statistics). */
  get size(): number {
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }
}
