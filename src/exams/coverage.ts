// Completeness of one camera over one required window, from recording runs alone (R-REC-4): runs
// are intervals [start, end ?? now); whatever of the window they do not cover is a gap, whose
// reason is the end reason of the run before it. Never from alarms: the runs are the evidence.

export interface RunInterval {
  startMs: number;
  /** Media end; null while the run is open (counts until now). */
  endMs: number | null;
  endReason: string | null;
}

export interface Gap {
  startMs: number;
  endMs: number;
  lengthMs: number;
  /** end_reason of the run before the gap, or 'not started' / 'no recording' / 'no camera'. */
  reason: string;
  /** The gap reaches now inside a running window: it may still grow. */
  ongoing: boolean;
}

export interface Coverage {
  windowStartMs: number;
  windowEndMs: number;
  /** The window up to now while it runs; the whole window after. */
  evaluatedEndMs: number;
  requiredMs: number;
  recordedMs: number;
  /** recordedMs / requiredMs, 0..1; 1 when nothing is required yet. */
  coverage: number;
  gaps: Gap[];
  inProgress: boolean;
}

export const REASON_LABELS: Record<string, string> = {
  'not started': '未开始录像',
  'no recording': '无录像',
  'no camera': '无摄像机',
  stall: '视频流停滞',
  eof: '连接被关闭',
  timeout: '连接超时',
  garbage: '数据异常',
  params: '编码参数变化',
  stopped: '录像被停止',
  crash: '程序异常退出',
  refused: '连接被拒绝',
  auth: '认证失败',
  loss: '网络丢包',
  'codec-mismatch': '编码与声明不符',
  'timestamp-jump': '摄像机时间戳跳变',
  protocol: '协议错误',
  // camera_not_ready alarms carry the camera's state as their reason (the alarm Excel uses these too).
  error: '摄像机故障',
  offline: '摄像机离线',
  connecting: '正在连接',
  unknown: '原因不明',
};

export function reasonLabel(reason: string): string {
  const zh = REASON_LABELS[reason];
  return zh ? `${zh} (${reason})` : reason;
}

export function coverageOf(window: { startMs: number; endMs: number }, runs: readonly RunInterval[], nowMs: number, opts: { noCamera?: boolean } = {}): Coverage {
  const evalEnd = Math.max(window.startMs, Math.min(window.endMs, nowMs));
  const inProgress = nowMs < window.endMs;
  const gaps: Gap[] = [];
  const addGap = (s: number, e: number, reason: string) => {
    if (e > s) gaps.push({ startMs: s, endMs: e, lengthMs: e - s, reason, ongoing: inProgress && e === evalEnd && e === nowMs });
  };
  const sorted = [...runs].sort((a, b) => a.startMs - b.startMs);
  let cursor = window.startMs;
  let prevReason = 'not started';
  let any = false;
  for (const run of sorted) {
    const s = Math.max(run.startMs, window.startMs);
    const e = Math.min(run.endMs ?? nowMs, evalEnd);
    if (e <= s) continue; // before the window, or after the evaluated part
    if (s > cursor) addGap(cursor, s, prevReason);
    any = true;
    cursor = Math.max(cursor, e);
    prevReason = run.endReason ?? 'unknown';
  }
  if (!any) addGap(window.startMs, evalEnd, opts.noCamera ? 'no camera' : 'no recording');
  else if (cursor < evalEnd) addGap(cursor, evalEnd, prevReason);
  const requiredMs = evalEnd - window.startMs;
  const missing = gaps.reduce((n, g) => n + g.lengthMs, 0);
  const recordedMs = requiredMs - missing;
  return { windowStartMs: window.startMs, windowEndMs: window.endMs, evaluatedEndMs: evalEnd, requiredMs, recordedMs, coverage: requiredMs > 0 ? recordedMs / requiredMs : 1, gaps, inProgress };
}
