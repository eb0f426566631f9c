// Appends of a big wall's tiles, batched (liveEdgePolicy.ts WallProfile.appendBatchMs): each tile
// appends the fragments of the last few frame intervals in one SourceBuffer update, and every tile
// of the page at the same timer tick. An append per frame is a main-thread task and three events
// per picture: 64 tiles at 25 fps made 1,600 of them a second (issue 16, docs/benchmarks.md).

const due = new Set<() => void>();
let timer: ReturnType<typeof setTimeout> | undefined;

/** Runs `flush` (once, however often asked) within `delayMs`, with every other flush asked meanwhile. */
export function flushSoon(flush: () => void, delayMs: number): void {
  due.add(flush);
  timer ??= setTimeout(() => {
    timer = undefined;
    const now = [...due];
    due.clear();
    for (const f of now) f();
  }, delayMs);
}

/** A tile that goes away does not flush any more. */
export function cancelFlush(flush: () => void): void {
  due.delete(flush);
}
