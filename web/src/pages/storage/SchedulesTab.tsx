// 录像计划: a camera's recording windows — manual ones added and deleted here (audited), the exam's
// own (reason exam:<sessionId>) shown read-only since the timetable owns them.
import { useEffect, useState } from 'react';
import { App as AntApp, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { RangeInputs, wallMinute } from './RangeInputs.tsx';
import { storageApi } from './storageApi.ts';
import type { CameraOption, ScheduleView } from './storageApi.ts';
import type { StorageText } from './storageText.ts';

export function SchedulesTab({ s, cameras }: { s: StorageText; cameras: CameraOption[] }) {
  const { message } = AntApp.useApp();
  const [cameraId, setCameraId] = useState<number>();
  const [rows, setRows] = useState<ScheduleView[]>([]);
  const [error, setError] = useState<string>();
  const [adding, setAdding] = useState(false);
  // Defaults of the dialog's form: applied when it mounts (it is destroyed on close).
  const [init, setInit] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ from: string; to: string; reason: string }>();

  const load = async (id = cameraId) => {
    if (id === undefined) return;
    try {
      setRows((await storageApi.schedules(id)).schedules.sort((a, b) => b.startMs - a.startMs));
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => void load(), [cameraId]);

  const add = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await storageApi.addSchedule(cameraId!, { startMs: beijingWallToMs(v.from), endMs: beijingWallToMs(v.to), reason: v.reason.trim() });
      void message.success(s('scheduleAdded'));
      setAdding(false);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: number) => {
    try {
      await storageApi.deleteSchedule(cameraId!, id);
      void message.success(s('scheduleDeleted'));
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{s('schedulesHint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        <Select style={{ width: 420 }} value={cameraId} onChange={setCameraId} placeholder={s('pickCamera')} showSearch optionFilterProp="label" options={cameras} data-testid="sched-camera" />
        <Button type="primary" icon={<PlusOutlined />} disabled={cameraId === undefined} data-testid="sched-new" onClick={() => {
          setInit({ from: wallMinute(Date.now() + 3600_000), to: wallMinute(Date.now() + 7200_000), reason: '' });
          setAdding(true);
        }}>{s('newSchedule')}</Button>
      </Space>
      <ErrorAlert message={error ?? null} testId="storage-error" />
      <Table<ScheduleView>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        locale={{ emptyText: s('noSchedules') }}
        data-testid="sched-table"
        onRow={(r) => ({ 'data-testid': `sched-row-${r.id}` } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: s('from'), key: 'f', render: (_, r) => formatBeijing(r.startMs) },
          { title: s('to'), key: 't', render: (_, r) => formatBeijing(r.endMs) },
          { title: s('reason'), key: 'r', render: (_, r) => (r.reason.startsWith('exam:') ? <Tag color="blue">{s('examSchedule')}</Tag> : r.reason) },
          { title: s('createdBy'), dataIndex: 'createdBy' },
          { title: s('actions'), key: 'a', render: (_, r) => !r.reason.startsWith('exam:') && (
            <Popconfirm title={s('deleteConfirm')} onConfirm={() => void remove(r.id)} okButtonProps={{ 'data-testid': 'sched-delete-ok' }}>
              <Button size="small" danger data-testid={`sched-delete-${r.id}`}>{s('delete')}</Button>
            </Popconfirm>
          ) },
        ]}
      />
      <Modal title={s('newSchedule')} open={adding} onCancel={() => setAdding(false)} onOk={() => void add()} confirmLoading={busy} destroyOnHidden okButtonProps={{ 'data-testid': 'sched-ok' }}>
        <Form form={form} layout="vertical" preserve={false} initialValues={init}>
          <RangeInputs s={s} prefix="sched" />
          <Form.Item name="reason" label={s('reason')} rules={[{ required: true, whitespace: true, message: s('required') }, { max: 128 }]}>
            <Input maxLength={128} data-testid="sched-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
