// Add or edit a lower platform / GB device. The registration password is write-only: never shown,
// never prefilled; the server keeps only its digest (HA1) and the change is audited.
import { Form, Input, Select, Switch, TreeSelect } from 'antd';
import { FormModal } from '../../components/FormModal.tsx';
import type { SelectTreeNode } from '../org/selectTree.ts';
import { cascadeApi } from './cascadeApi.ts';
import type { Lower, LowerKind } from './cascadeApi.ts';
import { useCascadeText } from './cascadeText.ts';

interface Values { sipId?: string; name?: string; kind?: LowerKind; orgNode?: string; password?: string; enabled?: boolean }
export type LowerFormState = { mode: 'create' } | { mode: 'edit'; lower: Lower };

interface Props { state: LowerFormState; orgTree: SelectTreeNode[]; onClose: () => void; onDone: () => void }

export function LowerFormModal({ state, orgTree, onClose, onDone }: Props) {
  const { c } = useCascadeText();
  const [form] = Form.useForm<Values>();
  const creating = state.mode === 'create';

  const submit = async (v: Values) => {
    const password = v.password ? v.password : undefined;
    if (state.mode === 'create') {
      await cascadeApi.createLower({
        sipId: (v.sipId ?? '').trim(), name: (v.name ?? '').trim(), kind: v.kind ?? 'platform', password,
        orgNodeId: v.orgNode ? Number(v.orgNode.slice(2)) : undefined,
      });
    } else {
      await cascadeApi.updateLower(state.lower.id, { name: v.name?.trim(), enabled: v.enabled, password });
    }
    onDone();
  };

  const init: Values = state.mode === 'edit' ? { name: state.lower.name, enabled: state.lower.enabled } : { kind: 'platform' };

  return (
    <FormModal<Values> title={creating ? c('addLower') : `${c('editLower')} · ${state.mode === 'edit' ? state.lower.sipId : ''}`} open form={form} testId="lower-form" initialValues={init} onCancel={onClose} onSubmit={submit}>
      {creating && (
        <Form.Item name="sipId" label={c('sipId')} extra={c('sipIdHint')} rules={[{ required: true, message: c('required', { field: c('sipId') }) }, { pattern: /^\d{20}$/, message: c('sipIdInvalid') }]}>
          <Input data-testid="lower-sip-id" maxLength={20} autoComplete="off" inputMode="numeric" />
        </Form.Item>
      )}
      <Form.Item name="name" label={c('name')} rules={[{ required: true, whitespace: true, message: c('required', { field: c('name') }) }, { max: 128 }]}>
        <Input data-testid="lower-name" maxLength={128} />
      </Form.Item>
      {creating && (
        <>
          <Form.Item name="kind" label={c('kind')}>
            <Select data-testid="lower-kind" options={(['platform', 'device'] as const).map((k) => ({ value: k, label: c(`kind_${k}`) }))} />
          </Form.Item>
          <Form.Item name="orgNode" label={c('orgNode')} extra={c('orgNodeHint')}>
            <TreeSelect data-testid="lower-org" treeData={orgTree} treeDefaultExpandAll allowClear showSearch={{ treeNodeFilterProp: 'title' }} styles={{ popup: { root: { maxHeight: 400, overflow: 'auto' } } }} />
          </Form.Item>
        </>
      )}
      {!creating && (
        <Form.Item name="enabled" label={c('enabled')} valuePropName="checked">
          <Switch data-testid="lower-enabled" />
        </Form.Item>
      )}
      <Form.Item name="password" label={c('password')} extra={creating ? c('passwordCreateHint') : c('passwordEditHint')} rules={[{ min: 8, max: 64, message: c('passwordRule') }]}>
        <Input.Password data-testid="lower-password" autoComplete="new-password" maxLength={64} />
      </Form.Item>
    </FormModal>
  );
}
