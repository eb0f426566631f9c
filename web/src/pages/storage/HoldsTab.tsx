// 证据保全 (R-FN-2): holds in scope with who created/released them, when and why; create one for a
// camera × time range, release one with a reason (both audited by the server).
import { useEffect, useState } from 'react';
import { App as AntApp, Button, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { RangeInputs, wallMinute } from './RangeInputs.tsx';
import { storageApi } from './storageApi.ts';
import type { CameraOption, HoldView } from './storageApi.ts';
import type { StorageText } from './storageText.ts';

interface Props { s: StorageText; cameras: CameraOption[]; names: Map<number, string> }

export function HoldsTab({ s, cameras, names }: Props) {
  const { message } = AntApp.useApp();
  const [all, setAll] = useState(false);
  const [rows, setRows] = useState<HoldView[]>([]);
  const [error, setError] = useState<string>();
  const [creating, setCreating] = useState(false);
  // Defaults of the dialog's form: applied when it mounts (it is destroyed on close).
  const [init, setInit] = useState<Record<string, unknown>>({});
  const [releasing, setReleasing] = useState<HoldView>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ cameraId: number; from: string; to: string; reason: string }>();
  const [releaseForm] = Form.useForm<{ reason: string }>();

  const load = async (showAll = all) => {
    try {
      setRows((await storageApi.holds(showAll)).holds);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => void load(), []);

  const create = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await storageApi.createHold({ cameraId: v.cameraId, fromMs: beijingWallToMs(v.from), toMs: beijingWallToMs(v.to), reason: v.reason });
      void message.success(s('holdCreated'));
      setCreating(false);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const release = async () => {
    const v = await releaseForm.validateFields();
    setBusy(true);
    try {
      await storageApi.releaseHold(releasing!.id, v.reason);
      void message.success(s('holdReleased'));
      setReleasing(undefined);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const at = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms));

  return (
    <>
      <Typography.Paragraph type="secondary">{s('holdHint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} data-testid="hold-new" onClick={() => {
          setInit({ from: wallMinute(Date.now() - 3600_000), to: wallMinute(Date.now()), reason: '' });
          setCreating(true);
        }}>{s('newHold')}</Button>
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>{s('refresh')}</Button>
        <span>{s('showReleased')} <Switch size="small" checked={all} data-testid="hold-show-released" onChange={(v) => { setAll(v); void load(v); }} /></span>
      </Space>
      <ErrorAlert message={error ?? null} testId="storage-error" />
      <Table<HoldView>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        locale={{ emptyText: s('noHolds') }}
        data-testid="hold-table"
        onRow={(h) => ({ 'data-testid': `hold-row-${h.id}` } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: s('camera'), key: 'cam', render: (_, h) => names.get(h.cameraId) ?? `#${h.cameraId}` },
          { title: s('range'), key: 'range', render: (_, h) => `${at(h.fromMs)} — ${at(h.toMs)}` },
          { title: s('reason'), dataIndex: 'reason' },
          { title: s('createdBy'), key: 'by', render: (_, h) => `${h.createdBy} · ${at(h.createdAtMs)}` },
          { title: s('state'), key: 'state', render: (_, h) => (h.releasedAtMs === null ? <Tag color="red">{s('held')}</Tag> : <Tag>{s('released')}</Tag>) },
          { title: s('releasedBy'), key: 'rel', render: (_, h) => (h.releasedAtMs === null ? '—' : <span data-testid={`hold-released-${h.id}`}>{`${h.releasedBy ?? ''} · ${at(h.releasedAtMs)} · ${h.releaseReason ?? ''}`}</span>) },
          { title: s('actions'), key: 'act', render: (_, h) => h.releasedAtMs === null && (
            <Button size="small" danger data-testid={`hold-release-${h.id}`} onClick={() => { releaseForm.resetFields(); setReleasing(h); }}>{s('release')}</Button>
          ) },
        ]}
      />
      <Modal title={s('newHold')} open={creating} onCancel={() => setCreating(false)} onOk={() => void create()} confirmLoading={busy} destroyOnHidden okButtonProps={{ 'data-testid': 'hold-ok' }}>
        <Form form={form} layout="vertical" preserve={false} initialValues={init}>
          <Form.Item name="cameraId" label={s('camera')} rules={[{ required: true, message: s('required') }]}>
            <Select showSearch optionFilterProp="label" options={cameras} data-testid="hold-camera" placeholder={s('pickCamera')} />
          </Form.Item>
          <RangeInputs s={s} prefix="hold" />
          <Form.Item name="reason" label={s('reason')} rules={[{ required: true, whitespace: true, message: s('required') }]}>
            <Input.TextArea rows={2} maxLength={500} data-testid="hold-reason" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal title={s('releaseTitle')} open={releasing !== undefined} onCancel={() => setReleasing(undefined)} onOk={() => void release()} confirmLoading={busy} destroyOnHidden okButtonProps={{ danger: true, 'data-testid': 'hold-release-ok' }}>
        <Typography.Paragraph>{releasing && `${names.get(releasing.cameraId) ?? `#${releasing.cameraId}`}：${at(releasing.fromMs)} — ${at(releasing.toMs)}`}</Typography.Paragraph>
        <Typography.Paragraph type="secondary">{s('releaseHint')}</Typography.Paragraph>
        <Form form={releaseForm} layout="vertical" preserve={false}>
          <Form.Item name="reason" label={s('releaseReason')} rules={[{ required: true, whitespace: true, message: s('required') }]}>
            <Input.TextArea rows={2} maxLength={500} data-testid="hold-release-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
