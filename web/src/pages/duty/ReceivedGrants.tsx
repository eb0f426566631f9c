// 审批 tab, requests from the levels below (R-DIS-3; docs/design/duty.md "Downward approvals"): a
// site's remote-viewing requests arrive over the node-to-node channel; an administrator here (the
// server checks "strictly above" and "not one's own") approves or refuses with a note. The decision
// travels down in the answer to the site's next poll and takes effect there; the state shown is the
// site's own, so 已批准 appears once the site applied it, and 已撤回 (no buttons) when the requester withdrew it.
import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Form, Input, Radio, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { AuditOutlined, WarningOutlined } from '@ant-design/icons';
import { api } from '../../api.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { formatBeijing } from '../../time.ts';
import { dutyApi } from './dutyApi.ts';
import type { ReceivedRequestView } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';

const POLL_MS = 5000;
const stateColor: Record<string, string> = { pending: 'orange', approved: 'green', refused: 'red', cancelled: 'default' };

export function ReceivedGrants({ t, canDecide }: { t: DutyText; canDecide: boolean }) {
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<ReceivedRequestView[]>([]);
  const [deciding, setDeciding] = useState<ReceivedRequestView>();
  const [form] = Form.useForm<{ approve: boolean; note?: string }>();
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const load = useCallback(() => dutyApi.receivedGrants().then((r) => setRows(r.requests), () => undefined), []);
  const known = rows.every((g) => names.has(g.originCode));
  useEffect(() => {
    // The lower node by name where this node's tree knows its GB code (as the alarm banner does).
    if (rows.length === 0 || known) return;
    api.orgTree().then((t) => setNames(new Map(t.nodes.map((n) => [n.gbCode, n.name]))), () => undefined);
  }, [rows.length, known]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS); // the site's applied state comes back up within seconds
    return () => clearInterval(timer);
  }, [load]);
  if (rows.length === 0) return null;

  const stateOf = (g: ReceivedRequestView) => {
    if (g.state === 'cancelled' && g.decisionSent) return <Tag color="default">{t('gs_cancelled')}</Tag>;
    if (g.state === 'pending' && g.decisionSent) return <Tag color="processing">{t('decisionSentWait', { decision: g.decisionSent.approve ? t('approved') : t('refused'), by: g.decisionSent.decidedBy })}</Tag>;
    return <Tag color={stateColor[g.state]}>{t(`gs_${g.state as 'pending'}`)}</Tag>;
  };
  return (
    <Space direction="vertical" style={{ width: '100%', marginTop: 16 }}>
      <Typography.Text strong>{t('receivedGrants')}</Typography.Text>
      <Table rowKey={(g) => `${g.originCode}:${g.key}`} size="small" pagination={false} dataSource={rows} data-testid="duty-grants-received"
        columns={[
          { title: t('lowerNode'), key: 'o', render: (_, g) => <Space size={4}><Tooltip title={g.originCode}>{names.get(g.originCode) ?? g.originCode}</Tooltip>{g.stale && <Tooltip title={t('staleLower')}><WarningOutlined style={{ color: '#faad14' }} /></Tooltip>}</Space> },
          { title: t('requester'), dataIndex: 'requester' },
          { title: t('targets'), key: 'w', render: (_, g) => [...g.rooms.map((r) => r.name), ...g.cameras.map((c) => c.name)].join('、') },
          { title: t('reason'), dataIndex: 'reason' },
          { title: t('period'), key: 'p', render: (_, g) => `${formatBeijing(g.fromMs)} – ${formatBeijing(g.toMs)}` },
          { title: t('state'), key: 's', render: (_, g) => stateOf(g) },
          { title: t('decision'), key: 'd', render: (_, g) => <Space direction="vertical" size={0}>{g.decidedBy ? `${g.decidedBy} ${formatBeijing(g.decidedAtMs ?? 0)}${g.note ? `：${g.note}` : ''}` : '-'}{typeof g.cancelledAtMs === 'number' && <span>{t('cancelledAt', { time: formatBeijing(g.cancelledAtMs) })}</span>}</Space> },
          ...(canDecide ? [{
            title: t('actions'), key: 'a', render: (_: unknown, g: ReceivedRequestView) => g.state === 'pending' && !g.decisionSent && (
              <Button size="small" icon={<AuditOutlined />} onClick={() => setDeciding(g)} data-testid={`duty-received-decide-${g.originCode}-${g.key}`}>{t('decide')}</Button>
            ),
          }] : []),
        ]} />
      <FormModal title={t('decideTitle', { name: deciding?.requester ?? '' })} open={deciding !== undefined} form={form} testId="duty-received-decide" onCancel={() => setDeciding(undefined)}
        onSubmit={async (v) => {
          await dutyApi.decideReceived(deciding!.originCode, deciding!.key, v.approve, v.note?.trim() || undefined);
          void message.success(v.approve ? t('approved') : t('refused'));
          setDeciding(undefined);
          void load();
        }}>
        <Form.Item name="approve" label={t('decision')} rules={[{ required: true, message: t('pickDecision') }]}>
          <Radio.Group data-testid="duty-received-decide-choice">
            <Radio value={true}>{t('approve')}</Radio>
            <Radio value={false}>{t('refuse')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="note" label={t('note')}>
          <Input.TextArea rows={2} maxLength={512} data-testid="duty-received-decide-note" />
        </Form.Item>
      </FormModal>
    </Space>
  );
}
