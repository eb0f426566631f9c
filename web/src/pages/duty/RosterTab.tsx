// 排班 tab (R-DIS-1): the duty roster per monitoring room. Administrators put a named person on it
// for a period (Beijing wall time) with a duty role, and remove entries; people not on a room's
// roster cannot check in there. Everyone in scope reads it.
import { useState } from 'react';
import { App as AntApp, Button, Form, Input, Popconfirm, Select, Space, Table } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { dutyApi } from './dutyApi.ts';
import type { RosterView } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';
import type { DutyOptions } from './useDutyOptions.ts';
import { wallRule } from './wallTime.ts';

interface Props { t: DutyText; roster: RosterView[]; isAdmin: boolean; options: DutyOptions; onChanged: () => void }
interface Values { roomId: number; userId: number; dutyRole: 'leader' | 'watcher' | 'tech'; from: string; to: string }
const DAY_MS = 24 * 3600_000;

export function RosterTab({ t, roster, isAdmin, options, onChanged }: Props) {
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Values>();
  const required = (field: string) => [{ required: true, message: t('required', { field }) }];

  const remove = async (r: RosterView) => {
    try {
      await dutyApi.removeRoster(r.id);
      void message.success(t('rosterRemoved', { name: r.name }));
      onChanged();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const now = Date.now();

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {isAdmin && <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="duty-roster-add">{t('rosterAdd')}</Button>}
      <Table rowKey="id" size="small" pagination={false} dataSource={roster} data-testid="duty-roster"
        columns={[
          { title: t('room'), key: 'room', render: (_, r) => options.roomName(r.roomId) },
          { title: t('person'), dataIndex: 'name' },
          { title: t('role'), dataIndex: 'dutyRoleLabel' },
          { title: t('from'), key: 'f', render: (_, r) => formatBeijing(r.fromMs) },
          { title: t('to'), key: 't', render: (_, r) => formatBeijing(r.toMs) },
          ...(isAdmin ? [{
            title: t('actions'), key: 'a', render: (_: unknown, r: RosterView) => (
              <Popconfirm title={t('rosterRemoveConfirm', { name: r.name })} onConfirm={() => void remove(r)} okButtonProps={{ 'data-testid': 'duty-roster-remove-ok' }}>
                <Button size="small" danger icon={<DeleteOutlined />} data-testid={`duty-roster-remove-${r.id}`}>{t('remove')}</Button>
              </Popconfirm>
            ),
          }] : []),
        ]} />
      <FormModal title={t('rosterAdd')} open={open} form={form} testId="duty-roster-form" onCancel={() => setOpen(false)}
        initialValues={{ dutyRole: 'watcher', from: formatBeijing(now).slice(0, 16), to: formatBeijing(now + DAY_MS).slice(0, 16) }}
        onSubmit={async (v) => {
          await dutyApi.addRoster({ roomId: v.roomId, userId: v.userId, dutyRole: v.dutyRole, fromMs: beijingWallToMs(v.from), toMs: beijingWallToMs(v.to) });
          void message.success(t('rosterAdded'));
          setOpen(false);
          onChanged();
        }}>
        <Form.Item name="roomId" label={t('room')} rules={required(t('room'))}>
          <Select options={options.monitoringRooms} data-testid="duty-roster-room" />
        </Form.Item>
        <Form.Item name="userId" label={t('person')} rules={required(t('person'))}>
          <Select options={options.users} showSearch optionFilterProp="label" data-testid="duty-roster-user" />
        </Form.Item>
        <Form.Item name="dutyRole" label={t('role')} rules={required(t('role'))}>
          <Select options={(['leader', 'watcher', 'tech'] as const).map((k) => ({ value: k, label: t(`dr_${k}`) }))} data-testid="duty-roster-role" />
        </Form.Item>
        <Space>
          <Form.Item name="from" label={t('fromBj')} rules={[wallRule(t)]}><Input style={{ width: 190 }} /></Form.Item>
          <Form.Item name="to" label={t('toBj')} rules={[wallRule(t)]}><Input style={{ width: 190 }} /></Form.Item>
        </Space>
      </FormModal>
    </Space>
  );
}
