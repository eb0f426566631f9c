// A camera's state as words, wherever a camera is listed (org pages, wall tree, wall tile):
// 录像中 / 在线 / 故障（原因）/ 连接中 / 已停止, with since when (Beijing time). Only a camera whose
// frames flow is green: a camera in error (garbage, codec mismatch…) is red even if it "records".
import { useEffect, useState } from 'react';
import { Tag, Tooltip } from 'antd';
import { useConsoleText } from '../consoleText.ts';
import type { CText } from '../consoleText.ts';
import { formatBeijing } from '../time.ts';
import { reasonLabel } from '../pages/playback/pbApi.ts';
import { fetchStatuses } from '../pages/wall/wallModel.ts';
import type { CameraStatusView } from '../pages/wall/wallModel.ts';

export type CameraStateKind = 'recording' | 'online' | 'error' | 'connecting' | 'stopped' | 'unknown';

export const CAMERA_STATE_COLOR: Record<CameraStateKind, string> = {
  recording: '#52c41a', online: '#1677ff', error: '#ff4d4f', connecting: '#faad14', stopped: '#8c8c8c', unknown: '#bfbfbf',
};

export function cameraStateKind(s?: CameraStatusView): CameraStateKind {
  if (!s) return 'unknown';
  if (s.state === 'online') return s.recording ? 'recording' : 'online';
  return s.state;
}

/** Retries sooner than this are not worth a word (the open backoff is ≤ 1 s). */
const RETRY_SHOWN_FROM_MS = 5000;

/** "3 分钟后重试" / "40 秒后重试", or '' when the next try is (almost) now. */
export function retryText(s: CameraStatusView | undefined, t: CText, nowMs = Date.now()): string {
  if (s?.state !== 'error' || s.retryAtMs === undefined) return '';
  const inMs = s.retryAtMs - nowMs;
  if (inMs < RETRY_SHOWN_FROM_MS) return '';
  return inMs >= 60_000 ? t('retryInMin', { n: Math.ceil(inMs / 60_000) }) : t('retryInS', { n: Math.ceil(inMs / 1000) });
}

/**
 * "故障：认证失败，3 分钟后重试", "在线（未录像：磁盘已满）" — the words a tag or a tooltip shows
 * (issue 12: an account refused by the camera is retried after minutes, and the console says so).
 */
export function cameraStateText(s: CameraStatusView | undefined, lang: 'zh' | 'en', t: CText): string {
  const kind = cameraStateKind(s);
  if (kind === 'online' && s?.recordingHeld) return t('camState_onlineHeld', { why: reasonLabel(s.recordingHeld, lang) });
  const base = t(`camState_${kind}`);
  const why = kind === 'error' && s?.reason ? `${lang === 'zh' ? '：' : ': '}${reasonLabel(s.reason, lang)}` : '';
  const retry = retryText(s, t);
  return `${base}${why}${retry ? `${lang === 'zh' ? '，' : ', '}${retry}` : ''}`;
}

export function sinceText(s: CameraStatusView | undefined, t: CText): string {
  return s?.atMs ? t('camStateSince', { at: formatBeijing(s.atMs).slice(5) }) : '';
}

export function CameraStateTag({ status, testId }: { status?: CameraStatusView; testId?: string }) {
  const { c: t, lang } = useConsoleText();
  const kind = cameraStateKind(status);
  const since = sinceText(status, t);
  return (
    <Tooltip title={status?.detail}>
      <Tag color={CAMERA_STATE_COLOR[kind]} data-testid={testId} data-state={kind} style={{ marginInlineEnd: 0 }}>
        {cameraStateText(status, lang, t)}
        {since && <span style={{ marginLeft: 6, opacity: 0.85 }}>{since}</span>}
      </Tag>
    </Tooltip>
  );
}

/** Camera states in my scope, refreshed every 5 s while the component is shown. */
export function useCameraStatuses(): Map<number, CameraStatusView> {
  const [statuses, setStatuses] = useState<Map<number, CameraStatusView>>(new Map());
  useEffect(() => {
    let stop = false;
    const poll = () => void fetchStatuses().then((m) => !stop && setStatuses(m), () => undefined);
    poll();
    const id = window.setInterval(poll, 5000);
    return () => {
      stop = true;
      window.clearInterval(id);
    };
  }, []);
  return statuses;
}
