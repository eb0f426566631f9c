// 逐级下钻 (issue 19 item 5, R-FN-3): from the roll-up tree, one level at a time — province → city →
// district → site. At each level: its lower levels' online and recording rates (ECharts), each
// with how fresh it is, and the tickets reported from there and below: unverified by default, or all
// of them, so that a ticket the site's system verified is seen closed at the province (R-FLT-1).
import { useEffect, useMemo, useState } from 'react';
import { Breadcrumb, Card, Segmented, Space, Table, Tag } from 'antd';
import type { RollupRow, RollupView } from '../../../../src/ledger/index.ts';
import type { ReportedTicketView } from '../../../../src/ledger/upward.ts';
import type { DeviceView } from '../../../../src/ledger/schemas.ts';
import { request } from '../../api.ts';
import { formatBeijing } from '../../time.ts';
import { Chart } from './Chart.tsx';
import { Freshness } from './Freshness.tsx';
import { useLedgerText } from './ledgerText.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const codesUnder = (r: RollupRow): Set<string> => new Set([r.code, ...(r.children ?? []).flatMap((c) => [...codesUnder(c)])]);

export function Drilldown({ view, tickets }: { view: RollupView | undefined; tickets: ReportedTicketView[] }) {
  const { l } = useLedgerText();
  const [trail, setTrail] = useState<string[]>([]);
  const [which, setWhich] = useState<'unverified' | 'all'>('unverified');
  // A site chosen at the lowest level: its devices as the site reported them upward.
  const [site, setSite] = useState<RollupRow>();
  const [siteDevices, setSiteDevices] = useState<{ devices: DeviceView[]; stale: boolean }>();
  useEffect(() => {
    setSiteDevices(undefined);
    if (site) void request<{ devices: DeviceView[]; stale: boolean }>('GET', `/api/ledger/site-devices?code=${encodeURIComponent(site.code)}`).then(setSiteDevices, () => setSiteDevices({ devices: [], stale: true }));
  }, [site]);
  const top: RollupRow = useMemo(() => ({ key: 'top', name: l('all'), kind: 'top', code: '', sites: 0, staleSites: 0, cameras: 0, camerasStale: 0, online: 0, recording: 0, onlineRate: null, recordingRate: null, unverified: 0, overdue: 0, examSites: 0, examLines: 0, examLinesWithGaps: 0, examRequiredMs: 0, examRecordedMs: 0, examCoverage: null, oldestReportAtMs: null, children: view?.tree ?? [] }), [view, l]);
  const path: RollupRow[] = [top];
  for (const k of trail) {
    const next = path[path.length - 1]!.children?.find((c) => c.key === k);
    if (!next) break;
    path.push(next);
  }
  const here = path[path.length - 1]!;
  const children = here.children ?? [];
  const now = view?.generatedAtMs ?? Date.now();
  const codes = here.key === 'top' ? null : codesUnder(here);
  const shownTickets = tickets.filter((t) => (which === 'all' || t.ticket.state !== 'verified') && (codes === null || codes.has(t.ticket.nodeCode) || codes.has(t.originCode)));
  return (
    <Card size="small" title={l('drill')} data-testid="drilldown" extra={<Space><Freshness atMs={here.key === 'top' ? children.reduce<number | null>((m, c) => (c.oldestReportAtMs === null ? m : m === null ? c.oldestReportAtMs : Math.min(m, c.oldestReportAtMs)), null) : here.oldestReportAtMs} nowMs={now} /></Space>}>
      <Breadcrumb style={{ marginBottom: 8 }} items={path.map((r, i) => ({ title: <a data-testid={`crumb-${i}`} onClick={() => setTrail(trail.slice(0, i))}>{r.name}</a> }))} />
      {children.length > 0 && (
        <Chart testId="chart-drill" height={220} option={{
          tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { top: 30, left: 40, right: 20, bottom: 40 },
          xAxis: { type: 'category', data: children.map((c) => c.name), axisLabel: { interval: 0, rotate: children.length > 6 ? 30 : 0 } },
          yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
          series: [
            { name: l('onlineRate'), type: 'bar', data: children.map((c) => (c.onlineRate === null ? null : Math.round(c.onlineRate * 1000) / 10)) },
            { name: l('recordingRate'), type: 'bar', data: children.map((c) => (c.recordingRate === null ? null : Math.round(c.recordingRate * 1000) / 10)) },
          ],
        }} />
      )}
      <Table<RollupRow> rowKey="key" size="small" pagination={false} dataSource={children} locale={{ emptyText: l('noRollup') }} data-testid="drill-children"
        onRow={(r) => ({ onClick: () => (r.children && r.children.length > 0 ? setTrail([...trail, r.key]) : r.kind === 'site' ? setSite(r) : undefined), style: { cursor: r.children?.length || r.kind === 'site' ? 'pointer' : 'default' } })}
        columns={[
          { title: l('node'), render: (_: unknown, r) => <Space size={4}>{r.children?.length || r.kind === 'site' ? <a data-testid={`drill-${r.name}`}>{r.name} ›</a> : r.name}{r.stale === true && <Tag color="red">{l('stale')}</Tag>}</Space> },
          { title: l('sites'), dataIndex: 'sites' },
          { title: l('cameras'), dataIndex: 'cameras' },
          { title: l('onlineRate'), render: (_: unknown, r) => pct(r.onlineRate) },
          { title: l('recordingRate'), render: (_: unknown, r) => pct(r.recordingRate) },
          { title: l('examCoverage'), render: (_: unknown, r) => (r.examCoverage === null ? <span style={{ color: '#8c8c8c' }}>{l('noExamToday')}</span> : (
            <span data-testid={`exam-coverage-${r.name}`} title={l('examCoverageHint', { lines: r.examLines, gaps: r.examLinesWithGaps })} style={{ color: r.examCoverage < 1 ? '#cf1322' : undefined }}>
              {pct(r.examCoverage)}{r.examLinesWithGaps > 0 && <Tag color="red" style={{ marginLeft: 4 }}>{l('examCoverageHint', { lines: r.examLines, gaps: r.examLinesWithGaps })}</Tag>}
            </span>
          )) },
          { title: l('unverifiedTickets'), render: (_: unknown, r) => <Space size={4}>{r.unverified}{r.overdue > 0 && <Tag color="red">{l('overdueN', { n: r.overdue })}</Tag>}</Space> },
          { title: l('dataTime'), render: (_: unknown, r) => <Freshness atMs={r.oldestReportAtMs} nowMs={now} /> },
        ]} />
      {site && (
        <Table<DeviceView> style={{ marginTop: 8 }} rowKey="code" size="small" pagination={{ pageSize: 10 }} loading={!siteDevices} dataSource={siteDevices?.devices ?? []} data-testid="drill-devices"
          title={() => <Space size={4}>{l('siteDevices', { n: site.name })}{siteDevices?.stale && <Tag color="red">{l('stale')}</Tag>}<a onClick={() => setSite(undefined)}>×</a></Space>}
          columns={[
            { title: l('cls'), render: (_: unknown, d) => l(`cls_${d.deviceClass}`) },
            { title: l('code'), dataIndex: 'code' },
            { title: l('name'), dataIndex: 'name' },
            { title: l('model'), render: (_: unknown, d) => d.model || '—' },
            { title: l('room'), render: (_: unknown, d) => d.roomName ?? '—' },
            { title: l('responsible'), render: (_: unknown, d) => `${d.responsibleName || '—'} ${d.responsiblePhone}` },
          ]} />
      )}
      <Table<ReportedTicketView> style={{ marginTop: 8 }} rowKey={(t) => `${t.originCode}:${t.ticket.id}`} size="small" pagination={{ pageSize: 10 }} dataSource={shownTickets} data-testid="drill-tickets"
        title={() => <Space>{l('siteTicketsAll')}<Segmented size="small" value={which} onChange={(v) => setWhich(v as 'unverified' | 'all')} options={[{ value: 'unverified', label: l('unverified') }, { value: 'all', label: l('all') }]} data-testid="drill-ticket-filter" /></Space>} columns={[
        { title: l('opened'), render: (_: unknown, t) => formatBeijing(t.ticket.openedAtMs) },
        { title: l('node'), render: (_: unknown, t) => t.ticket.nodeName },
        { title: l('name'), render: (_: unknown, t) => t.ticket.deviceName },
        { title: l('kind'), render: (_: unknown, t) => l(`kind_${t.ticket.kind}`) },
        { title: l('state'), render: (_: unknown, t) => <Space size={4} data-testid={`drill-ticket-${t.ticket.deviceCode}-${t.ticket.kind}`}><Tag color={t.ticket.state === 'verified' ? 'green' : undefined}>{t.ticket.stateLabel}</Tag>{t.ticket.healthy && t.ticket.state !== 'verified' && <Tag color="green">{l('healthy')}</Tag>}{t.ticket.conformance && <Tag color="orange" title={t.ticket.conformance.waitingFor}>{l('awaitsConformance')}</Tag>}{t.stale && <Tag color="red">{l('stale')}</Tag>}</Space> },
        { title: l('dataTime'), render: (_: unknown, t) => <Freshness atMs={t.updatedAtMs} nowMs={now} staleAfterS={Number.MAX_SAFE_INTEGER} /> },
      ]} />
    </Card>
  );
}
