// 设备卡片 (issue 19 item 2; R-SEC-2): facts, health history of the last 7 days (online/offline
// spans, bitrate, frame rate, packets lost, recording, clock offset against the limit), the latest
// readiness results and every ticket; printable as an A4 PDF made by the server.
import { Alert, Button, Card, Descriptions, Modal, Space, Table, Tag, Typography } from 'antd';
import { FilePdfOutlined } from '@ant-design/icons';
import type { DeviceCardView, HealthPoint, StatusSpan } from '../../../../src/ledger/index.ts';
import type { TicketView } from '../../../../src/ledger/schemas.ts';
import { formatBeijing } from '../../time.ts';
import { Chart } from './Chart.tsx';
import { useLedgerText } from './ledgerText.ts';
import { useReadinessText } from '../readiness/readinessText.ts';
import type { ReadinessMsgKey } from '../readiness/readinessText.ts';

const day = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms).slice(0, 10));
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const SPAN_COLOR: Record<string, string> = { online: 'green', offline: 'red', unknown: 'default' };
const VERDICT_COLOR: Record<string, string> = { pass: 'green', warn: 'orange', fail: 'red' };

export function DeviceCard({ card, ticketColumns, onClose }: { card: DeviceCardView | undefined; ticketColumns: Array<Record<string, unknown>>; onClose: () => void }) {
  const { l } = useLedgerText();
  const { r, sv } = useReadinessText();
  const d = card?.device;
  const h = card?.health;
  const series = (f: (p: HealthPoint) => number | null) => (h?.points ?? []).map((p) => [p.atMs + p.spanMs, f(p)]);
  return (
    <Modal open={Boolean(card)} width={1000} title={`${l('card')} · ${d?.name ?? ''}`} onCancel={onClose} footer={d && <Button icon={<FilePdfOutlined />} href={`/api/ledger/devices/${d.id}/card.pdf?days=7`} data-testid="card-pdf">{l('pdf')}</Button>}>
      {card && d && h && (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="device-card">
          <Descriptions size="small" bordered column={2} title={l('facts')}>
            <Descriptions.Item label={l('node')}>{d.nodeName}</Descriptions.Item><Descriptions.Item label={l('cls')}>{l(`cls_${d.deviceClass}`)}</Descriptions.Item>
            <Descriptions.Item label={l('code')}>{d.code}</Descriptions.Item><Descriptions.Item label={l('model')}>{d.model || '—'}</Descriptions.Item>
            <Descriptions.Item label={l('serial')}>{d.serial || '—'}</Descriptions.Item><Descriptions.Item label={l('firmware')}>{d.firmware || '—'}</Descriptions.Item>
            <Descriptions.Item label={l('room')}>{d.roomName ?? '—'}</Descriptions.Item><Descriptions.Item label={l('installed')}>{day(d.installedOnMs)}</Descriptions.Item>
            <Descriptions.Item label={l('warranty')}>{day(d.warrantyUntilMs)}</Descriptions.Item><Descriptions.Item label={l('responsible')}>{d.responsibleName || '—'} {d.responsiblePhone}</Descriptions.Item>
          </Descriptions>
          <Card size="small" title={l('healthHistory')} data-testid="card-health">
            {h.points.length === 0 ? <Alert type="info" message={l('noHealth')} /> : (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Space wrap>
                  <Tag color="blue">{l('onlineShare')} {pct(h.summary.onlineRatio)}</Tag>
                  <Tag color="blue">{l('recordingShare')} {pct(h.summary.recordingRatio)}</Tag>
                  <Tag>{l('bitrate')} {h.summary.meanBitrateKbps === null ? '—' : Math.round(h.summary.meanBitrateKbps)}</Tag>
                  <Tag>{l('fps')} {h.summary.meanFps === null ? '—' : h.summary.meanFps.toFixed(1)}</Tag>
                  <Tag color={h.summary.lostPackets > 0 ? 'orange' : undefined}>{l('lost')} {h.summary.lostPackets}</Tag>
                  <Tag color={h.summary.lastClockOffsetMs !== null && Math.abs(h.summary.lastClockOffsetMs) > card.limits.cameraClockDriftMs ? 'red' : undefined}>{l('clockOffset')} {h.summary.lastClockOffsetMs ?? '—'} ({l('clockLimit', { n: card.limits.cameraClockDriftMs })})</Tag>
                  <Tag>{l('samples')} {h.summary.samples}</Tag>
                </Space>
                <Chart testId="chart-card-stream" height={220} option={{
                  tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { top: 30, left: 50, right: 50, bottom: 30 },
                  xAxis: { type: 'time', axisLabel: { formatter: (v: number) => formatBeijing(v).slice(5, 16) } },
                  yAxis: [{ type: 'value', name: 'kbit/s' }, { type: 'value', name: 'fps / %' }],
                  series: [
                    { name: l('bitrate'), type: 'line', showSymbol: false, data: series((p) => p.bitrateKbps) },
                    { name: l('fps'), type: 'line', yAxisIndex: 1, showSymbol: false, data: series((p) => p.fps) },
                    { name: l('onlineShare'), type: 'line', yAxisIndex: 1, step: 'end', showSymbol: false, data: series((p) => p.onlineRatio * 100) },
                    // A device that does not record (NVR status, switch, server) has no recording share.
                    ...(d.cameraId !== null ? [{ name: l('recordingShare'), type: 'line' as const, yAxisIndex: 1, step: 'end' as const, showSymbol: false, data: series((p) => p.recordingRatio * 100) }] : []),
                  ],
                }} />
                <Chart testId="chart-card-clock" height={160} option={{
                  tooltip: { trigger: 'axis' }, grid: { top: 20, left: 50, right: 50, bottom: 30 },
                  xAxis: { type: 'time', axisLabel: { formatter: (v: number) => formatBeijing(v).slice(5, 16) } },
                  yAxis: { type: 'value', name: 'ms' },
                  series: [
                    { name: l('clockOffset'), type: 'line', showSymbol: false, data: series((p) => p.clockOffsetMs), markLine: { silent: true, symbol: 'none', lineStyle: { color: '#d4380d', type: 'dashed' }, data: [{ yAxis: card.limits.cameraClockDriftMs }, { yAxis: -card.limits.cameraClockDriftMs }] } },
                    { name: l('lost'), type: 'bar', data: series((p) => p.lostPackets) },
                  ],
                }} />
                <Typography.Text strong>{l('spans')}</Typography.Text>
                <Table<StatusSpan> rowKey="fromMs" size="small" pagination={{ pageSize: 8 }} dataSource={[...h.spans].reverse()} data-testid="card-spans" columns={[
                  { title: l('state'), dataIndex: 'state', render: (v: string) => <Tag color={SPAN_COLOR[v]}>{l(`span_${v}`)}</Tag> },
                  { title: l('spanFrom'), dataIndex: 'fromMs', render: (v: number) => formatBeijing(v) },
                  { title: l('spanTo'), dataIndex: 'toMs', render: (v: number) => formatBeijing(v) },
                  { title: l('spanMinutes'), render: (_: unknown, s) => Math.round((s.toMs - s.fromMs) / 60_000) },
                ]} />
              </Space>
            )}
          </Card>
          {card.readiness.length > 0 && (
            <Card size="small" title={l('readinessLast')}>
              <Table rowKey="probe" size="small" pagination={false} dataSource={card.readiness} columns={[
                { title: l('probe'), dataIndex: 'probe', render: (v: string) => r(`probe_${v}` as ReadinessMsgKey) ?? v },
                { title: l('verdict'), dataIndex: 'verdict', render: (v: string) => <Tag color={VERDICT_COLOR[v]}>{r(v as ReadinessMsgKey) ?? v}</Tag> },
                { title: l('value'), dataIndex: 'value', render: (v: string) => sv(v) },
                { title: l('summary'), dataIndex: 'reason', render: (v: string | null) => (v ? sv(v) : '') },
                { title: l('sampled'), dataIndex: 'measuredAtMs', render: (v: number) => formatBeijing(v) },
              ]} />
            </Card>
          )}
          <Typography.Title level={5}>{l('history')}</Typography.Title>
          <Table<TicketView> rowKey="id" size="small" pagination={false} dataSource={card.tickets} columns={ticketColumns} />
        </Space>
      )}
    </Modal>
  );
}
