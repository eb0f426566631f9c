// 录像检索: RecordInfo of one remote channel for a time range, asked of the lower platform that owns
// it (audited at this node as cascade.record-info). The pickers show Beijing wall-clock time
// whatever the browser's zone (converted through time.ts like the audit page's filter).
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, DatePicker, Modal, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { Dayjs } from 'dayjs';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { cascadeApi } from './cascadeApi.ts';
import type { RecordItem, RemoteChannel } from './cascadeApi.ts';
import { useCascadeText } from './cascadeText.ts';

const wallMs = (d: Dayjs) => beijingWallToMs(d.format('YYYY-MM-DD HH:mm:ss'));
/** GB times are Beijing local time without zone, `YYYY-MM-DDTHH:mm:ss`. */
const gbMs = (s: string) => beijingWallToMs(s.replace('T', ' '));

function duration(ms: number, lang: string): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (lang === 'en') return `${h ? `${h} h ` : ''}${h || m ? `${m} min ` : ''}${sec} s`;
  return `${h ? `${h} 小时 ` : ''}${h || m ? `${m} 分 ` : ''}${sec} 秒`;
}

export function RecordsModal({ channel, onClose }: { channel: RemoteChannel; onClose: () => void }) {
  const { c, err, lang } = useCascadeText();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(() => {
    const now = Date.now();
    return [dayjs(`${formatBeijing(now).slice(0, 10)} 00:00:00`), dayjs(formatBeijing(now))];
  });
  const [records, setRecords] = useState<RecordItem[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const query = useCallback(async () => {
    const [from, to] = range ?? [null, null];
    if (!from || !to || wallMs(to) <= wallMs(from)) {
      setError(c('rangeInvalid'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setRecords((await cascadeApi.records(channel.deviceId, wallMs(from), wallMs(to))).records);
    } catch (e) {
      setError(err(e));
      setRecords(undefined);
    } finally {
      setBusy(false);
    }
  }, [range, channel.deviceId, c, err]);
  // Ask once on open, for today so far; later queries come from the button.
  useEffect(() => {
    void query();
  }, []);

  const columns: TableColumnsType<RecordItem> = [
    { title: c('recStart'), dataIndex: 'startTime', render: (v: string) => formatBeijing(gbMs(v)) },
    { title: c('recEnd'), dataIndex: 'endTime', render: (v: string) => formatBeijing(gbMs(v)) },
    { title: c('recDuration'), key: 'd', render: (_, r) => duration(gbMs(r.endTime) - gbMs(r.startTime), lang) },
    { title: c('recSize'), dataIndex: 'fileSize', render: (v?: number) => (v ? `${(v / 1024 / 1024).toFixed(1)} MB` : '—') },
    { title: c('recType'), dataIndex: 'type', render: (v?: string) => v ?? '—' },
  ];
  const total = (records ?? []).reduce((n, r) => n + Math.max(0, gbMs(r.endTime) - gbMs(r.startTime)), 0);

  return (
    <Modal open title={c('recordsTitle', { name: channel.name })} width={820} footer={null} onCancel={onClose} destroyOnHidden>
      <div data-testid="records-modal">
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text type="secondary">{c('recordsHint')}</Typography.Text>
          <Space wrap>
            <span>{c('range')}</span>
            <DatePicker.RangePicker showTime format="YYYY-MM-DD HH:mm:ss" value={range} onChange={(v) => setRange(v)} style={{ width: 380 }} data-testid="records-range" />
            <Button type="primary" icon={<SearchOutlined />} loading={busy} onClick={() => void query()} data-testid="records-query">{c('query')}</Button>
          </Space>
          {error && <Alert type="error" showIcon title={error} data-testid="records-error" />}
          {records && records.length > 0 && <Typography.Text data-testid="records-total">{c('recordsTotal', { n: records.length, d: duration(total, lang) })}</Typography.Text>}
          <Table<RecordItem> size="small" rowKey={(r) => `${r.startTime}-${r.endTime}`} columns={columns} dataSource={records ?? []} loading={busy} pagination={{ pageSize: 10, hideOnSinglePage: true }} locale={{ emptyText: c('noRecords') }} />
        </Space>
      </div>
    </Modal>
  );
}
