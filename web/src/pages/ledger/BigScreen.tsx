// 指挥中心大屏 (issue 19 item 5, R-FN-3): full screen, dark, refreshes itself every `refreshS`
// seconds. Figures are the roll-up computed from what the lower levels report; each says how fresh
// it is (the oldest report under it) and a stale lower is shown 失联, never as healthy.
import { useEffect, useRef, useState } from 'react';
import { Button, Space, Tag } from 'antd';
import { FullscreenExitOutlined } from '@ant-design/icons';
import type { RollupRow, RollupView } from '../../../../src/ledger/index.ts';
import type { ReportedTicketView } from '../../../../src/ledger/upward.ts';
import { request } from '../../api.ts';
import { formatBeijing } from '../../time.ts';
import { Chart } from './Chart.tsx';
import { Freshness } from './Freshness.tsx';
import { useLedgerText } from './ledgerText.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const KINDS = ['offline', 'recording_gap', 'disk', 'clock_drift', 'picture', 'manual'];

function Tile({ label, value, color, atMs, nowMs, testId }: { label: string; value: string | number; color?: string; atMs: number | null; nowMs: number; testId: string }) {
  return (
    <div data-testid={testId} style={{ flex: 1, background: '#0d1b2e', border: '1px solid #1f3a5f', borderRadius: 6, padding: '12px 16px', minWidth: 160 }}>
      <div style={{ color: '#8fb3d9', fontSize: 16 }}>{label}</div>
      <div style={{ color: color ?? '#e6f4ff', fontSize: 40, fontWeight: 600, lineHeight: 1.3 }}>{value}</div>
      <Freshness atMs={atMs} nowMs={nowMs} />
    </div>
  );
}

export function BigScreen({ onExit, refreshS = 30 }: { onExit: () => void; refreshS?: number }) {
  const { l } = useLedgerText();
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<RollupView>();
  const [tickets, setTickets] = useState<ReportedTicketView[]>([]);
  const [loadedAt, setLoadedAt] = useState<number>();
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const [v, t] = await Promise.all([request<RollupView>('GET', '/api/ledger/rollup'), request<{ tickets: ReportedTicketView[] }>('GET', '/api/faults/reported')]);
        if (!alive) return;
        setView(v);
        setTickets(t.tickets);
        setLoadedAt(Date.now());
      } catch {
        /* keep the last figures; their freshness labels age and say so */
      }
    };
    void load();
    const refresh = setInterval(() => void load(), refreshS * 1000);
    const clock = setInterval(() => setNow(Date.now()), 1000);
    // Full screen when the browser allows it (a click started this); the overlay covers the page anyway.
    void box.current?.requestFullscreen?.().catch(() => undefined);
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onExit();
    window.addEventListener('keydown', esc);
    return () => {
      alive = false;
      clearInterval(refresh);
      clearInterval(clock);
      window.removeEventListener('keydown', esc);
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    };
  }, [refreshS, onExit]);

  const tree = view?.tree ?? [];
  const sum = (f: (r: RollupRow) => number) => tree.reduce((n, r) => n + f(r), 0);
  const cameras = sum((r) => r.cameras);
  const fresh = cameras - sum((r) => r.camerasStale);
  const online = sum((r) => r.online);
  const recording = sum((r) => r.recording);
  const oldest = tree.reduce<number | null>((m, r) => (r.oldestReportAtMs === null ? m : m === null ? r.oldestReportAtMs : Math.min(m, r.oldestReportAtMs)), null);
  // The level shown in the bars: the first level with more than one node (the province's cities).
  let level: RollupRow[] = tree;
  while (level.length === 1 && level[0]!.children?.length) level = level[0]!.children;
  const open = tickets.filter((t) => t.ticket.state !== 'verified');
  const staleLowers = (view?.lowers ?? []).filter((p) => p.stale);
  const rate = (n: number) => (fresh > 0 ? n / fresh : null);
  const rateColor = (v: number | null) => (v === null ? '#8fb3d9' : v >= 0.95 ? '#73d13d' : v >= 0.8 ? '#ffc53d' : '#ff4d4f');

  return (
    <div ref={box} data-testid="big-screen" style={{ position: 'fixed', inset: 0, zIndex: 1000, background: '#06101f', color: '#e6f4ff', padding: 20, overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 14 }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
        <div style={{ fontSize: 30, fontWeight: 700, letterSpacing: 4 }}>{l('bigScreen')} · {l('overview')}</div>
        <Space>
          <span style={{ fontSize: 20, fontVariantNumeric: 'tabular-nums' }}>{formatBeijing(now)}</span>
          <Tag color="blue">{l('refreshEvery', { n: refreshS })}</Tag>
          {loadedAt && <Tag data-testid="screen-refreshed">{l('lastRefresh', { t: formatBeijing(loadedAt).slice(11) })}</Tag>}
          <Button icon={<FullscreenExitOutlined />} onClick={onExit} data-testid="exit-screen">{l('exitScreen')}</Button>
        </Space>
      </div>
      <div style={{ display: 'flex', gap: 14, flexWrap: 'wrap' }}>
        <Tile testId="tile-cameras" label={l('totalCameras')} value={cameras} atMs={oldest} nowMs={now} />
        <Tile testId="tile-online" label={l('onlineRate')} value={pct(rate(online))} color={rateColor(rate(online))} atMs={oldest} nowMs={now} />
        <Tile testId="tile-recording" label={l('recordingRate')} value={pct(rate(recording))} color={rateColor(rate(recording))} atMs={oldest} nowMs={now} />
        <Tile testId="tile-tickets" label={l('unverifiedTickets')} value={sum((r) => r.unverified)} color={sum((r) => r.unverified) > 0 ? '#ffc53d' : undefined} atMs={oldest} nowMs={now} />
        <Tile testId="tile-overdue" label={l('overdue')} value={sum((r) => r.overdue)} color={sum((r) => r.overdue) > 0 ? '#ff4d4f' : undefined} atMs={oldest} nowMs={now} />
        <Tile testId="tile-stale" label={l('staleLowers')} value={staleLowers.length} color={staleLowers.length > 0 ? '#ff4d4f' : '#73d13d'} atMs={view?.generatedAtMs ?? null} nowMs={now} />
      </div>
      <div style={{ display: 'flex', gap: 14, flex: 1, minHeight: 320 }}>
        <div style={{ flex: 2, background: '#0d1b2e', border: '1px solid #1f3a5f', borderRadius: 6, padding: 8 }}>
          <Chart dark testId="screen-chart-levels" height="100%" option={{
            title: { text: l('childOnline'), textStyle: { fontSize: 16 } }, tooltip: { trigger: 'axis' }, legend: { top: 0, right: 0 }, grid: { top: 50, left: 50, right: 20, bottom: 50 },
            xAxis: { type: 'category', data: level.map((c) => (c.stale ? `${c.name}（失联）` : c.name)), axisLabel: { interval: 0, rotate: level.length > 8 ? 30 : 0 } },
            yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
            series: [
              { name: l('onlineRate'), type: 'bar', data: level.map((c) => (c.onlineRate === null ? null : Math.round(c.onlineRate * 1000) / 10)), label: { show: true, position: 'top', formatter: '{c}%' } },
              { name: l('recordingRate'), type: 'bar', data: level.map((c) => (c.recordingRate === null ? null : Math.round(c.recordingRate * 1000) / 10)) },
            ],
          }} />
        </div>
        <div style={{ flex: 1, background: '#0d1b2e', border: '1px solid #1f3a5f', borderRadius: 6, padding: 8 }}>
          <Chart dark testId="screen-chart-kinds" height="100%" option={{
            // No tickets: say so instead of an empty grey ring.
            title: open.length === 0 ? [{ text: l('faultsByKind'), textStyle: { fontSize: 16 } }, { text: l('noTickets'), left: 'center', top: 'middle', textStyle: { fontSize: 22, color: '#73d13d' } }] : { text: l('faultsByKind'), textStyle: { fontSize: 16 } }, tooltip: {},
            series: open.length === 0 ? [] : [{ type: 'pie', radius: ['35%', '65%'], top: 30, label: { formatter: '{b} {c}' }, data: KINDS.map((k) => ({ name: l(`kind_${k}`), value: open.filter((t) => t.ticket.kind === k).length })).filter((x) => x.value > 0) }],
          }} />
        </div>
      </div>
      <div style={{ display: 'flex', gap: 14 }}>
        <div style={{ flex: 2, background: '#0d1b2e', border: '1px solid #1f3a5f', borderRadius: 6, padding: 12 }} data-testid="screen-oldest">
          <div style={{ color: '#8fb3d9', fontSize: 16, marginBottom: 6 }}>{l('oldestTickets')}</div>
          {[...open].sort((a, b) => a.ticket.openedAtMs - b.ticket.openedAtMs).slice(0, 6).map((t) => (
            <div key={`${t.originCode}:${t.ticket.id}`} style={{ display: 'flex', gap: 12, fontSize: 15, padding: '2px 0' }}>
              <span style={{ width: 150 }}>{formatBeijing(t.ticket.openedAtMs).slice(5, 16)}</span>
              <span style={{ flex: 1 }}>{t.ticket.nodeName} · {t.ticket.deviceName}</span>
              <span>{l(`kind_${t.ticket.kind}`)}</span>
              <Tag color={t.ticket.ackOverdue || t.ticket.repairOverdue ? 'red' : 'orange'}>{t.ticket.stateLabel}</Tag>
              {t.stale && <Tag color="red">{l('stale')}</Tag>}
            </div>
          ))}
          {open.length === 0 && <div style={{ color: '#73d13d' }}>{l('noTickets')}</div>}
        </div>
        <div style={{ flex: 1, background: '#0d1b2e', border: '1px solid #1f3a5f', borderRadius: 6, padding: 12 }} data-testid="screen-stale">
          <div style={{ color: '#8fb3d9', fontSize: 16, marginBottom: 6 }}>{l('staleLowers')}</div>
          {staleLowers.length === 0 ? <div style={{ color: '#73d13d' }}>{l('noStale')}</div> : staleLowers.map((p) => (
            <div key={`${p.viaCode ?? ''}/${p.code}`} style={{ fontSize: 15 }}><Tag color="red">{l('stale')}</Tag>{p.name} · {p.lastReceivedAtMs ? formatBeijing(p.lastReceivedAtMs).slice(5) : '—'}</div>
          ))}
        </div>
      </div>
    </div>
  );
}
