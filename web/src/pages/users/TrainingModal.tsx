// 培训记录 of one user (R-PRE-1, R-ORG-2, issue 19 item 6): the administrator's trainings and
// certificates with their validity, read from /api/users/:id/training; an administrator adds or
// deletes one (audited on the server). An expired certificate is shown as such.
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { errorMessage, request } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import type { User } from '../../types.ts';
import type { TrainingView } from '../../../../src/ledger/schemas.ts';

const zh = { title: '培训记录', course: '培训课程', trainedOn: '培训日期', certificate: '证书编号', until: '证书有效期至', by: '登记人', add: '登记培训', none: '暂无培训记录', expired: '已过期', valid: '有效', noExpiry: '长期', del: '删除', delConfirm: '确定删除该培训记录吗？', badDate: '请填写日期', saved: '已登记', close: '关闭' };
type Key = keyof typeof zh;
const en: Record<Key, string> = { title: 'Training records', course: 'Course', trainedOn: 'Trained on', certificate: 'Certificate no.', until: 'Certified until', by: 'Recorded by', add: 'Record training', none: 'No training records', expired: 'Expired', valid: 'Valid', noExpiry: 'No expiry', del: 'Delete', delConfirm: 'Delete this training record?', badDate: 'Enter a date', saved: 'Recorded', close: 'Close' };

interface Values { course: string; trainedOn: string; certificate?: string; until?: string }
const day = (ms: number) => formatBeijing(ms).slice(0, 10);
/** `YYYY-MM-DD` (an <input type=date>) as Beijing midnight. */
const dayMs = (d: string) => beijingWallToMs(`${d} 00:00`);

export function TrainingModal({ user, writable, onClose }: { user: User; writable: boolean; onClose: () => void }) {
  const { lang } = useI18n();
  const x = (k: Key) => (lang === 'en' ? en : zh)[k];
  const { message } = App.useApp();
  const [records, setRecords] = useState<TrainingView[]>([]);
  const [loading, setLoading] = useState(true);
  const [form] = Form.useForm<Values>();

  const load = useCallback(async () => {
    setLoading(true);
    try { setRecords((await request<{ records: TrainingView[] }>('GET', `/api/users/${user.id}/training`)).records); } catch (e) { void message.error(errorMessage(e)); } finally { setLoading(false); }
  }, [user.id, message]);
  useEffect(() => { void load(); }, [load]);

  const add = async (v: Values) => {
    try {
      await request('POST', `/api/users/${user.id}/training`, { course: v.course.trim(), trainedOnMs: dayMs(v.trainedOn), certificate: (v.certificate ?? '').trim(), certifiedUntilMs: v.until ? dayMs(v.until) : null });
      form.resetFields();
      void message.success(x('saved'));
      await load();
    } catch (e) { void message.error(errorMessage(e)); }
  };
  const remove = async (id: number) => {
    try { await request('DELETE', `/api/training/${id}`); await load(); } catch (e) { void message.error(errorMessage(e)); }
  };

  const now = Date.now();
  const columns: TableColumnsType<TrainingView> = [
    { title: x('course'), dataIndex: 'course' },
    { title: x('trainedOn'), dataIndex: 'trainedOnMs', width: 110, render: (ms: number) => day(ms) },
    { title: x('certificate'), dataIndex: 'certificate', width: 130 },
    { title: x('until'), dataIndex: 'certifiedUntilMs', width: 160, render: (ms: number | null) => (ms === null ? <Tag>{x('noExpiry')}</Tag> : <Space size={4}>{day(ms)}<Tag color={ms < now ? 'red' : 'green'}>{ms < now ? x('expired') : x('valid')}</Tag></Space>) },
    { title: x('by'), dataIndex: 'recordedBy', width: 90 },
    ...(writable ? [{ title: '', key: 'ops', width: 70, render: (_: unknown, r: TrainingView) => <Popconfirm title={x('delConfirm')} okButtonProps={{ danger: true }} onConfirm={() => { void remove(r.id); }}><Button type="link" size="small" danger icon={<DeleteOutlined />}>{x('del')}</Button></Popconfirm> }] : []),
  ];

  return (
    <Modal open width={860} title={`${x('title')} · ${user.displayName}（${user.username}）`} onCancel={onClose} footer={<Button onClick={onClose}>{x('close')}</Button>} data-testid="training-modal">
      <Table<TrainingView> rowKey="id" size="small" loading={loading} columns={columns} dataSource={records} pagination={false} locale={{ emptyText: x('none') }} data-testid="training-table" />
      {writable && (
        <Form<Values> form={form} layout="inline" style={{ marginTop: 12, rowGap: 8 }} onFinish={(v) => void add(v)} data-testid="training-form">
          <Form.Item name="course" rules={[{ required: true, whitespace: true, message: x('course') }]}><Input placeholder={x('course')} maxLength={128} style={{ width: 220 }} data-testid="training-course" /></Form.Item>
          <Form.Item name="trainedOn" label={x('trainedOn')} rules={[{ required: true, message: x('badDate') }]}><Input type="date" title={x('trainedOn')} data-testid="training-date" /></Form.Item>
          <Form.Item name="certificate"><Input placeholder={x('certificate')} maxLength={128} style={{ width: 150 }} data-testid="training-certificate" /></Form.Item>
          <Form.Item name="until" label={x('until')}><Input type="date" title={x('until')} data-testid="training-until" /></Form.Item>
          <Form.Item><Button type="primary" htmlType="submit" icon={<PlusOutlined />} data-testid="training-add">{x('add')}</Button></Form.Item>
        </Form>
      )}
    </Modal>
  );
}
