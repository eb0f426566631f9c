// 发起检测: a campaign's name, kind, deadline, the part of the organisation it covers (default: the
// user's whole scope) and a named contact with a phone number per city or site (R-PRE-2, R-CITY-5:
// 联调 has a responsible person at every level it reaches).
import { useEffect, useState } from 'react';
import { App as AntApp, Button, DatePicker, Form, Input, Modal, Radio, Select, Space, TreeSelect } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { Dayjs } from 'dayjs';
import { api } from '../../api.ts';
import type { OrgNode } from '../../types.ts';
import type { CampaignDetail } from './readinessApi.ts';
import { readinessApi } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';

interface Values {
  name: string;
  checks: 'full' | 'clock';
  deadline: Dayjs;
  orgNodeId?: number;
  contacts?: Array<{ orgNodeId: number; name: string; phone: string }>;
}

interface TreeNode { value: number; title: string; children: TreeNode[] }

function toTree(nodes: OrgNode[]): TreeNode[] {
  const byParent = new Map<number | null, OrgNode[]>();
  for (const n of nodes) byParent.set(n.parentId, [...(byParent.get(n.parentId) ?? []), n]);
  const ids = new Set(nodes.map((n) => n.id));
  const build = (n: OrgNode): TreeNode => ({ value: n.id, title: n.name, children: (byParent.get(n.id) ?? []).map(build) });
  // Roots are the nodes whose parent is outside what this user sees.
  return nodes.filter((n) => n.parentId === null || !ids.has(n.parentId)).map(build);
}

export function NewCampaignModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (c: CampaignDetail) => void }) {
  const { r, err } = useReadinessText();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  useEffect(() => {
    if (open) api.orgTree().then((x) => setNodes(x.nodes), (e: unknown) => void message.error(err(e)));
  }, [open, message, err]);
  const contactNodes = nodes.filter((n) => n.kind === 'city' || n.kind === 'district' || n.kind === 'site').map((n) => ({ value: n.id, label: n.name }));

  const create = async () => {
    const v = await form.validateFields();
    try {
      const c = await readinessApi.open({ name: v.name, checks: v.checks, deadlineMs: v.deadline.valueOf(), orgNodeId: v.orgNodeId, contacts: v.contacts ?? [] });
      void message.success(r('created'));
      onCreated(c);
    } catch (e) {
      void message.error(err(e));
    }
  };

  return (
    <Modal open={open} title={r('newCampaign')} onCancel={onClose} onOk={() => void create()} width={640} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ checks: 'full', deadline: dayjs().add(3, 'day') }} data-testid="new-campaign">
        <Form.Item name="name" label={r('name')} rules={[{ required: true, whitespace: true, message: r('required', { field: r('name') }) }]}><Input maxLength={128} data-testid="campaign-name" /></Form.Item>
        <Form.Item name="checks" label={r('checks')}><Radio.Group options={[{ value: 'full', label: r('checks_full') }, { value: 'clock', label: r('checks_clock') }]} /></Form.Item>
        <Form.Item name="deadline" label={r('deadline')} rules={[{ required: true, message: r('required', { field: r('deadline') }) }]}><DatePicker showTime /></Form.Item>
        <Form.Item name="orgNodeId" label={r('node')} extra={r('nodeHint')}>
          <TreeSelect treeData={toTree(nodes)} allowClear treeDefaultExpandAll showSearch treeNodeFilterProp="title" placeholder={r('nodeAll')} data-testid="campaign-node" />
        </Form.Item>
        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <>
              <div style={{ marginBottom: 8 }}>{r('contacts')}</div>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={[f.name, 'orgNodeId']} rules={[{ required: true, message: r('required', { field: r('contactNode') }) }]}>
                    <Select options={contactNodes} showSearch optionFilterProp="label" placeholder={r('contactNode')} style={{ width: 200 }} data-testid={`contact-node-${f.name}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'name']} rules={[{ required: true, whitespace: true, message: r('required', { field: r('contactName') }) }]}>
                    <Input maxLength={64} placeholder={r('contactName')} style={{ width: 140 }} data-testid={`contact-name-${f.name}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'phone']} rules={[{ required: true, pattern: /^[0-9+\-\s]{3,32}$/, message: r('contactPhoneBad') }]}>
                    <Input maxLength={32} placeholder={r('contactPhone')} style={{ width: 160 }} data-testid={`contact-phone-${f.name}`} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={r('remove')} />
                </Space>
              ))}
              <Button type="dashed" onClick={() => add()} icon={<PlusOutlined />} data-testid="add-contact">{r('addContact')}</Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
