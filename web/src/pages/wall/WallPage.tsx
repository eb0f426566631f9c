// 视频墙: live tiles on one multiplexed socket (sub stream; double-click = full screen on the main
// stream), camera tree with drag and drop, layouts 1–36, tours (轮巡) with keyboard shortcuts.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Segmented, Space } from 'antd';
import { ClearOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { User } from '../../types.ts';
import { CameraTree } from './CameraTree.tsx';
import { LiveClient } from './liveClient.ts';
import { Tile } from './Tile.tsx';
import { TourBar } from './TourBar.tsx';
import { LAYOUTS, TokenCache, fetchStatuses, loadTours, pageOf, saveTours, tourCameras, wallSites } from './wallModel.ts';
import type { CameraStatusView, Tour, WallCamera, WallSite } from './wallModel.ts';
import './wall.css';

export function WallPage({ user }: { user: User }) {
  const { t } = useI18n();
  const client = useMemo(() => new LiveClient(), []);
  const tokens = useMemo(() => new TokenCache(), []);
  const [sites, setSites] = useState<WallSite[]>([]);
  const [error, setError] = useState<string>();
  const [statuses, setStatuses] = useState<Map<number, CameraStatusView>>(new Map());
  const [layout, setLayout] = useState<number>(() => Number(localStorage.getItem('xuncha.wall.layout')) || 16);
  const [cells, setCells] = useState<(number | null)[]>(() => Array<number | null>(36).fill(null));
  const [tours, setTours] = useState<Tour[]>(() => loadTours(user.username));
  const [tourId, setTourId] = useState<string>();
  const [running, setRunning] = useState(false);
  const [page, setPage] = useState(0);
  const [full, setFull] = useState<WallCamera>();

  useEffect(() => () => client.close(), [client]);
  useEffect(() => {
    api.orgTree().then((r) => setSites(wallSites(r.nodes)), (e: unknown) => setError(errorMessage(e)));
  }, []);
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
  useEffect(() => localStorage.setItem('xuncha.wall.layout', String(layout)), [layout]);

  const byId = useMemo(() => new Map(sites.flatMap((s) => s.rooms.flatMap((r) => r.cameras)).map((c) => [c.id, c])), [sites]);
  const tour = tours.find((x) => x.id === tourId);
  const tourList = useMemo(() => (tour ? tourCameras(tour, sites) : []), [tour, sites]);
  const pages = Math.ceil(tourList.length / layout);
  const shown: (WallCamera | undefined)[] = tour
    ? Array.from({ length: layout }, (_, i) => pageOf(tourList, page, layout)[i])
    : cells.slice(0, layout).map((id) => (id === null ? undefined : byId.get(id)));

  const step = useCallback((d: number) => setPage((p) => (pages > 0 ? (p + d + pages) % pages : 0)), [pages]);
  useEffect(() => {
    if (!tour || !running) return;
    const id = window.setInterval(() => step(1), tour.intervalS * 1000);
    return () => window.clearInterval(id);
  }, [tour, running, step]);
  useEffect(() => {
    // Warm one token for the whole page so tiles do not each ask for one.
    const ids = shown.filter((c): c is WallCamera => Boolean(c)).map((c) => c.id);
    if (ids.length > 0) void tokens.get(ids, 'sub').catch(() => undefined);
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (!tour || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable || document.querySelector('.ant-modal-wrap')) return;
      if (e.key === ' ') {
        e.preventDefault();
        setRunning((r) => !r);
      } else if (e.key === 'ArrowRight') step(1);
      else if (e.key === 'ArrowLeft') step(-1);
      else if (e.key === 'Escape') setFull(undefined);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tour, step]);

  const place = (index: number, ids: number[]) => {
    setTourId(undefined);
    setCells((prev) => {
      const next = [...prev];
      ids.slice(0, layout - index).forEach((id, k) => (next[index + k] = id));
      return next;
    });
  };
  const addNext = (ids: number[]) => {
    const free = cells.slice(0, layout).indexOf(null);
    place(free < 0 ? 0 : free, ids);
  };
  const saveAll = (list: Tour[]) => {
    setTours(list);
    saveTours(user.username, list);
  };
  const cols = Math.sqrt(layout);

  return (
    <div className="xc-wall">
      <CameraTree sites={sites} statuses={statuses} onAdd={addNext} />
      <div className="xc-wall-main">
        <div className="xc-wall-bar">
          <Space size={8} wrap>
            <span>{t('wallLayout')}</span>
            <Segmented value={layout} onChange={(v) => { setLayout(Number(v)); setPage(0); }} options={LAYOUTS.map((n) => ({ value: n, label: <span data-testid={`layout-${n}`}>{n}</span> }))} />
            <Button icon={<ClearOutlined />} onClick={() => { setTourId(undefined); setCells(Array<number | null>(36).fill(null)); }}>{t('wallClear')}</Button>
          </Space>
          <TourBar tours={tours} sites={sites} tourId={tourId} running={running} page={page} pages={pages}
            onSelect={(id) => { setTourId(id); setPage(0); setRunning(Boolean(id)); }} onSave={saveAll} onToggle={() => setRunning((r) => !r)} onStep={step} />
        </div>
        {error && <Alert type="error" message={error} showIcon />}
        <div className="xc-wall-grid" data-testid="wall-grid" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)`, gridTemplateRows: `repeat(${cols}, 1fr)` }}>
          {shown.map((cam, i) => (
            <Tile key={`${i}-${cam?.id ?? 'none'}`} index={i} cam={cam} stream="sub" client={client} tokens={tokens} status={cam ? statuses.get(cam.id) : undefined} onDropCameras={place} onOpen={setFull} />
          ))}
        </div>
      </div>
      {full && (
        <div className="xc-wall-full" data-testid="wall-full" onDoubleClick={() => setFull(undefined)}>
          <Tile index={99} cam={full} stream="main" client={client} tokens={tokens} status={statuses.get(full.id)} big />
        </div>
      )}
    </div>
  );
}
