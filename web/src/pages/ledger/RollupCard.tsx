// 分级汇总 (issue 19 item 5, R-FN-3, R-CITY-4): this node's org tree with, per node, the sites
// reported below it, cameras online and recording, unverified tickets and how fresh the figures
// are. A stale site is shown 失联 with its last figures, left out of the rates (never healthy).
import { Button, Card, Space, Table, Tag, Tooltip } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { RollupRow, RollupView } from '../../../../src/ledger/index.ts';
import { formatBeijing } from '../../time.ts';
import { useLedgerText } from './ledgerText.ts';

const pct = (v: number | null) => (v === null ? null : `${(v * 100).toFixed(1)}%`);
const rateColor = (v: number) => (v >= 0.95 ? 'green' : v >= 0.8 ? 'orange' : 'red');

function Rate({ v, stale }: { v: number | null; stale: boolean }) {
  const { l } = useLedgerText();
  if (v === null) return stale ? <Tag color="red">{l('stale')}</Tag> : <>—</>;
  return <Tag color={rateColor(v)}>{pct(v)}</Tag>;
}

export function RollupCard({ view }: { view: RollupView | undefined }) {
  const { l } = useLedgerText();
  const rows = view?.tree ?? [];
  return (
    <Card size="small" title={l('rollup')} data-testid="rollup" extra={<Space>{view && <span>{l('generated')} {formatBeijing(view.generatedAtMs)}</span>}<Button size="small" icon={<DownloadOutlined />} href="/api/ledger/report.xlsx?period=week">{l('weekReport')}</Button><Button size="small" icon={<DownloadOutlined />} href="/api/ledger/report.xlsx?period=month">{l('monthReport')}</Button></Space>}>
      <Table<RollupRow> rowKey="key" size="small" pagination={false} dataSource={rows} expandable={{ defaultExpandAllRows: true }} locale={{ emptyText: l('noRollup') }} columns={[
        { title: l('node'), dataIndex: 'name', render: (v: string, r) => <Space size={4}>{v}{r.stale === true && <Tag color="red">{l('stale')}</Tag>}</Space> },
        { title: l('sites'), render: (_: unknown, r) => <Space size={4}>{r.sites}{r.staleSites > 0 && <Tag color="red">{l('staleN', { n: r.staleSites })}</Tag>}</Space> },
        { title: l('cameras'), render: (_: unknown, r) => (r.camerasStale > 0 ? <Tooltip title={l('camerasStaleHint', { n: r.camerasStale })}>{r.cameras} ({r.camerasStale}?)</Tooltip> : r.cameras) },
        { title: l('onlineRate'), render: (_: unknown, r) => <Rate v={r.onlineRate} stale={r.staleSites > 0} /> },
        { title: l('recordingRate'), render: (_: unknown, r) => <Rate v={r.recordingRate} stale={r.staleSites > 0} /> },
        { title: l('unverifiedTickets'), render: (_: unknown, r) => <Space size={4}>{r.unverified}{r.overdue > 0 && <Tag color="red">{l('overdueN', { n: r.overdue })}</Tag>}</Space> },
        { title: l('dataTime'), render: (_: unknown, r) => (r.oldestReportAtMs === null ? '—' : formatBeijing(r.oldestReportAtMs)) },
      ]} />
      {(view?.lowers.length ?? 0) > 0 && (
        <Space wrap style={{ marginTop: 8 }} data-testid="rollup-lowers">
          {l('lowerChannels')}
          {view!.lowers.map((p) => <Tag key={`${p.viaCode ?? ''}/${p.code}`} color={p.stale ? 'red' : 'green'}>{p.name} · {p.stale ? l('stale') : l('fresh')}{p.lastReceivedAtMs !== null ? ` · ${formatBeijing(p.lastReceivedAtMs)}` : ''}</Tag>)}
        </Space>
      )}
    </Card>
  );
}
