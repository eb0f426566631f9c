// 下级审计检查点 (issue 13, R-ACC-1): for each lower level whose audit checkpoints reach this node,
// the last one accepted and whether its log went back or was rebuilt (src/audit/checkpoint-watch.ts).
// A problem stays red until someone acknowledges it with a note (audited). Hidden when no lower
// level sends checkpoints (a site at the bottom).
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Input, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { AuditOutlined } from '@ant-design/icons';
import type { CheckpointPeerView } from '../../../../src/audit/checkpoint-watch.ts';
import { errorMessage, request } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';

const zh = {
  title: '下级审计检查点', hint: '下级定期上报审计日志的签名检查点；日志回退或被重建时在此告警',
  node: '下级', lastSeq: '最新检查点（记录号）', lastAt: '检查点时间', received: '接收时间', accepted: '已核对', state: '状态',
  ok: '一致', ack: '确认', ackTitle: '确认告警', note: '核实情况（必填）', problemAt: '发现时间',
  rollback: '日志回退', rebuilt: '日志被重建', unlinked: '检查点不衔接', invalid: '格式错误',
};
const en: typeof zh = {
  title: 'Lower levels\' audit checkpoints', hint: 'Signed checkpoints of each lower level\'s audit log; a log that went back or was rebuilt raises an alarm here',
  node: 'Lower level', lastSeq: 'Last checkpoint (record)', lastAt: 'Checkpoint time', received: 'Received', accepted: 'Checked', state: 'State',
  ok: 'Consistent', ack: 'Acknowledge', ackTitle: 'Acknowledge alarm', note: 'What was found (required)', problemAt: 'Found at',
  rollback: 'Log went back', rebuilt: 'Log rebuilt', unlinked: 'Checkpoint does not link', invalid: 'Invalid',
};

export function CheckpointCard() {
  const { lang } = useI18n();
  const d = lang === 'en' ? en : zh;
  const { message } = App.useApp();
  const [peers, setPeers] = useState<CheckpointPeerView[]>();
  const [error, setError] = useState<string>();
  const [acking, setAcking] = useState<CheckpointPeerView>();
  const [note, setNote] = useState('');
  const load = useCallback(() => {
    request<{ peers: CheckpointPeerView[] }>('GET', '/api/audit/checkpoints').then((r) => { setPeers(r.peers); setError(undefined); }, (e: unknown) => setError(errorMessage(e)));
  }, []);
  useEffect(() => load(), [load]);
  if (!error && (!peers || peers.length === 0)) return null;

  const acknowledge = async () => {
    if (!acking) return;
    try {
      await request('POST', `/api/audit/checkpoints/${acking.originCode}/ack`, { note });
      setAcking(undefined);
      setNote('');
      load();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const columns: TableColumnsType<CheckpointPeerView> = [
    { title: d.node, key: 'node', render: (_, p) => <Space size={6} wrap><Typography.Text strong>{p.nodeName ?? '—'}</Typography.Text><Typography.Text type="secondary" style={{ fontSize: 12 }}>{p.originCode}</Typography.Text></Space> },
    {
      title: d.state, key: 'state', width: 200,
      render: (_, p) => (p.problem
        ? <Tooltip title={`${p.problemText ?? ''} ${p.problemDetail ? JSON.stringify(p.problemDetail) : ''} · ${d.problemAt} ${p.problemAtMs ? formatBeijing(p.problemAtMs) : ''}`}><Tag color="error" data-testid="checkpoint-state">{d[p.problem]}</Tag></Tooltip>
        : <Tag color="success" data-testid="checkpoint-state">{d.ok}</Tag>),
    },
    { title: d.lastSeq, dataIndex: 'lastSeq', width: 150, align: 'right' },
    { title: d.lastAt, dataIndex: 'lastAtMs', width: 170, render: (v: number) => formatBeijing(v) },
    { title: d.received, dataIndex: 'receivedAtMs', width: 170, render: (v: number) => formatBeijing(v) },
    { title: d.accepted, dataIndex: 'accepted', width: 90, align: 'right' },
    { title: '', key: 'ack', width: 90, render: (_, p) => (p.problem ? <Button size="small" danger onClick={() => setAcking(p)} data-testid="checkpoint-ack">{d.ack}</Button> : null) },
  ];
  return (
    <Card size="small" title={<Space><AuditOutlined />{d.title}</Space>} extra={<Typography.Text type="secondary">{d.hint}</Typography.Text>} style={{ marginBottom: 12 }} data-testid="checkpoint-card">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Table<CheckpointPeerView> rowKey="originCode" size="small" columns={columns} dataSource={peers ?? []} pagination={false} />
      <Modal open={acking !== undefined} title={`${d.ackTitle}: ${acking?.nodeName ?? acking?.originCode ?? ''}`} okButtonProps={{ disabled: note.trim() === '' }} onOk={() => void acknowledge()} onCancel={() => setAcking(undefined)}>
        <Typography.Paragraph type="danger">{acking?.problemText}</Typography.Paragraph>
        <Input.TextArea rows={3} maxLength={500} placeholder={d.note} value={note} onChange={(e) => setNote(e.target.value)} />
      </Modal>
    </Card>
  );
}
