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

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 3);
}

export function minutes(ms: number): string {
  return (ms / 60_000).toFixed(1);
}

/** Beijing time with milliseconds, for gap bounds (R-REC-4 "exact start and end"). */
export function beijingMs(ms: number): string {
  return `${formatBeijing(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}`;
}
