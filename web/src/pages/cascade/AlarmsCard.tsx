// 上报告警: alarms received from lower levels (R-FLT-1) and the upper's own "lower went offline"
// records, newest first, refreshed with the page; filter by lower (server side), by kind and by
// text (here). Times are Beijing time: the alarm's own time, and when it reached this node.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { AlertOutlined } from '@ant-design/icons';
import { formatBeijing } from '../../time.ts';
import { cascadeApi } from './cascadeApi.ts';
import type { CascadeAlarm, Lower } from './cascadeApi.ts';
import { alarmCategory, alarmMethodLabel } from './cascadeFormat.ts';
import type { AlarmCategory } from './cascadeFormat.ts';
import { useCascadeText } from './cascadeText.ts';

const LIMIT = 200;
const CATEGORIES: readonly AlarmCategory[] = ['videoLoss', 'recordGap', 'lowerOffline', 'other'];
const CATEGORY_COLOR: Record<AlarmCategory, string> = { videoLoss: 'red', recordGap: 'orange', lowerOffline: 'volcano', other: 'default' };

export function AlarmsCard({ lowers, tick }: { lowers: Lower[]; tick: number }) {
  const { c, err, lang } = useCascadeText();
  const [alarms, setAlarms] = useState<CascadeAlarm[]>();
  const [error, setError] = useState<string>();
  const [lowerId, setLowerId] = useState<number>();
  const [category, setCategory] = useState<AlarmCategory>();
  const [q, setQ] = useState('');

  useEffect(() => {
    let stop = false;
    cascadeApi.alarms(lowerId, LIMIT).then(
      (r) => {
        if (stop) return;
        setAlarms(r.alarms);
        setError(undefined);
      },
      (e: unknown) => !stop && setError(err(e)),
    );
    return () => {
      stop = true;
    };
  }, [lowerId, tick, err]);

  const sipOf = useMemo(() => new Map(lowers.map((l) => [l.id, l.sipId])), [lowers]);
  const categoryOf = (a: CascadeAlarm) => alarmCategory(a, sipOf.get(a.lowerId));
  const needle = q.trim().toLowerCase();
  const shown = (alarms ?? []).filter((a) =>
    (!category || categoryOf(a) === category) &&
    (!needle || [a.channelName, a.deviceId, a.description, a.lowerName].some((s) => s?.toLowerCase().includes(needle))));

  const columns: TableColumnsType<CascadeAlarm> = [
    {
      title: c('alarmTime'),
      key: 'time',
      width: 175,
      render: (_, a) => (
        <Tooltip title={c('receivedAt', { at: formatBeijing(a.receivedAtMs) })}>
          <span>{formatBeijing(a.alarmAtMs ?? a.receivedAtMs)}</span>
        </Tooltip>
      ),
    },
    { title: c('lower'), key: 'lower', width: 180, render: (_, a) => a.lowerName ?? a.lowerId },
    {
      title: c('channel'),
      key: 'channel',
      width: 230,
      render: (_, a) => (
        <Space size={0} orientation="vertical">
          {a.channelName && <span>{a.channelName}</span>}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{a.deviceId}</Typography.Text>
        </Space>
      ),
    },
    {
      title: c('alarmType'),
      key: 'type',
      width: 200,
      render: (_, a) => {
        const cat = categoryOf(a);
        return (
          <Tooltip title={alarmMethodLabel(a.method, a.alarmType, lang)}>
            <Tag color={CATEGORY_COLOR[cat]} data-testid="alarm-category">{cat === 'other' ? alarmMethodLabel(a.method, a.alarmType, lang) : c(`cat_${cat}`)}</Tag>
          </Tooltip>
        );
      },
    },
    { title: c('priority'), dataIndex: 'priority', width: 100, render: (p: number) => (p >= 1 && p <= 4 ? c(`priority_${p as 1 | 2 | 3 | 4}`) : p) },
    { title: c('description'), dataIndex: 'description', render: (v: string | null) => v ?? '—' },
  ];

  return (
    <Card
      size="small"
      data-testid="alarms-card"
      title={<Space><AlertOutlined />{c('alarmsTitle')}<Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>{c('newestFirst', { n: LIMIT })}</Typography.Text></Space>}
      extra={
        <Space wrap>
          <Select<number> allowClear placeholder={c('allLowers')} style={{ width: 200 }} value={lowerId} onChange={setLowerId} options={lowers.map((l) => ({ value: l.id, label: l.name }))} data-testid="alarm-lower-filter" />
          <Select<AlarmCategory> allowClear placeholder={c('allTypes')} style={{ width: 150 }} value={category} onChange={setCategory} options={CATEGORIES.map((k) => ({ value: k, label: c(`cat_${k}`) }))} data-testid="alarm-type-filter" />
          <Input.Search allowClear placeholder={c('searchAlarm')} style={{ width: 220 }} value={q} onChange={(e) => setQ(e.target.value)} data-testid="alarm-search" />
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
      <Table<CascadeAlarm>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={shown}
        loading={alarms === undefined && !error}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: c('noAlarms') }}
        scroll={{ x: 1100 }}
      />
    </Card>
  );
}
