// Chinese labels and number formats shared by the report exports. Times are Beijing time.
import type { ExamKind, RoomKind, WindowBoundSource } from '../store/schema.ts';
import { formatBeijing } from '../util/beijing-time.ts';

export const EXAM_KIND_LABELS: Record<ExamKind, string> = {
  gaokao: '普通高考',
  postgrad: '研究生招生考试',
  self_study: '高等教育自学考试',
  adult: '成人高考',
  proficiency: '学业水平考试',
  other: '其他考试',
};

export const ROOM_KIND_LABELS: Record<RoomKind, string> = { exam: '考场', lab: '机房考场', affairs: '考务室', secrecy: '试卷保密室', monitoring: '监控室', other: '其他' };

export const END_SOURCE_LABELS: Record<WindowBoundSource, string> = { default: '默认', sealed: '已封门', custody: '试卷离开', edited: '人工调整' };

export const LEVEL_LABELS = { city: '设区市', district: '县区', site: '考点' } as const;

export function pct(ratio: number): string {
  return `${(Math.floor(ratio * 10000) / 100).toFixed(2)}%`;
}

/**
 * A duration as people write it, the same everywhere in the exports: 1小时17分26秒, 5分0秒, 26秒
 * (whole seconds, rounded; 不足1秒 for a sub-second gap, which still counts).
 */
export function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total === 0) return ms > 0 ? '不足1秒' : '0秒';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}小时${m}分${s}秒`;
  return m > 0 ? `${m}分${s}秒` : `${s}秒`;
}

/** Where a camera × window stands when the report is made. */
export type LineState = 'not_started' | 'running' | 'ended';
export const LINE_STATE_LABELS: Record<LineState, string> = { not_started: '未开始', running: '进行中', ended: '已结束' };

export function lineState(l: { windowStartMs: number; windowEndMs: number }, atMs: number): LineState {
  if (atMs < l.windowStartMs) return 'not_started';
  return atMs < l.windowEndMs ? 'running' : 'ended';
}

/**
 * Where a session stands in the report: by its rooms' recording windows, not its own start and end.
 * Candidates enter (and papers arrive) before the session starts: its windows are already running
 * then, and a report made at that moment is 临时 — its header must not call the session 未开始.
 * A session without windows (no rooms in scope) falls back to its own times.
 */
export function sessionState(s: { id: number; startMs: number; endMs: number }, lines: ReadonlyArray<{ sessionId: number; windowStartMs: number; windowEndMs: number }>, atMs: number): LineState {
  const own = lines.filter((l) => l.sessionId === s.id);
  if (own.length === 0) return lineState({ windowStartMs: s.startMs, windowEndMs: s.endMs }, atMs);
  return lineState({ windowStartMs: Math.min(...own.map((l) => l.windowStartMs)), windowEndMs: Math.max(...own.map((l) => l.windowEndMs)) }, atMs);
}

/** 完整率 of something with nothing required yet is not 100 %: it has not started. */
export function coverageText(coverage: number, requiredMs: number): string {
  return requiredMs > 0 ? pct(coverage) : '未开始';
}

/** Beijing time with milliseconds, for gap bounds (R-REC-4 "exact start and end"). */
export function beijingMs(ms: number): string {
  return `${formatBeijing(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
}
