// 检查表模板: the checklists of what a machine cannot see (R-PRE-1, R-PRE-5, R-PRE-7, R-SEC-3,
// R-SEC-8) — an administrator writes and edits them here; every campaign of their kind in the
// template's part of the organisation then asks for these items to be signed (audited server-side).
import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Card, Form, Input, Modal, Radio, Select, Space, Table, Tag } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Template, TemplateBody } from './readinessApi.ts';
import { readinessApi } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';

const REQUIREMENTS = ['R-PRE-1', 'R-PRE-5', 'R-PRE-7', 'R-SEC-3', 'R-SEC-8'] as const;

export function TemplatesPanel() {
  const { r, err } = useReadinessText();
  const { message } = AntApp.useApp();
  const [templates, setTemplates] = useState<Template[]>([]);
  const [editing, setEditing] = useState<Template | 'new'>();
  const [form] = Form.useForm<TemplateBody>();
  const load = useCallback(() => readinessApi.templates().then((x) => setTemplates(x.templates), (e: unknown) => void message.error(err(e))), [message, err]);
  useEffect(() => void load(), [load]);

  const open = (t: Template | 'new') => {
    setEditing(t);
    form.setFieldsValue(t === 'new' ? { requirement: 'R-SEC-8', title: '', checks: 'full', items: [{ text: '', per: 'site' }] } : { requirement: t.requirement, title: t.title, checks: t.checks, items: t.items });
  };
  const save = async () => {
    await form.validateFields();
    // All values, not only the registered fields: an item keeps its id when edited, so the
    // signatures already given for it stay attached (validateFields would drop the ids).
    const v = form.getFieldsValue(true) as TemplateBody;
    try {
      await readinessApi.saveTemplate(editing === 'new' ? undefined : editing?.id, { ...v, orgNodeId: editing === 'new' ? undefined : editing?.orgNodeId });
      void message.success(r('templateSaved'));
      setEditing(undefined);
      void load();
    } catch (e) {
      void message.error(err(e));
    }
  };

  return (
    <Card size="small" title={r('templates')} style={{ marginTop: 16 }} extra={<Button size="small" onClick={() => open('new')} data-testid="template-new">{r('templateNew')}</Button>}>
      <Table<Template>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={templates}
        columns={[
          { title: r('requirement'), dataIndex: 'requirement', width: 100 },
          { title: r('templateTitle'), dataIndex: 'title' },
          { title: r('checks'), dataIndex: 'checks', width: 120, render: (c: Template['checks']) => r(c === 'full' ? 'checks_full' : 'checks_clock') },
          { title: r('node'), dataIndex: 'orgNodeName', width: 180 },
          { title: r('item'), render: (_: unknown, t) => t.items.map((i) => <div key={i.id}>{i.text} <Tag>{r(i.per === 'site' ? 'per_site' : 'per_workstation')}</Tag></div>) },
          { title: '', width: 80, render: (_: unknown, t) => <Button size="small" onClick={() => open(t)} data-testid={`template-edit-${t.id}`}>{r('edit')}</Button> },
        ]}
      />
      <Modal open={editing !== undefined} title={editing === 'new' ? r('templateNew') : r('templateEdit')} onCancel={() => setEditing(undefined)} onOk={() => void save()} width={720} destroyOnHidden forceRender>
        <Form form={form} layout="vertical">
          <Space>
            <Form.Item name="requirement" label={r('requirement')}><Select options={REQUIREMENTS.map((x) => ({ value: x, label: x }))} style={{ width: 120 }} /></Form.Item>
            <Form.Item name="checks" label={r('checks')}><Radio.Group options={[{ value: 'full', label: r('checks_full') }, { value: 'clock', label: r('checks_clock') }]} /></Form.Item>
          </Space>
          <Form.Item name="title" label={r('templateTitle')} rules={[{ required: true, whitespace: true, message: r('required', { field: r('templateTitle') }) }]}><Input maxLength={128} data-testid="template-title" /></Form.Item>
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                <div style={{ marginBottom: 8 }}>{r('item')}</div>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item name={[f.name, 'text']} rules={[{ required: true, whitespace: true, message: r('required', { field: r('item') }) }]}>
                      <Input maxLength={256} style={{ width: 420 }} data-testid={`template-item-${f.name}`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'per']}><Radio.Group options={[{ value: 'site', label: r('per_site') }, { value: 'workstation', label: r('per_workstation') }]} /></Form.Item>
                    {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={r('remove')} />}
                  </Space>
                ))}
                <Button type="dashed" onClick={() => add({ text: '', per: 'site' })} icon={<PlusOutlined />} data-testid="template-add-item">{r('templateAddItem')}</Button>
              </>
            )}
          </Form.List>
        </Form>
      </Modal>
    </Card>
  );
}
