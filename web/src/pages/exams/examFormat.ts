// Number and time formats of the exam pages. Every wall-clock time is Beijing time.
import type { Lang } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import type { ExamSession } from '../../types.ts';

export type SessionState = 'pending' | 'running' | 'finished';

export function sessionState(s: { startMs: number; endMs: number }, nowMs: number): SessionState {
  if (nowMs < s.startMs) return 'pending';
  return nowMs < s.endMs ? 'running' : 'finished';
}

export const STATE_COLOR: Record<SessionState, string> = { pending: 'default', running: 'processing', finished: 'success' };

/** `2026-06-07` / `09:00` of a Beijing instant. */
export const bjDate = (ms: number): string => formatBeijing(ms).slice(0, 10);
export const bjTime = (ms: number): string => formatBeijing(ms).slice(11, 16);
export const bjTimeSec = (ms: number): string => formatBeijing(ms).slice(11, 19);

/** Same day as `ref`: `HH:mm:ss`; otherwise `MM-DD HH:mm:ss`. */
export function bjShort(ms: number, refMs: number): string {
  const full = formatBeijing(ms);
  return full.slice(0, 10) === formatBeijing(refMs).slice(0, 10) ? full.slice(11) : full.slice(5);
}

/** Coverage rounded down, as the exports do: 99.999 % never shows as 100 %. */
export function pct(ratio: number): string {
  return `${(Math.floor(ratio * 10000) / 100).toFixed(2)}%`;
}

/** `1小时02分05秒` / `1 h 02 min 05 s`; under a minute `12.3秒`. */
export function duration(ms: number, lang: Lang): string {
  const zh = lang === 'zh';
  if (ms < 60_000) return zh ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}秒` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const p = (n: number) => String(n).padStart(2, '0');
  if (zh) return h > 0 ? `${h}小时${p(m)}分${p(s)}秒` : `${m}分${p(s)}秒`;
  return h > 0 ? `${h} h ${p(m)} min ${p(s)} s` : `${m} min ${p(s)} s`;
}

/** The session to show first: the running one, else the next to start, else the last one. */
export function focusSession(sessions: readonly ExamSession[], nowMs: number): ExamSession | undefined {
  const sorted = [...sessions].sort((a, b) => a.startMs - b.startMs);
  return sorted.find((s) => sessionState(s, nowMs) === 'running') ?? sorted.find((s) => s.startMs > nowMs) ?? sorted[sorted.length - 1];
}

export function sessionLabel(s: ExamSession): string {
  return `${s.subject}（${bjDate(s.startMs).slice(5)} ${bjTime(s.startMs)}–${bjTime(s.endMs)}）`;
}

export function coverageColor(ratio: number): string {
  if (ratio >= 0.999) return '#389e0d';
  if (ratio >= 0.95) return '#d48806';
  return '#cf1322';
}
