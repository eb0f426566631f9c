// 录像回放: choose cameras and a day, see recorded spans and gaps on a zoomable timeline, click a
// time to play from it; several cameras (front/rear of a room) play on one clock.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, DatePicker, Empty, Select, Space, Tag, Tooltip, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import {
  CaretRightOutlined, DownloadOutlined, PauseOutlined, StepForwardOutlined, ZoomInOutlined, ZoomOutOutlined, FastForwardOutlined, FlagOutlined, ExportOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import { api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import type { OrgNode, User } from '../../types.ts';
import { ExportList, ExportModal } from './ExportPanel.tsx';
import { ExportRequestList } from './ExportRequests.tsx';
import { durationLabel, pbApi, reasonLabel } from './pbApi.ts';
import type { Band, CameraTimeline } from './pbApi.ts';
import { PlaybackPlayer } from './player.ts';
import type { PlayerState } from './player.ts';
import { GapList } from './GapList.tsx';
import { MAX_SPAN_MS, MIN_SPAN_MS, Timeline } from './Timeline.tsx';
import { clearHashParams, hashNumber, useHashLinkSeq } from '../../deepLink.ts';
import { CAMERA_STATE_COLOR, cameraStateKind, cameraStateText, sinceText, useCameraStatuses } from '../../components/CameraState.tsx';
import { useConsoleText } from '../../consoleText.ts';
import { MarkIncidentButton } from '../duty/MarkIncident.tsx';
import './playback.css';

const SPEEDS = [0.5, 1, 2, 4, 8, 16];
const MAX_CAMERAS = 4;
const todayBeijing = () => formatBeijing(Date.now()).slice(0, 10);

export function PlaybackPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const { c: ct } = useConsoleText();
  // Camera state beside each camera here too (issue 14 item 9: everywhere a camera is listed).
  const statuses = useCameraStatuses();
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  // Opened from an alarm (#/playback?cameraId=…&atMs=…): that camera, that day, from 5 s before.
  const link = useRef({ cameraId: hashNumber('cameraId'), atMs: hashNumber('atMs') });
  const [checked, setChecked] = useState<number[]>(link.current.cameraId ? [link.current.cameraId] : []);
  const [day, setDay] = useState(link.current.atMs ? formatBeijing(link.current.atMs).slice(0, 10) : todayBeijing());
  const dayStart = beijingWallToMs(`${day} 00:00:00`);
  const [view, setView] = useState<[number, number]>([dayStart, dayStart + MAX_SPAN_MS]);
  const [data, setData] = useState<CameraTimeline[]>([]);
  const [bands, setBands] = useState<Band[]>([]);
  const [error, setError] = useState<string>();
  const [state, setState] = useState<PlayerState>();
  const [exportOpen, setExportOpen] = useState(false);
  // The export range dragged on the ruler (issue 14 item 7); another day clears it.
  const [selection, setSelection] = useState<[number, number] | undefined>();
  const [listOpen, setListOpen] = useState(false);
  const [requestsOpen, setRequestsOpen] = useState(false);
  const videos = useRef(new Map<number, HTMLVideoElement>());
  const player = useRef<PlaybackPlayer | undefined>(undefined);
  const openFor = useRef('');

  const cameras = useMemo(() => {
    const all = nodes.flatMap((n) => (n.rooms ?? []).flatMap((r) => r.cameras.map((c) => ({ id: c.id, name: `${r.name} ${c.name}` }))));
    return checked.map((id) => all.find((c) => c.id === id)).filter((c): c is { id: number; name: string } => Boolean(c));
  }, [nodes, checked]);

  useEffect(() => {
    api.orgTree().then((r) => setNodes(r.nodes), (e: unknown) => setError(errorMessage(e)));
    return () => player.current?.close();
  }, []);
  useEffect(() => {
    setView([dayStart, dayStart + MAX_SPAN_MS]);
    setSelection(undefined);
  }, [dayStart]);
  useEffect(() => {
    if (cameras.length === 0) return setData([]);
    pbApi.timeline(cameras.map((c) => c.id), Math.min(view[0], dayStart), Math.max(view[1], dayStart + MAX_SPAN_MS)).then(
      (r) => {
        setData(r.cameras);
        setBands(r.bands);
        setError(undefined);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [cameras, dayStart, view]);

  const treeData: TreeDataNode[] = nodes
    .filter((n) => n.kind === 'site' && (n.rooms ?? []).some((r) => r.cameras.length > 0))
    .map((n) => ({
      key: `s${n.id}`,
      title: n.name,
      checkable: false,
      children: (n.rooms ?? []).filter((r) => r.cameras.length > 0).map((r) => ({
        key: `r${r.id}`,
        title: r.name,
        checkable: false,
        children: r.cameras.map((c) => {
          const s = statuses.get(c.id);
          const kind = cameraStateKind(s);
          const dot = <span className="xc-status-dot" data-testid={`pb-cam-dot-${c.id}`} data-state={kind} title={`${cameraStateText(s, lang, ct)} ${sinceText(s, ct)}`} style={{ background: CAMERA_STATE_COLOR[kind], marginRight: 6 }} />;
          return { key: `c${c.id}`, isLeaf: true, title: <span data-testid={`pb-cam-${c.id}`}>{dot}{c.name}</span> };
        }),
      })),
    }));

  const play = async (ms: number) => {
    const key = cameras.map((c) => c.id).join(',');
    setError(undefined);
    try {
      if (!player.current || openFor.current !== key) {
        player.current?.close();
        player.current = new PlaybackPlayer(setState);
        openFor.current = key;
        await player.current.open(cameras.map((c) => ({ ...c, video: videos.current.get(c.id)! })), ms);
      } else {
        player.current.seek(ms);
        player.current.play();
      }
    } catch (err) {
      openFor.current = '';
      setError(errorMessage(err));
    }
  };
  useEffect(() => {
    const { cameraId, atMs } = link.current;
    if (!cameraId || !atMs || !cameras.some((c) => c.id === cameraId)) return;
    link.current = { cameraId: undefined, atMs: undefined };
    clearHashParams();
    void play(atMs - 5000);
    // Once, when the linked camera is known (its <video> is rendered by then).
  }, [cameras]);
  // An alarm's 回放 clicked while this page is open: the page stays mounted, so take the link here.
  const linkSeq = useHashLinkSeq();
  useEffect(() => {
    const cameraId = hashNumber('cameraId');
    const atMs = hashNumber('atMs');
    if (!linkSeq || !cameraId || !atMs) return;
    link.current = { cameraId, atMs };
    setDay(formatBeijing(atMs).slice(0, 10));
    setChecked([cameraId]);
  }, [linkSeq]);
  const nextGap = () => {
    const clock = state?.clockMs ?? view[0];
    const next = data.flatMap((d) => d.gaps).filter((g) => g.startMs > clock + 4000).sort((x, y) => x.startMs - y.startMs)[0];
    if (next) void play(next.startMs - 3000);
  };
  /** Next event after the playback clock: an alarm, or the start of an exam window. */
  const nextEvent = () => {
    const clock = state?.clockMs ?? view[0];
    const next = bands.filter((b) => b.startMs > clock + 4000).sort((x, y) => x.startMs - y.startMs)[0];
    if (next) void play(Math.max(next.startMs - 3000, view[0]));
  };
  const zoom = (f: number) => {
    const c = state?.clockMs && state.clockMs >= view[0] && state.clockMs <= view[1] ? state.clockMs : (view[0] + view[1]) / 2;
    const span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, (view[1] - view[0]) * f));
    setView([c - span / 2, c + span / 2]);
  };

  const playing = state?.playing ?? false;
  return (
    <div className="pb-page">
      <Card size="small" className="pb-side" title={t('pbCameras')}>
        {treeData.length > 0 && <Tree
          checkable
          defaultExpandAll
          treeData={treeData}
          checkedKeys={checked.map((id) => `c${id}`)}
          selectedKeys={[]}
          onSelect={(_keys, info) => {
            // Clicking a camera's name ticks or unticks it, like its checkbox.
            const key = String(info.node.key);
            if (!key.startsWith('c')) return;
            const id = Number(key.slice(1));
            setChecked((list) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id].slice(0, MAX_CAMERAS)));
          }}
          onCheck={(keys) => {
            const list = (Array.isArray(keys) ? keys : keys.checked).map(String).filter((k) => k.startsWith('c')).map((k) => Number(k.slice(1)));
            setChecked(list.slice(0, MAX_CAMERAS));
            if (list.length > MAX_CAMERAS) setError(t('pbTooMany'));
          }}
        />}
      </Card>
      <div className="pb-main">
        <Space wrap className="pb-toolbar">
          <DatePicker allowClear={false} value={dayjs(day)} onChange={(d) => d && setDay(d.format('YYYY-MM-DD'))} data-testid="pb-date" />
          <Button icon={playing ? <PauseOutlined /> : <CaretRightOutlined />} disabled={!state} onClick={() => (playing ? player.current?.pause() : player.current?.play())} data-testid="pb-playpause">
            {playing ? t('pbPause') : t('pbPlay')}
          </Button>
          <Tooltip title={t('pbStep')}><Button icon={<StepForwardOutlined />} disabled={!state} onClick={() => player.current?.step()} /></Tooltip>
          <Select value={state?.speed ?? 1} style={{ width: 96 }} disabled={!state} onChange={(v) => player.current?.setSpeed(v)} options={SPEEDS.map((s) => ({ value: s, label: `${s}×` }))} data-testid="pb-speed" />
          <Button icon={<FastForwardOutlined />} disabled={!state} onClick={nextGap}>{t('pbNextGap')}</Button>
          <Button icon={<FlagOutlined />} disabled={!state || bands.length === 0} onClick={nextEvent} title={t('pbNextEvent')} aria-label={t('pbNextEvent')} data-testid="pb-next-event" />
          <Button icon={<ZoomInOutlined />} onClick={() => zoom(1 / 2)} data-testid="pb-zoom-in" />
          <Button icon={<ZoomOutOutlined />} onClick={() => zoom(2)} />
          <Button onClick={() => setView([dayStart, dayStart + MAX_SPAN_MS])}>{t('pbWholeDay')}</Button>
          <Typography.Text strong data-testid="pb-clock">{state ? formatBeijing(state.clockMs) : t('pbClickHint')}</Typography.Text>
          {state && state.speed > 4 && <Tag>{t('pbKeyframesOnly')}</Tag>}
          {user.role === 'admin' && (
            <>
              <Button icon={<ExportOutlined />} disabled={cameras.length === 0} onClick={() => setExportOpen(true)}>{t('pbExport')}</Button>
              <Button icon={<DownloadOutlined />} onClick={() => setListOpen(true)}>{t('pbExports')}</Button>
            </>
          )}
          {user.role !== 'admin' && <Tooltip title="您的角色没有直接导出录像的权限，可申请导出，由组长或系统管理员审批"><Button icon={<ExportOutlined />} disabled={cameras.length === 0} onClick={() => setExportOpen(true)} data-testid="pb-export-request">申请导出</Button></Tooltip>}
          <Button onClick={() => setRequestsOpen(true)} data-testid="pb-export-requests">导出申请</Button>
          <MarkIncidentButton cameraIds={checked} source="playback" atMs={() => state?.clockMs} disabled={!state} />
        </Space>
        {(error ?? state?.error) && <Alert type="error" showIcon title={error ?? state?.error} closable onClose={() => setError(undefined)} />}
        {cameras.length === 0 ? (
          <Empty description={t('pbPickHint')} style={{ marginTop: 48 }} />
        ) : (
          <>
            <div className={`pb-videos pb-n${cameras.length}`}>
              {cameras.map((c) => {
                const sv = state?.slots.find((s) => s.cameraId === c.id);
                return (
                  <div className="pb-video" key={c.id}>
                    <video ref={(el) => void (el ? videos.current.set(c.id, el) : videos.current.delete(c.id))} muted playsInline data-testid={`pb-video-${c.id}`} />
                    <div className="pb-video-name">{c.name}</div>
                    {sv?.state === 'gap' && sv.gap && (
                      <div className="pb-overlay pb-overlay-gap" data-testid="pb-gap-overlay">
                        <div>{t('pbGap')} {durationLabel(sv.gap.endMs - sv.gap.startMs, lang)}</div>
                        <div>{reasonLabel(sv.gap.reason, lang)}</div>
                        <div className="pb-sub">{formatBeijing(sv.gap.startMs).slice(11)} — {formatBeijing(sv.gap.endMs).slice(11)}{state?.skipping ? ` · ${t('pbSkipping')}` : ''}</div>
                      </div>
                    )}
                    {sv?.state === 'ended' && <div className="pb-overlay">{t('pbEnded')}（{reasonLabel(sv.endReason ?? 'no-recording', lang)}）</div>}
                    {sv?.state === 'loading' && <div className="pb-overlay pb-overlay-light">{t('pbLoading')}</div>}
                  </div>
                );
              })}
            </div>
            <Timeline cameras={cameras} data={data} bands={bands} view={view} onView={setView} cursorMs={state?.clockMs} onPick={(ms) => void play(ms)} lang={lang} selection={selection} onSelect={setSelection} />
            <GapList cameras={cameras} data={data} onPick={(ms) => void play(ms)} lang={lang} />
          </>
        )}
      </div>
      <ExportModal asRequest={user.role !== 'admin'} open={exportOpen} cameraIds={checked} cameraNames={cameras.map((c) => c.name)} range={selection ?? (state ? [state.clockMs - 60_000, state.clockMs + 60_000] : [view[0], Math.min(view[1], view[0] + 600_000)])} onClose={() => setExportOpen(false)} />
      <ExportList open={listOpen} onClose={() => setListOpen(false)} />
      <ExportRequestList open={requestsOpen} role={user.role} onClose={() => setRequestsOpen(false)} />
    </div>
  );
}
