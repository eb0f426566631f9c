// 审批 tab (R-DIS-3): remote-viewing requests. A viewer away from a monitoring room asks for exam
// rooms or cameras, a reason and a period; a user of the exam authority above (administrators
// here; the server checks that the node is strictly above and not the requester) approves or
// refuses with a note. The grant ends by itself at its end time, or at once when its requester
// withdraws it (撤回; the server checks it is theirs).
import { useState } from 'react';
import type { ButtonProps } from 'antd';
import { App as AntApp, Button, Form, Input, Popconfirm, Radio, Select, Space, Table, Tag } from 'antd';
import { AuditOutlined, PlusOutlined, RollbackOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { dutyApi } from './dutyApi.ts';
import type { ViewRequestView } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';
import type { DutyOptions } from './useDutyOptions.ts';
import { ReceivedGrants } from './ReceivedGrants.tsx';
import { wallRule } from './wallTime.ts';

interface Props { t: DutyText; grants: ViewRequestView[]; canRequest: boolean; canDecide: boolean; options: DutyOptions; onChanged: () => void }
interface RequestValues { roomIds?: number[]; cameraIds?: number[]; reason: string; from: string; to: string }
const HOUR_MS = 3600_000;
const stateColor: Record<string, string> = { pending: 'orange', approved: 'green', refused: 'red', cancelled: 'default' };

export function GrantsTab({ t, grants, canRequest, canDecide, options, onChanged }: Props) {
  const { message } = AntApp.useApp();
  const [asking, setAsking] = useState(false);
  const [deciding, setDeciding] = useState<ViewRequestView>();
  const [reqForm] = Form.useForm<RequestValues>();
  const [decForm] = Form.useForm<{ approve: boolean; note?: string }>();
  const now = Date.now();
  const cancel = (id: number) =>
    dutyApi.cancelGrant(id).then(() => {
      void message.success(t('grantCancelled'));
      onChanged();
    }, (err: unknown) => void message.error(errorMessage(err)));

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canRequest && <Button icon={<PlusOutlined />} onClick={() => setAsking(true)} data-testid="duty-grant-request">{t('grantRequest')}</Button>}
      <Table rowKey="id" size="small" pagination={false} dataSource={grants} data-testid="duty-grants"
        columns={[
          { title: t('requester'), dataIndex: 'requester' },
          { title: t('targets'), key: 'w', render: (_, g) => [...g.roomIds.map(options.roomName), ...g.cameraIds.map(options.cameraName)].join('、') },
          { title: t('reason'), dataIndex: 'reason' },
          { title: t('period'), key: 'p', render: (_, g) => `${formatBeijing(g.fromMs)} – ${formatBeijing(g.toMs)}` },
          { title: t('state'), key: 's', render: (_, g) => <Space size={4}><Tag color={stateColor[g.state]}>{t(`gs_${g.state as 'pending'}`)}</Tag>{g.activeNow && <Tag color="blue">{t('activeNow')}</Tag>}</Space> },
          { title: t('decision'), key: 'd', render: (_, g) => <Space direction="vertical" size={0}>{g.decidedBy ? `${g.decidedBy} ${formatBeijing(g.decidedAtMs ?? 0)}${g.note ? `：${g.note}` : ''}` : '-'}{g.cancelledAtMs !== null && <span>{t('cancelledAt', { time: formatBeijing(g.cancelledAtMs) })}</span>}</Space> },
          {
            title: t('actions'), key: 'a', render: (_: unknown, g: ViewRequestView) => (
              <Space size={4}>
                {canDecide && g.state === 'pending' && <Button size="small" icon={<AuditOutlined />} onClick={() => setDeciding(g)} data-testid={`duty-grant-decide-${g.id}`}>{t('decide')}</Button>}
                {g.mine && (g.state === 'pending' || g.state === 'approved') && g.toMs > now && (
                  <Popconfirm title={t('cancelGrantConfirm')} onConfirm={() => void cancel(g.id)} okButtonProps={{ 'data-testid': `duty-grant-cancel-ok-${g.id}` } as ButtonProps}>
                    <Button size="small" danger icon={<RollbackOutlined />} data-testid={`duty-grant-cancel-${g.id}`}>{t('cancelGrant')}</Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]} />
      <ReceivedGrants t={t} canDecide={canDecide} />

      <FormModal title={t('grantRequest')} open={asking} form={reqForm} testId="duty-grant-form" onCancel={() => setAsking(false)}
        initialValues={{ from: formatBeijing(now).slice(0, 16), to: formatBeijing(now + 2 * HOUR_MS).slice(0, 16) }}
        onSubmit={async (v) => {
          await dutyApi.requestGrant({ roomIds: v.roomIds ?? [], cameraIds: v.cameraIds ?? [], reason: v.reason, fromMs: beijingWallToMs(v.from), toMs: beijingWallToMs(v.to) });
          void message.success(t('grantRequested'));
          setAsking(false);
          onChanged();
        }}>
        <Form.Item name="roomIds" label={t('examRooms')}>
          <Select mode="multiple" options={options.examRooms} optionFilterProp="label" data-testid="duty-grant-rooms" />
        </Form.Item>
        <Form.Item name="cameraIds" label={t('cameras')}>
          <Select mode="multiple" options={options.cameras} optionFilterProp="label" data-testid="duty-grant-cameras" />
        </Form.Item>
        <Form.Item name="reason" label={t('reason')} rules={[{ required: true, min: 2, message: t('required', { field: t('reason') }) }]}>
          <Input.TextArea rows={2} maxLength={512} data-testid="duty-grant-reason" />
        </Form.Item>
        <Space>
          <Form.Item name="from" label={t('fromBj')} rules={[wallRule(t)]}><Input style={{ width: 190 }} /></Form.Item>
          <Form.Item name="to" label={t('toBj')} rules={[wallRule(t)]}><Input style={{ width: 190 }} /></Form.Item>
        </Space>
      </FormModal>

      <FormModal title={t('decideTitle', { name: deciding?.requester ?? '' })} open={deciding !== undefined} form={decForm} testId="duty-decide" onCancel={() => setDeciding(undefined)}
        onSubmit={async (v) => {
          await dutyApi.decideGrant(deciding!.id, v.approve, v.note?.trim() || undefined);
          void message.success(v.approve ? t('approved') : t('refused'));
          setDeciding(undefined);
          onChanged();
        }}>
        <Form.Item name="approve" label={t('decision')} rules={[{ required: true, message: t('pickDecision') }]}>
          <Radio.Group data-testid="duty-decide-choice">
            <Radio value={true}>{t('approve')}</Radio>
            <Radio value={false}>{t('refuse')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="note" label={t('note')}>
          <Input.TextArea rows={2} maxLength={512} data-testid="duty-decide-note" />
        </Form.Item>
      </FormModal>
    </Space>
  );
}
