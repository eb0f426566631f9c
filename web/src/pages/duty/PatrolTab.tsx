// 巡查日志 tab: today's viewings per patroller and room (from the viewing audit) and the notes
// patrollers write while watching; anyone who may watch adds a note on a camera.
import { useState } from 'react';
import { App as AntApp, Button, Form, Input, Select, Space, Table, Typography } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { FormModal } from '../../components/FormModal.tsx';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import { durationLabel } from '../playback/pbApi.ts';
import { dutyApi } from './dutyApi.ts';
import type { PatrolLog } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';
import type { DutyOptions } from './useDutyOptions.ts';

interface Props { t: DutyText; patrol?: PatrolLog; canNote: boolean; options: DutyOptions; onChanged: () => void }

export function PatrolTab({ t, patrol, canNote, options, onChanged }: Props) {
  const { message } = AntApp.useApp();
  const { lang } = useI18n();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ cameraId: number; text: string }>();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('today')}</Typography.Text>
      <Table rowKey={(r) => `${r.username}/${r.roomName ?? ''}`} size="small" pagination={false} dataSource={patrol?.totals ?? []} data-testid="duty-patrol"
        columns={[
          // The GB/T 28181 upper platform's viewing (username gb:<its id>): 上级平台调阅.
          { title: t('user'), key: 'u', render: (_, r) => (r.username.startsWith('gb:') ? t('upperView', { id: r.username.slice(3) }) : r.username) },
          { title: t('watchedRoom'), key: 'r', render: (_, r) => r.roomName ?? '-' },
          { title: t('viewings'), dataIndex: 'viewings' },
          { title: t('duration'), key: 'd', render: (_, r) => durationLabel(r.durationMs, lang) }, // "1 分 5 秒", not a rounded "1 min"
        ]} />
      <Space>
        <Typography.Title level={5} style={{ margin: 0 }}>{t('notes')}</Typography.Title>
        {canNote && <Button size="small" icon={<EditOutlined />} onClick={() => setOpen(true)} data-testid="duty-note-add">{t('noteAdd')}</Button>}
      </Space>
      <Table rowKey="id" size="small" pagination={false} dataSource={patrol?.notes ?? []} data-testid="duty-notes"
        columns={[
          { title: t('at'), key: 'a', render: (_, r) => formatBeijing(r.atMs) },
          { title: t('user'), dataIndex: 'username' },
          { title: t('camera'), key: 'c', render: (_, r) => (r.cameraId === null ? '-' : options.cameraName(r.cameraId)) },
          { title: t('text'), dataIndex: 'text' },
        ]} />
      <FormModal title={t('noteAdd')} open={open} form={form} testId="duty-note-form" onCancel={() => setOpen(false)}
        onSubmit={async (v) => {
          await dutyApi.addNote(v);
          void message.success(t('noteAdded'));
          setOpen(false);
          onChanged();
        }}>
        <Form.Item name="cameraId" label={t('camera')} rules={[{ required: true, message: t('required', { field: t('camera') }) }]}>
          <Select options={options.cameras} showSearch optionFilterProp="label" data-testid="duty-note-camera" />
        </Form.Item>
        <Form.Item name="text" label={t('text')} rules={[{ required: true, message: t('required', { field: t('text') }) }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="duty-note-text" />
        </Form.Item>
      </FormModal>
    </Space>
  );
}
