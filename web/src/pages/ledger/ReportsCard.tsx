// 运行日报/周报/月报 (issue 19 item 3; R-FN-3, R-ORG-2): the health reports this node wrote after each day,
// week and month (and those asked for), for the nodes in my scope, with PDF and Excel downloads (the
// server audits each); buttons write the last full day's, week's or month's report of my scope now.
import { useEffect, useState } from 'react';
import { Button, Card, Space, Table, Tag, message } from 'antd';
import { FilePdfOutlined, FileExcelOutlined, ReloadOutlined } from '@ant-design/icons';
import { errorMessage, request } from '../../api.ts';
import { formatBeijing } from '../../time.ts';
import type { StoredReport } from '../../../../src/ledger/report-archive.ts';
import { useLedgerText } from './ledgerText.ts';

const day = (ms: number) => formatBeijing(ms).slice(0, 10);

export function ReportsCard() {
  const { l } = useLedgerText();
  const [reports, setReports] = useState<StoredReport[]>([]);
  const [busy, setBusy] = useState<string>();
  const load = async () => {
    try {
      setReports((await request<{ reports: StoredReport[] }>('GET', '/api/ledger/reports')).reports);
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  useEffect(() => { void load(); }, []);
  const make = async (period: 'day' | 'week' | 'month') => {
    setBusy(period);
    try {
      const r = await request<StoredReport>('POST', '/api/ledger/reports', { period });
      void message.success(l('reportMade', { n: r.nodeName, p: r.label }));
      await load();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Card size="small" title={l('reports')} data-testid="health-reports" extra={<Space>
      <Button size="small" loading={busy === 'day'} onClick={() => void make('day')}>{l('makeDay')}</Button>
      <Button size="small" loading={busy === 'week'} onClick={() => void make('week')}>{l('makeWeek')}</Button>
      <Button size="small" loading={busy === 'month'} onClick={() => void make('month')} data-testid="make-month-report">{l('makeMonth')}</Button>
      <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()} />
    </Space>}>
      <Table<StoredReport> rowKey="id" size="small" dataSource={reports} pagination={{ pageSize: 10 }} locale={{ emptyText: l('noReports') }} columns={[
        { title: l('reportPeriod'), render: (_: unknown, r) => <Space size={4}><Tag color={r.period === 'day' ? 'blue' : r.period === 'week' ? 'purple' : 'geekblue'}>{r.label}</Tag>{r.period === 'day' ? day(r.fromMs) : `${day(r.fromMs)} ～ ${day(r.toMs - 1)}`}</Space> },
        { title: l('node'), dataIndex: 'nodeName' },
        { title: l('sites'), dataIndex: 'sites' },
        { title: l('tickets'), dataIndex: 'tickets' },
        { title: l('reportMadeAt'), render: (_: unknown, r) => <Space size={4}>{formatBeijing(r.generatedAtMs)}<Tag>{r.origin === 'schedule' ? l('bySchedule') : r.by}</Tag></Space> },
        { title: l('download'), render: (_: unknown, r) => <Space size={4}>
          <Button size="small" icon={<FilePdfOutlined />} href={`/api/ledger/reports/${r.id}/pdf`}>PDF</Button>
          <Button size="small" icon={<FileExcelOutlined />} href={`/api/ledger/reports/${r.id}/xlsx`}>Excel</Button>
        </Space> },
      ]} />
    </Card>
  );
}
