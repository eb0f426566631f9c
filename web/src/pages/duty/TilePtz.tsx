// PTZ controls on a live wall tile (R-DIS-2, issue 18 item 5). A small 云台 button opens a panel
// with the camera's lock state from the server: outside exam/custody windows a direction pad
// (press and hold to move, release to stop), zoom and the approved presets; inside a window the
// pad is disabled, the panel says why and until when, and only the presets an administrator
// approved beforehand can be called; outside windows an administrator stores the current position as
// a named, approved preset (PtzStorePreset). A command the server refuses shows its Chinese reason. The
// server decides and audits every attempt; this component only asks and displays. Kept apart
// from the wall's own files so the wall imports it with one line.
import { useState } from 'react';
import type { MouseEvent, ReactNode } from 'react';
import { Alert, Button, Popover, Space, Spin, Tag, Typography } from 'antd';
import { AimOutlined, ArrowDownOutlined, ArrowLeftOutlined, ArrowRightOutlined, ArrowUpOutlined, LockOutlined, ZoomInOutlined, ZoomOutOutlined } from '@ant-design/icons';
import { errorMessage, request } from '../../api.ts';
import { formatBeijing } from '../../time.ts';
import type { PtzStateView } from '../../../../src/duty/ptz-service.ts';
import { useDutyText } from './dutyText.ts';
import { PtzStorePreset } from './PtzStorePreset.tsx';

type Move = { kind: 'ptz'; pan?: 'left' | 'right'; tilt?: 'up' | 'down'; zoom?: 'in' | 'out' };
type Command = Move | { kind: 'stop' } | { kind: 'preset'; action: 'call'; preset: number };

const ptzApi = {
  state: (cameraId: number) => request<PtzStateView>('GET', `/api/cameras/${cameraId}/ptz`),
  send: (cameraId: number, cmd: Command) => request<{ allowed: true; forwarded: boolean; via: string | null; error?: string }>('POST', `/api/cameras/${cameraId}/ptz`, cmd),
};
const stop = (e: MouseEvent) => e.stopPropagation();

export function TilePtz({ cameraId }: { cameraId: number }) {
  const t = useDutyText();
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<PtzStateView>();
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const [moving, setMoving] = useState(false);

  const load = async () => {
    setResult(undefined);
    try {
      setState(await ptzApi.state(cameraId));
    } catch (err) {
      setResult({ ok: false, text: errorMessage(err) });
    }
  };
  const send = async (cmd: Command) => {
    try {
      const r = await ptzApi.send(cameraId, cmd);
      if (cmd.kind !== 'stop' || !r.forwarded) setResult({ ok: r.forwarded, text: r.forwarded ? t('ptzSent') : t('ptzRecorded', { error: r.error ?? '-' }) });
    } catch (err) {
      // The server's reason (e.g. 考试时段云台已锁定：只能调用管理员事先批准的预置位…) as it is.
      setResult({ ok: false, text: errorMessage(err) });
      void ptzApi.state(cameraId).then(setState, () => undefined);
    }
  };
  const locked = state?.locked ?? false;
  const release = () => {
    if (!moving) return;
    setMoving(false);
    void send({ kind: 'stop' });
  };
  const hold = (m: Move, icon: ReactNode, testId: string, label: string) => (
    <Button size="small" icon={icon} disabled={locked || !state} aria-label={label} data-testid={testId}
      onPointerDown={() => {
        setMoving(true);
        void send(m);
      }}
      onPointerUp={release} onPointerLeave={release} />
  );

  const panel = (
    <div style={{ width: 260 }} data-testid="ptz-panel" onDoubleClick={stop}>
      {!state && !result && <Spin size="small" />}
      {state && (
        <Space direction="vertical" style={{ width: '100%' }}>
          {locked ? (
            <Alert type="warning" showIcon icon={<LockOutlined />} data-testid="ptz-locked"
              title={t('ptzLocked', { until: state.lockedUntilMs ? formatBeijing(state.lockedUntilMs).slice(11, 16) : '-' })}
              description={state.reason ?? undefined} />
          ) : (
            <Tag color="green" data-testid="ptz-free">{t('ptzFree')}</Tag>
          )}
          <Space>
            {hold({ kind: 'ptz', pan: 'left' }, <ArrowLeftOutlined />, 'ptz-left', t('ptzLeft'))}
            {hold({ kind: 'ptz', tilt: 'up' }, <ArrowUpOutlined />, 'ptz-up', t('ptzUp'))}
            {hold({ kind: 'ptz', tilt: 'down' }, <ArrowDownOutlined />, 'ptz-down', t('ptzDown'))}
            {hold({ kind: 'ptz', pan: 'right' }, <ArrowRightOutlined />, 'ptz-right', t('ptzRight'))}
            {hold({ kind: 'ptz', zoom: 'in' }, <ZoomInOutlined />, 'ptz-zoom-in', t('ptzZoomIn'))}
            {hold({ kind: 'ptz', zoom: 'out' }, <ZoomOutOutlined />, 'ptz-zoom-out', t('ptzZoomOut'))}
          </Space>
          <Typography.Text type="secondary">{locked ? t('ptzApprovedOnly') : t('ptzPresets')}</Typography.Text>
          <Space wrap>
            {state.presets.length === 0 && <Typography.Text type="secondary">{t('none')}</Typography.Text>}
            {state.presets.map((p) => (
              <Button key={p.presetNo} size="small" onClick={() => void send({ kind: 'preset', action: 'call', preset: p.presetNo })} data-testid={`ptz-preset-${p.presetNo}`}>
                {`${p.presetNo} ${p.label}`}
              </Button>
            ))}
          </Space>
          {!locked && <PtzStorePreset t={t} cameraId={cameraId} onError={(text) => setResult({ ok: false, text })} onStored={(text) => void load().then(() => setResult({ ok: true, text }))} />}
        </Space>
      )}
      {result && <Alert style={{ marginTop: 8 }} type={result.ok ? 'success' : 'error'} showIcon title={result.text} data-testid="ptz-result" />}
    </div>
  );

  return (
    <Popover content={panel} title={t('ptzTitle')} trigger="click" open={open} placement="leftBottom"
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void load();
      }}>
      <Button size="small" className="xc-tile-ptz" icon={<AimOutlined />} onDoubleClick={stop} data-testid="tile-ptz-open"
        style={{ position: 'absolute', right: 6, bottom: 26, opacity: 0.85 }}>{t('ptzTitle')}</Button>
    </Popover>
  );
}
