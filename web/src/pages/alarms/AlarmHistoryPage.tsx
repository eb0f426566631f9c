// 报警记录 (issue 14 item 5, R-REC-4, R-ACC-1): every alarm in my scope, filtered by time, site, kind
// and state; who acknowledged it, when and the disposition (处置意见) they wrote; live / playback
// links at the gap's moment; Excel export (GET /api/alarms.xlsx, audited).
import { useEffect, useState } from 'react';
import { Button, Card, DatePicker, Select, Space, Table, Typography } from 'antd';
import { DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { api, errorMessage, request } from '../../api.ts';
import { useConsoleText } from '../../consoleText.ts';
import { liveLink, playbackLink } from '../../deepLink.ts';
import { formatBeijing } from '../../time.ts';
import type { Alarm, OrgNode } from '../../types.ts';
import { reasonLabel } from '../playback/pbApi.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';

type StateFilter = 'open' | 'acked' | 'active' | undefined;

function query(range: [Dayjs, Dayjs] | null, siteId?: number, kind?: string, state?: StateFilter): string {
  const q = new URLSearchParams({ limit: '500' });
  if (range) {
    q.set('fromMs', String(range[0].startOf('day').valueOf()));
    q.set('toMs', String(range[1].endOf('day').valueOf() + 1));
  }
  if (siteId) q.set('siteId', String(siteId));
  if (kind) q.set('kind', kind);
  if (state === 'open') q.set('acked', 'false');
  if (state === 'acked') q.set('acked', 'true');
  if (state === 'active') q.set('open', 'true');
  return q.toString();
}

/** 张三（zhangsan）: the person, with the login name that the audit log records. */
function ackByLabel(a: { acknowledgedBy: string | null; acknowledgedByName: string | null }): string {
  if (!a.acknowledgedBy) return '';
  return a.acknowledgedByName && a.acknowledgedByName !== a.acknowledgedBy ? `${a.acknowledgedByName}（${a.acknowledgedBy}）` : a.acknowledgedBy;
}

export function AlarmHistoryPage() {
  const { c, lang } = useConsoleText();
  const [sites, setSites] = useState<OrgNode[]>([]);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [siteId, setSiteId] = useState<number>();
  const [kind, setKind] = useState<string>();
  const [state, setState] = useState<StateFilter>();
  const [rows, setRows] = useState<Alarm[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const load = async () => {
    setLoading(true);
    try {
      setRows((await request<{ alarms: Alarm[] }>('GET', `/api/alarms?${query(range, siteId, kind, state)}`)).alarms);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    api.orgTree().then((r) => setSites(r.nodes.filter((n) => n.kind === 'site')), () => undefined);
    void load();
  }, []);
  const at = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms));

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }} data-testid="alarms-page">
      <Typography.Title level={4} style={{ margin: 0 }}>{c('alarmsTitle')}</Typography.Title>
      <Card size="small">
        <Space wrap>
          <DatePicker.RangePicker value={range} onChange={(v) => setRange(v && v[0] && v[1] ? [v[0], v[1]] : null)} data-testid="alarms-range" />
          <Select allowClear style={{ width: 200 }} placeholder={c('fSite')} value={siteId} onChange={setSiteId} options={sites.map((s) => ({ value: s.id, label: s.name }))} data-testid="alarms-site" />
          <Select allowClear style={{ width: 150 }} placeholder={c('fKind')} value={kind} onChange={setKind}
            options={['recording_gap', 'camera_not_ready', 'ptz_refused'].map((k) => ({ value: k, label: c(`kind_${k}` as 'kind_recording_gap') }))} data-testid="alarms-kind" />
          <Select allowClear style={{ width: 130 }} placeholder={c('fState')} value={state} onChange={setState}
            options={(['open', 'acked', 'active'] as const).map((k) => ({ value: k, label: c(`st_${k}`) }))} data-testid="alarms-state" />
          <Button type="primary" icon={<SearchOutlined />} onClick={() => void load()} data-testid="alarms-search">{c('search')}</Button>
          <Button icon={<DownloadOutlined />} href={`/api/alarms.xlsx?${query(range, siteId, kind, state)}`} data-testid="alarms-export">{c('exportXlsx')}</Button>
        </Space>
      </Card>
      {error && <ErrorAlert message={error} />}
      <Table<Alarm>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={rows}
        pagination={{ pageSize: 50 }}
        data-testid="alarms-table"
        columns={[
          { title: c('fTime'), key: 'raised', render: (_, a) => at(a.raisedAtMs), width: 170 },
          { title: c('fKind'), key: 'kind', render: (_, a) => c(`kind_${a.kind}` as 'kind_recording_gap'), width: 110 },
          { title: c('colWhere'), key: 'where', render: (_, a) => [a.siteName, a.roomName, a.cameraName ?? `#${a.cameraId}`].filter(Boolean).join(' · ') },
          { title: c('colReason'), key: 'reason', render: (_, a) => reasonLabel(a.reason, lang), width: 120 },
          { title: c('colCleared'), key: 'cleared', render: (_, a) => (a.clearedAtMs === null ? <Typography.Text type="danger">{c('notCleared')}</Typography.Text> : at(a.clearedAtMs)), width: 170 },
          { title: c('colAckBy'), key: 'ackBy', render: (_, a) => (a.acknowledgedBy === null ? <Typography.Text type="warning">{c('st_open')}</Typography.Text> : <span title={a.acknowledgedBy} data-testid={`alarm-ackby-${a.id}`}>{ackByLabel(a)}</span>), width: 120 },
          { title: c('colAckAt'), key: 'ackAt', render: (_, a) => at(a.acknowledgedAtMs), width: 170 },
          { title: c('colDisposition'), key: 'disp', render: (_, a) => <span data-testid={`alarm-disposition-${a.id}`}>{a.disposition ?? '—'}</span> },
          {
            title: c('colGo'), key: 'go', width: 110,
            render: (_, a) => (
              <Space size={8}>
                <a href={liveLink(a.cameraId)} data-testid={`alarms-live-${a.id}`}>{c('alarmLive')}</a>
                <a href={playbackLink(a.cameraId, a.gapStartMs ?? a.raisedAtMs)} data-testid={`alarms-playback-${a.id}`}>{c('alarmPlayback')}</a>
              </Space>
            ),
          },
        ]}
      />
    </Space>
  );
}
