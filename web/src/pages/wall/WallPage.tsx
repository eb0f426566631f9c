// 视频墙: live tiles on one multiplexed socket (sub stream; double-click = full screen on the main
// stream), camera tree with drag and drop, layouts 1–64, tours (轮巡, kept on the server; the
// cameras of a tour come from the server, limited to the user's scope) with keyboard shortcuts.
// The wall itself is kept on the server per user (and cached in the browser): a reload, a login on
// another PC or a cleared browser brings it back; named layouts are saved and recalled (LayoutBar).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Segmented, Space, message } from 'antd';
import { ClearOutlined, CloseOutlined } from '@ant-design/icons';
import { useConsoleText } from '../../consoleText.ts';
import { api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { OrgNode, User } from '../../types.ts';
import { CameraTree } from './CameraTree.tsx';
import { LiveClient } from './liveClient.ts';
import { Tile } from './Tile.tsx';
import { TourBar } from './TourBar.tsx';
import { LayoutBar } from './LayoutBar.tsx';
import { wallApi } from './wallApi.ts';
import type { WallLayout } from './wallApi.ts';
import { importLegacyTours, tourApi } from './tourApi.ts';
import type { Tour, TourInput } from './tourApi.ts';
import { LAYOUTS, OVERVIEW_MIN_TILES, TokenCache, fetchStatuses, pageOf, wallSites } from './wallModel.ts';
import type { CameraStatusView, WallCamera, WallSite } from './wallModel.ts';
import { loadWallState, saveWallState, wallKey } from './wallState.ts';
import type { WallState } from './wallState.ts';
import { clearHashParams, hashNumber, useHashLinkSeq } from '../../deepLink.ts';
import { WallDutyPanel } from '../duty/WallDutyPanel.tsx';
import './wall.css';
import { MAX_WALL_CELLS } from '../../../../src/wall/layouts.ts';

export function WallPage({ user }: { user: User }) {
  const { t } = useI18n();
  const { c } = useConsoleText();
  const client = useMemo(() => new LiveClient(), []);
  const tokens = useMemo(() => new TokenCache(), []);
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const [sites, setSites] = useState<WallSite[]>([]);
  const [error, setError] = useState<string>();
  const [statuses, setStatuses] = useState<Map<number, CameraStatusView>>(new Map());
  const saved = useMemo(() => loadWallState(user.id), [user.id]);
  const [layout, setLayout] = useState<number>(saved.layout);
  const [cells, setCells] = useState<(number | null)[]>(saved.cells);
  const [tours, setTours] = useState<Tour[]>([]);
  const [tourId, setTourId] = useState<number | undefined>(saved.tourId);
  const [tourList, setTourList] = useState<WallCamera[]>([]);
  const [running, setRunning] = useState(saved.running);
  const [page, setPage] = useState(saved.page);
  // The saved tour page applies once, when the restored tour's cameras arrive.
  const restorePage = useRef<number | undefined>(saved.tourId !== undefined ? saved.page : undefined);
  const [full, setFull] = useState<WallCamera>();
  // Overview (issue 16): in a grid of OVERVIEW_MIN_TILES or more, tiles get keyframes only except
  // the one the patroller clicked (full rate); the full-screen tile always plays at full rate.
  const [selected, setSelected] = useState<number>();
  const [layouts, setLayouts] = useState<WallLayout[]>([]);
  const [layoutId, setLayoutId] = useState<number>();
  // Until the server's copy of the wall has been read, nothing is written back (it could be newer).
  const [serverRead, setServerRead] = useState(false);
  const saving = useRef<Promise<void>>(Promise.resolve());
  const pendingWrite = useRef<(() => void) | undefined>(undefined);
  // Set by the first cleanup to run on unmount (declared before the save effect, whose cleanup then
  // writes the pending change instead of dropping it).
  const leaving = useRef(false);
  useEffect(() => () => {
    leaving.current = true;
  }, []);

  useEffect(() => () => client.close(), [client]);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const r = await api.orgTree();
      const s = wallSites(r.nodes);
      if (stop) return;
      setNodes(r.nodes);
      setSites(s);
      const list = await tourApi.list();
      // Tours an older console kept in this browser move to the server once (then leave the browser).
      const moved = await importLegacyTours(user, s, list, layout);
      if (stop) return;
      setTours(moved > 0 ? await tourApi.list() : list);
      if (moved > 0) void message.info(t('tourImported', { n: moved }));
    };
    load().catch((e: unknown) => !stop && setError(errorMessage(e)));
    return () => {
      stop = true;
    };
    // Once per visit of the page (per user): the layout at that moment is what imported tours get.
  }, [user.id]);
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
  // The wall the server is known to keep (wallKey), and the wall shown now.
  const confirmed = useRef<string | undefined>(undefined);
  const current = useRef<WallState>(saved);
  current.current = { layout, cells, tourId, running, page };
  const serverReadRef = useRef(false);
  serverReadRef.current = serverRead;
  const keepLocally = () => saveWallState(user.id, { ...current.current, unsaved: serverReadRef.current ? wallKey(current.current) !== confirmed.current : saved.unsaved });
  useEffect(keepLocally, [user.id, layout, cells, tourId, running, page, serverRead]);
  // The server's copy wins over this browser's cache (it may come from another PC), unless this
  // browser changed the wall and the server never confirmed it (left or reloaded within the save delay).
  useEffect(() => {
    let stop = false;
    wallApi.state().then((s) => {
      if (stop) return;
      // Changed here while the answer was on its way (a drag right after opening): that change stays.
      const keepLocal = saved.unsaved === true || wallKey(current.current) !== wallKey(saved);
      if (s && keepLocal) console.info('wall: keeping this browser\'s unsaved wall over the server copy');
      if (s && !keepLocal) {
        confirmed.current = wallKey({ layout: s.layoutTiles, cells: s.cells, tourId: s.tourId, running: s.running, page: s.page });
        const next = Array<number | null>(MAX_WALL_CELLS).fill(null);
        s.cells.slice(0, MAX_WALL_CELLS).forEach((x, i) => (next[i] = x));
        restorePage.current = s.tourId !== null ? s.page : undefined;
        setLayout(s.layoutTiles);
        setCells(next);
        setTourId(s.tourId ?? undefined);
        setRunning(s.running);
        setPage(s.page);
      }
      setServerRead(true);
    }, () => !stop && setServerRead(true));
    void wallApi.layouts().then((l) => !stop && setLayouts(l), () => undefined);
    return () => {
      stop = true;
    };
  }, [user.id]);
  useEffect(() => {
    if (!serverRead) return;
    // Written a moment after the last change (a drag of a room places several tiles at once).
    // One write at a time, in order: two PUTs in flight on two connections may arrive swapped,
    // and an older (e.g. the empty first) wall would then win on the server.
    const write = () => {
      const state = { layoutTiles: layout, cells: cells.slice(0, MAX_WALL_CELLS), tourId: tourId ?? null, running, page };
      const k = wallKey({ layout, cells, tourId, running, page });
      saving.current = saving.current.then(() => wallApi.saveState(state)).then(() => {
        confirmed.current = k;
        keepLocally();
      }, () => undefined);
    };
    const id = window.setTimeout(() => {
      pendingWrite.current = undefined;
      write();
    }, 600);
    pendingWrite.current = write;
    return () => {
      window.clearTimeout(id);
      // Leaving the page (to 录像回放, say) within the delay: write now rather than lose the change.
      if (leaving.current && pendingWrite.current === write) write();
      pendingWrite.current = undefined;
    };
  }, [serverRead, layout, cells, tourId, running, page]);
  const reloadLayouts = async () => {
    const l = await wallApi.layouts();
    setLayouts(l);
    return l;
  };
  const pickLayout = (l: WallLayout | undefined) => {
    setLayoutId(l?.id);
    if (!l) return;
    const next = Array<number | null>(MAX_WALL_CELLS).fill(null);
    l.cells.slice(0, MAX_WALL_CELLS).forEach((x, i) => (next[i] = x));
    setTourId(undefined);
    setRunning(false);
    setLayout(l.layoutTiles);
    setCells(next);
  };

  // Opened from an alarm (#/wall?cameraId=…, also clicked here where the page stays): live, full screen.
  const liveLinked = useRef(hashNumber('cameraId'));
  const linkSeq = useHashLinkSeq();
  useEffect(() => {
    if (linkSeq > 0) liveLinked.current = hashNumber('cameraId') ?? liveLinked.current;
    const id = liveLinked.current;
    if (!id) return;
    const cam = sites.flatMap((x) => x.rooms.flatMap((r) => r.cameras)).find((x) => x.id === id);
    if (!cam) return;
    liveLinked.current = undefined;
    clearHashParams(); // the same link clicked again is heard
    setFull(cam);
  }, [sites, linkSeq]);
  const byId = useMemo(() => new Map(sites.flatMap((s) => s.rooms.flatMap((r) => r.cameras)).map((c) => [c.id, c])), [sites]);
  const tour = tours.find((x) => x.id === tourId);
  // A tour's cameras come from the server (ordered, only those this user may see); its layout
  // applies when it is chosen or changed.
  useEffect(() => {
    if (!tour) {
      setTourList([]);
      return;
    }
    let stop = false;
    setLayout(tour.layoutTiles);
    setPage(restorePage.current ?? 0);
    restorePage.current = undefined;
    tourApi.cameras(tour.id).then((l) => !stop && setTourList(l), (e: unknown) => !stop && setError(errorMessage(e)));
    return () => {
      stop = true;
    };
    // Keyed on id and version: reloading the list (same tours) must not re-page the wall.
  }, [tour?.id, tour?.updatedAtMs]);
  const pages = Math.ceil(tourList.length / layout);
  useEffect(() => setSelected(undefined), [page, layout, tourId]);
  const shown: (WallCamera | undefined)[] = tour
    ? Array.from({ length: layout }, (_, i) => pageOf(tourList, page, layout)[i])
    : cells.slice(0, layout).map((id) => (id === null ? undefined : byId.get(id)));

  const step = useCallback((d: number) => setPage((p) => (pages > 0 ? (p + d + pages) % pages : 0)), [pages]);
  useEffect(() => {
    if (!tour || !running) return;
    const id = window.setInterval(() => step(1), tour.intervalS * 1000);
    return () => window.clearInterval(id);
  }, [tour, running, step]);
  // Warm one token for the whole page so tiles do not each ask for one — once per set of cameras
  // shown, not on every render: a refused ask is an audited refusal, and the 5 s status poll
  // re-renders the page (it asked every 5 s while the two-person rule refused the wall).
  const shownKey = shown.map((c) => c?.id ?? 0).join(',');
  useEffect(() => {
    const ids = shownKey.split(',').map(Number).filter((id) => id > 0);
    if (ids.length > 0) void tokens.get(ids, 'sub').catch(() => undefined);
  }, [shownKey, tokens]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.key === 'Escape' && !document.querySelector('.ant-modal-wrap')) {
        setFull(undefined);
        return;
      }
      if (!tour || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable || document.querySelector('.ant-modal-wrap')) return;
      if (e.key === ' ') {
        e.preventDefault();
        setRunning((r) => !r);
      } else if (e.key === 'ArrowRight') step(1);
      else if (e.key === 'ArrowLeft') step(-1);
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
  const saveTour = async (input: TourInput, id?: number): Promise<number> => {
    const saved = id === undefined ? await tourApi.create(input) : await tourApi.update(id, input);
    setTours(await tourApi.list());
    return saved.id;
  };
  const deleteTour = async (id: number): Promise<void> => {
    await tourApi.remove(id);
    setTours(await tourApi.list());
  };
  const reloadTours = () => void tourApi.list().then(setTours, () => undefined);
  const cols = Math.sqrt(layout);

  return (
    <div className="xc-wall">
      <CameraTree sites={sites} statuses={statuses} onAdd={addNext} />
      <div className="xc-wall-main">
        <div className="xc-wall-bar">
          <Space size={8} wrap>
            <span>{t('wallLayout')}</span>
            <Segmented value={layout} onChange={(v) => { setLayout(Number(v)); setPage(0); }} options={LAYOUTS.map((n) => ({ value: n, label: <span data-testid={`layout-${n}`}>{n}</span> }))} />
            <Button icon={<ClearOutlined />} onClick={() => { setTourId(undefined); setLayoutId(undefined); setCells(Array<number | null>(MAX_WALL_CELLS).fill(null)); }} data-testid="wall-clear">{t('wallClear')}</Button>
          </Space>
          <LayoutBar userId={user.id} canShare={user.role === 'admin'} layouts={layouts} selected={layoutId} layoutTiles={layout} cells={cells} onPick={pickLayout} onChanged={reloadLayouts} />
          <TourBar tours={tours} nodes={nodes} sites={sites} canShare={user.role === 'admin'} defaultNodeId={user.orgNodeId} defaultLayout={layout}
            tourId={tourId} running={running} page={page} pages={pages} onOpen={reloadTours}
            onSelect={(id) => { setTourId(id); setPage(0); setRunning(id !== undefined); if (id !== undefined) setLayoutId(undefined); }} onSave={saveTour} onDelete={deleteTour} onToggle={() => setRunning((r) => !r)} onStep={step} />
        </div>
        <WallDutyPanel />
        {error && <Alert type="error" message={error} showIcon />}
        {layout >= OVERVIEW_MIN_TILES && <div className="xc-wall-overview-hint" data-testid="wall-overview-hint">{c('wallOverviewHint')}</div>}
        <div className="xc-wall-grid" data-testid="wall-grid" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)`, gridTemplateRows: `repeat(${cols}, 1fr)` }}>
          {shown.map((cam, i) => (
            <Tile key={`${i}-${cam?.id ?? 'none'}`} index={i} cam={cam} stream="sub" client={client} tokens={tokens} status={cam ? statuses.get(cam.id) : undefined} onDropCameras={place} onOpen={setFull}
              overview={layout >= OVERVIEW_MIN_TILES && selected !== i} selected={layout >= OVERVIEW_MIN_TILES && selected === i} onSelect={setSelected}
              priority={selected === i} wallTiles={layout} />
          ))}
        </div>
      </div>
      {full && (
        <div className="xc-wall-full" data-testid="wall-full" onDoubleClick={() => setFull(undefined)}>
          <Tile index={99} cam={full} stream="main" client={client} tokens={tokens} status={statuses.get(full.id)} big />
          <Button className="xc-wall-full-close" icon={<CloseOutlined />} onClick={() => setFull(undefined)} data-testid="wall-full-close">{c('fullClose')}</Button>
        </div>
      )}
    </div>
  );
}
