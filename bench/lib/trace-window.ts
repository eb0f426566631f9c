// BENCH_LIVE_DIAG=trace (bench/live.ts): a Chromium trace of the first seconds of a scenario,
// summarized as busy time per thread and the main thread's heaviest event names. For finding where
// a wall's time to first frame goes; the tracing itself costs CPU, so figures of a traced run are
// not comparable with untraced ones.
import type { Page } from 'playwright-core';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { type?: string } };
}

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'media', 'blink', 'v8'].join(',');

/** Starts tracing; the returned function stops it and returns a text summary of the first windowMs. */
export async function startTraceWindow(page: Page, windowMs: number): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReturnAsStream' });
  return async () => {
    const done = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e: { stream?: string }) => resolve(e.stream ?? '')));
    await cdp.send('Tracing.end');
    const stream = await done;
    let text = '';
    for (;;) {
      const r = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
      text += r.base64Encoded ? Buffer.from(r.data, 'base64').toString('utf8') : r.data;
      if (r.eof) break;
    }
    await cdp.send('IO.close', { handle: stream });
    await cdp.detach();
    const parsed = JSON.parse(text) as TraceEvent[] | { traceEvents: TraceEvent[] };
    return summarize(Array.isArray(parsed) ? parsed : parsed.traceEvents, windowMs);
  };
}

function summarize(events: TraceEvent[], windowMs: number): string {
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
  // The window starts at the first WebSocket message event of the page (the first subscribe's socket).
  const start = Math.min(...events.filter((e) => e.name === 'WebSocketCreate' || e.name === 'WebSocketSendHandshakeRequest').map((e) => e.ts));
  const t0 = Number.isFinite(start) ? start : Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
  const inWindow = events.filter((e) => e.ph === 'X' && e.ts >= t0 && e.ts < t0 + windowMs * 1000 && e.dur !== undefined);
  const busy = new Map<string, number>();
  for (const e of inWindow) {
    if (e.cat !== 'toplevel' || !/RunTask|ThreadController/.test(e.name)) continue;
    const k = names.get(`${e.pid}:${e.tid}`) ?? `${e.pid}:${e.tid}`;
    busy.set(k, (busy.get(k) ?? 0) + e.dur! / 1000);
  }
  return `first ${windowMs} ms after the socket was created — busy ms per thread: ${fmt(busy)}\n  renderer main thread, ms by event (nested events overlap): ${top(inWindow, names, 'CrRendererMain')}\n  Media thread: ${top(inWindow, names, 'Media')}`;
}

const fmt = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');

function top(inWindow: TraceEvent[], names: Map<string, string>, thread: string): string {
  const tids = new Set([...names].filter(([, n]) => n === thread).map(([k]) => k));
  const byName = new Map<string, { ms: number; n: number }>();
  for (const e of inWindow) {
    if (!tids.has(`${e.pid}:${e.tid}`) || e.cat === 'toplevel') continue;
    const k = e.name === 'EventDispatch' ? `EventDispatch(${e.args?.data?.type ?? '?'})` : e.name;
    const v = byName.get(k) ?? { ms: 0, n: 0 };
    v.ms += e.dur! / 1000;
    v.n++;
    byName.set(k, v);
  }
  return [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 18).map(([k, v]) => `${k} ${Math.round(v.ms)} ms ×${v.n}`).join(', ');
}
