// 数据上报通道 (docs/design/uplink.md, R-PRE-2): per lower level — direct, or reported through a
// middle level — when the node-to-node channel last heard from it, how many items it still has
// queued, and whether it is stale (silent past the threshold, or never heard: never shown as
// healthy). Also this node's own channel to its upper (state, backlog, last error).
import { useEffect, useState } from 'react';
import { Alert, Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ApiOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import { uplinkApi } from './uplinkApi.ts';
import type { UplinkPeer, UplinkSenderStatus } from './uplinkApi.ts';

const zh = {
  title: '数据上报通道', hint: '考前检测、台账、故障、值守状态和审计检查点经此通道逐级上报（国标级联之外）',
  lower: '下级', via: '经由', direct: '直连', lastContact: '最后通信', backlog: '待上报', items: '已接收条目', state: '通道状态',
  fresh: '正常', stale: '失联', never: '从未通信', none: '暂无下级通过数据通道上报', upTitle: '本节点向上级上报',
  up_idle: '正常', up_sending: '正在发送', up_failing: '中断', lastSuccess: '最近成功', queued: '{n} 条待发送', error: '错误',
};
const en: typeof zh = {
  title: 'Data uplink channel', hint: 'Readiness, ledger, faults, duty state and audit checkpoints travel upward here (besides GB/T 28181)',
  lower: 'Lower level', via: 'Via', direct: 'direct', lastContact: 'Last contact', backlog: 'Queued', items: 'Items received', state: 'Channel',
  fresh: 'OK', stale: 'Stale', never: 'Never heard', none: 'No lower level reports over the data channel yet', upTitle: 'This node → upper',
  up_idle: 'OK', up_sending: 'Sending', up_failing: 'Failing', lastSuccess: 'Last success', queued: '{n} queued', error: 'Error',
};

export function UplinkCard({ tick }: { tick: number }) {
  const { lang } = useI18n();
  const d = lang === 'en' ? en : zh;
  const [peers, setPeers] = useState<UplinkPeer[]>();
  const [sender, setSender] = useState<UplinkSenderStatus>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    uplinkApi.peers().then((r) => {
      setPeers(r.peers);
      setSender(r.sender);
      setError(undefined);
    }, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [tick]);

  const state = (p: UplinkPeer) => {
    if (p.lastReceivedAtMs === null) return <Tag color="warning" data-testid="uplink-state">{d.never}</Tag>;
    return p.stale ? <Tag color="error" data-testid="uplink-state">{d.stale}</Tag> : <Tag color="success" data-testid="uplink-state">{d.fresh}</Tag>;
  };
  const columns: TableColumnsType<UplinkPeer> = [
    { title: d.lower, key: 'name', render: (_, p) => <Space size={6} wrap><Typography.Text strong={p.viaCode === null}>{p.name}</Typography.Text><Typography.Text type="secondary" style={{ fontSize: 12 }}>{p.code}</Typography.Text></Space> },
    { title: d.via, key: 'via', width: 200, render: (_, p) => p.viaCode ?? d.direct },
    { title: d.state, key: 'state', width: 100, render: (_, p) => state(p) },
    { title: d.lastContact, dataIndex: 'lastReceivedAtMs', width: 170, render: (v: number | null) => (v === null ? '—' : formatBeijing(v)) },
    { title: d.backlog, dataIndex: 'backlog', width: 90, align: 'right', render: (v: number | null) => <span data-testid="uplink-backlog">{v ?? '—'}</span> },
    { title: d.items, dataIndex: 'itemsReceived', width: 110, align: 'right', render: (v: number | null) => v ?? '—' },
  ];
  const upColor = { idle: 'success', sending: 'processing', failing: 'error' } as const;

  return (
    <Card title={<Space><ApiOutlined />{d.title}</Space>} extra={<Typography.Text type="secondary">{d.hint}</Typography.Text>} data-testid="uplink-card">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {sender && (
        <Space size={12} wrap style={{ marginBottom: 12 }} data-testid="uplink-sender">
          <Typography.Text strong>{d.upTitle}</Typography.Text>
          <Tag color={upColor[sender.state]}>{d[`up_${sender.state}`]}</Tag>
          <Typography.Text type="secondary">{sender.url}</Typography.Text>
          <Typography.Text>{d.lastSuccess}: {sender.lastSuccessAtMs ? formatBeijing(sender.lastSuccessAtMs) : '—'}</Typography.Text>
          <Typography.Text>{d.queued.replace('{n}', String(sender.backlog))}</Typography.Text>
          {sender.lastError && <Tooltip title={sender.lastError}><Typography.Text type="danger" ellipsis style={{ maxWidth: 420 }}>{d.error}: {sender.lastError}</Typography.Text></Tooltip>}
        </Space>
      )}
      <Table<UplinkPeer> rowKey={(p) => `${p.viaCode ?? ''}/${p.code}`} size="small" columns={columns} dataSource={peers ?? []} loading={peers === undefined && !error} pagination={false} locale={{ emptyText: d.none }} rowClassName={(p) => (p.stale ? 'uplink-stale' : '')} />
    </Card>
  );
}
