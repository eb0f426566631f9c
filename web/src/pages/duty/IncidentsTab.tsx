// 事件 tab (R-FN-2): mark an incident on cameras and a time range (the server holds the footage as
// evidence at once and sends it to every level above), and handle incidents received here and from
// below: 已接收 → 已确认 → 已关闭, each step with a note (closing needs one).
import { useState } from 'react';
import { App as AntApp, Button, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { FlagOutlined } from '@ant-design/icons';
import { FormModal } from '../../components/FormModal.tsx';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { dutyApi } from './dutyApi.ts';
import type { IncidentView, ReceivedIncident } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';
import type { DutyOptions } from './useDutyOptions.ts';
import { wallRule } from './wallTime.ts';

type Step = 'received' | 'confirmed' | 'closed';
interface Props { t: DutyText; incidents: IncidentView[]; received: ReceivedIncident[]; canMark: boolean; canHandle: boolean; options: DutyOptions; onChanged: () => void }
interface MarkValues { cameraIds: number[]; category: 'cheating' | 'device' | 'emergency'; description: string; from: string; to: string }
const NEXT: Record<ReceivedIncident['state'], Step[]> = { new: ['received'], received: ['confirmed', 'closed'], confirmed: ['closed'], closed: [] };
const stateColor = { new: 'red', received: 'orange', confirmed: 'blue', closed: 'default' } as const;
const keyOf = (r: ReceivedIncident) => `${r.originCode}/${r.key}`;

export function IncidentsTab({ t, incidents, received, canMark, canHandle, options, onChanged }: Props) {
  const { message } = AntApp.useApp();
  const [marking, setMarking] = useState(false);
  const [handling, setHandling] = useState<{ item: ReceivedIncident; state: Step }>();
  const [markForm] = Form.useForm<MarkValues>();
  const [handleForm] = Form.useForm<{ note?: string }>();
  const now = Date.now();

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canMark && <Button icon={<FlagOutlined />} onClick={() => setMarking(true)} data-testid="duty-incident-mark">{t('markIncident')}</Button>}
      <Table rowKey="id" size="small" pagination={false} dataSource={incidents} data-testid="duty-incidents"
        columns={[
          { title: t('at'), key: 'a', render: (_, r) => `${formatBeijing(r.fromMs)} – ${formatBeijing(r.toMs)}` },
          { title: t('cameras'), key: 'c', render: (_, r) => r.cameraIds.map(options.cameraName).join('、') },
          { title: t('category'), dataIndex: 'categoryLabel' },
          { title: t('description'), dataIndex: 'description' },
          { title: t('reporter'), dataIndex: 'reportedBy' },
          { title: t('holds'), key: 'h', render: (_, r) => r.holdIds.length },
          // The held range as an evidence package: the existing export request (approved by a leader or
          // administrator, downloaded with its signed manifest under 录像回放 → 导出申请).
          ...(canMark ? [{
            title: t('actions'), key: 'x', render: (_: unknown, r: IncidentView) => (
              <Button size="small" data-testid={`duty-incident-export-${r.id}`} onClick={() => {
                dutyApi.requestExport({ cameraIds: r.cameraIds.slice(0, 16), fromMs: r.fromMs, toMs: r.toMs, purpose: t('exportPurpose', { id: r.id, category: r.categoryLabel, text: r.description }).slice(0, 500) })
                  .then((x) => void message.success(t('exportRequested', { id: x.id })), (err: unknown) => void message.error(err instanceof Error ? err.message : String(err)));
              }}>{t('exportEvidence')}</Button>
            ),
          }] : []),
        ]} />
      <Typography.Title level={5}>{t('received')}</Typography.Title>
      <Table rowKey={keyOf} size="small" pagination={false} dataSource={received} data-testid="duty-received"
        columns={[
          { title: t('at'), key: 'a', render: (_, r) => formatBeijing(r.receivedAtMs) },
          { title: t('category'), key: 'c', render: (_, r) => (r.incident as { categoryLabel?: string } | null)?.categoryLabel ?? '-' },
          { title: t('description'), key: 'd', render: (_, r) => (r.incident as { description?: string } | null)?.description ?? '-' },
          { title: t('state'), key: 's', render: (_, r) => <Tag color={stateColor[r.state]} data-testid={`duty-received-state-${keyOf(r)}`}>{t(`st_${r.state}`)}</Tag> },
          { title: t('handlingSteps'), key: 'h', render: (_, r) => r.steps.map((s) => `${t(`st_${s.state}`)} ${s.by} ${formatBeijing(s.atMs)}${s.note ? `：${s.note}` : ''}`).join('；') || '-' },
          ...(canHandle ? [{
            title: t('actions'), key: 'x', render: (_: unknown, r: ReceivedIncident) => (
              <Space size={4}>
                {NEXT[r.state].map((s) => (
                  <Button key={s} size="small" onClick={() => setHandling({ item: r, state: s })} data-testid={`duty-handle-${s}`}>{t(`do_${s}`)}</Button>
                ))}
              </Space>
            ),
          }] : []),
        ]} />

      <FormModal title={t('markIncident')} open={marking} form={markForm} testId="duty-incident-form" onCancel={() => setMarking(false)}
        initialValues={{ category: 'cheating', from: formatBeijing(now - 5 * 60_000), to: formatBeijing(now) }}
        onSubmit={async (v) => {
          await dutyApi.markIncident({ cameraIds: v.cameraIds, category: v.category, description: v.description, fromMs: beijingWallToMs(v.from), toMs: beijingWallToMs(v.to) });
          void message.success(t('incidentMarked'));
          setMarking(false);
          onChanged();
        }}>
        <Typography.Paragraph type="secondary">{t('markHint')}</Typography.Paragraph>
        <Form.Item name="cameraIds" label={t('cameras')} rules={[{ required: true, message: t('required', { field: t('cameras') }) }]}>
          <Select mode="multiple" options={options.cameras} optionFilterProp="label" data-testid="duty-incident-cameras" />
        </Form.Item>
        <Form.Item name="category" label={t('category')} rules={[{ required: true }]}>
          <Select options={(['cheating', 'device', 'emergency'] as const).map((k) => ({ value: k, label: t(`cat_${k}`) }))} data-testid="duty-incident-category" />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, min: 2, message: t('required', { field: t('description') }) }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="duty-incident-description" />
        </Form.Item>
        <Space>
          <Form.Item name="from" label={t('fromBj')} rules={[wallRule(t)]}><Input style={{ width: 190 }} /></Form.Item>
          <Form.Item name="to" label={t('toBj')} rules={[wallRule(t)]}><Input style={{ width: 190 }} /></Form.Item>
        </Space>
      </FormModal>

      <FormModal title={handling ? t(`do_${handling.state}`) : ''} open={handling !== undefined} form={handleForm} testId="duty-handle-form" onCancel={() => setHandling(undefined)}
        onSubmit={async (v) => {
          await dutyApi.handle(handling!.item.originCode, handling!.item.key, handling!.state, v.note?.trim() || undefined);
          void message.success(t('handled', { state: t(`st_${handling!.state}`) }));
          setHandling(undefined);
          onChanged();
        }}>
        <Form.Item name="note" label={t('note')} rules={handling?.state === 'closed' ? [{ required: true, message: t('closeNeedsNote') }] : []}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="duty-handle-note" />
        </Form.Item>
      </FormModal>
    </Space>
  );
}
