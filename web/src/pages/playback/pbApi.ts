// Playback API calls (token, timeline, exports) and the Chinese names of gap reasons.
import type { ExportJob as ServerExportJob } from '../../../../src/playback/export-service.ts';
import type { TimelineBand } from '../../../../src/playback/service.ts';
import type { CameraTimeline } from '../../../../src/recording/recording-service.ts';
import { ApiError, api } from '../../api.ts';

// The server's types (type-only imports: one source, issue 14).
export type { Span, Gap } from '../../../../src/recording/timeline.ts';
export type { CameraTimeline } from '../../../../src/recording/recording-service.ts';
export type Band = TimelineBand;
/** scopePath stays on the server (not in the answer). */
export type ExportJob = Omit<ServerExportJob, 'scopePath'>;

let csrf: string | undefined;
async function send<T>(method: string, url: string, body?: unknown): Promise<T> {
  csrf ??= (await api.me()).csrfToken;
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(method !== 'GET' ? { 'X-CSRF-Token': csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string; message?: string };
  if (!res.ok) throw new ApiError(res.status, data.error ?? `http_${res.status}`, data.message ?? res.statusText);
  return data;
}

export const pbApi = {
  token: (cameraIds: number[], fromMs: number) => send<{ token: string; wsPath: string }>('POST', '/api/playback/token', { cameraIds, fromMs: Math.round(fromMs) }),
  timeline: (cameraIds: number[], fromMs: number, toMs: number) =>
    send<{ cameras: CameraTimeline[]; bands: Band[] }>('GET', `/api/playback/timeline?cameraIds=${cameraIds.join(',')}&fromMs=${Math.floor(fromMs)}&toMs=${Math.ceil(toMs)}`),
  thumbUrl: (cameraId: number, atMs: number) => `/api/recordings/thumbnail?cameraId=${cameraId}&atMs=${Math.round(atMs)}`,
  createExport: (b: { cameraIds: number[]; fromMs: number; toMs: number; purpose: string; watermark: boolean }) => send<ExportJob>('POST', '/api/exports', b),
  exports: () => send<{ exports: ExportJob[] }>('GET', '/api/exports'),
  cancelExport: (id: string) => send<ExportJob>('POST', `/api/exports/${id}/cancel`, {}),
  downloadUrl: async (id: string) => (await send<{ url: string }>('POST', `/api/exports/${id}/token`, {})).url,
};

const REASONS_ZH: Record<string, string> = {
  eof: '连接断开', stall: '无视频数据', timeout: '超时', crash: '进程中断', 'disk-full': '磁盘已满', garbage: '数据异常',
  params: '编码参数变化', stopped: '录像停止', refused: '连接被拒绝', 'write-error': '写入失败', 'no-recording': '无录像', schedule: '非录像时段',
  'write-backlog': '磁盘写入滞后', 'timestamp-jump': '摄像机时间戳跳变',
  loss: '网络丢包', 'codec-mismatch': '编码与声明不符', protocol: '协议错误', auth: '认证失败',
  network: '网络不通', 'rtsp-status': '摄像机拒绝请求', unsupported: '不支持的编码', internal: '内部错误', 'end-of-file': '回放结束',
  'disk-pressure': '磁盘空间不足，暂停非必需录像', keyframe: '等待关键帧',
  // camera_not_ready alarms carry the camera's state as their reason (报警记录, banner).
  error: '摄像机故障', offline: '摄像机离线', connecting: '正在连接', unknown: '原因不明',
};
const REASONS_EN: Record<string, string> = {
  eof: 'connection closed', stall: 'no video data', timeout: 'timeout', crash: 'process interrupted', 'disk-full': 'disk full', garbage: 'bad data',
  params: 'codec parameters changed', stopped: 'recording stopped', refused: 'connection refused', 'write-error': 'write error', 'no-recording': 'no recording', schedule: 'outside schedule',
  'write-backlog': 'disk writes fell behind', 'timestamp-jump': 'camera timestamps jumped',
  loss: 'packet loss', 'codec-mismatch': 'codec differs from the SDP', protocol: 'protocol error', auth: 'authentication failed',
  network: 'network unreachable', 'rtsp-status': 'camera refused the request', unsupported: 'unsupported codec', internal: 'internal error', 'end-of-file': 'playback ended',
  'disk-pressure': 'low disk space, recording outside required windows paused', keyframe: 'waiting for a keyframe',
  error: 'camera fault', offline: 'camera offline', connecting: 'connecting', unknown: 'unknown',
};
export function reasonLabel(reason: string, lang: 'zh' | 'en'): string {
  return (lang === 'zh' ? REASONS_ZH : REASONS_EN)[reason] ?? reason;
}

/** "7.0 秒", "3 分 12 秒", "2 小时 5 分". */
export function durationLabel(ms: number, lang: 'zh' | 'en'): string {
  const s = ms / 1000;
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  if (lang === 'en') return h ? `${h} h ${m} min` : m ? `${m} min ${Math.round(sec)} s` : `${sec.toFixed(1)} s`;
  return h ? `${h} 小时 ${m} 分` : m ? `${m} 分 ${Math.round(sec)} 秒` : `${sec.toFixed(1)} 秒`;
}
