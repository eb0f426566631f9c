// Create / edit an organisation node (省 / 市 / 区县 / 考点).
import { Form, Input } from 'antd';
import type { NodeKind, OrgNode } from '../../types.ts';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';

interface Values { name: string; regionCode?: string; gbCode?: string }

export type NodeFormState = { mode: 'create'; parentId: number; kind: NodeKind } | { mode: 'edit'; node: OrgNode };

export function NodeFormModal({ state, onClose, onDone }: { state: NodeFormState; onClose: () => void; onDone: (n: OrgNode | null) => void }) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<Values>();
  const kind = state.mode === 'create' ? state.kind : state.node.kind;
  const title = state.mode === 'create' ? t('newNodeTitle', { kind: label('nodeKind', kind) }) : t('editTitle', { kind: label('nodeKind', kind) });

  const submit = async (v: Values) => {
    if (state.mode === 'create') {
      const n = await api.createNode({
        parentId: state.parentId,
        kind,
        name: v.name.trim(),
        ...(v.regionCode ? { regionCode: v.regionCode.trim() } : {}),
        ...(v.gbCode ? { gbCode: v.gbCode.trim() } : {}),
      });
      onDone(n);
    } else {
      const n = await api.updateNode(state.node.id, { name: v.name.trim() });
      onDone(n ?? null);
    }
  };

  return (
    <FormModal<Values>
      title={title}
      open
      form={form}
      testId="node-form"
      initialValues={state.mode === 'edit' ? { name: state.node.name } : {}}
      onCancel={onClose}
      onSubmit={submit}
    >
      <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, max: 128, message: t('required', { field: t('name') }) }]}>
        <Input data-testid="node-name" maxLength={128} />
      </Form.Item>
      {state.mode === 'create' && (
        <>
          <Form.Item name="regionCode" label={t('regionCode')} rules={[{ pattern: /^\d{6}$/, message: t('regionCodeInvalid') }]} extra={t('optional')}>
            <Input data-testid="node-region" className="xc-mono" maxLength={6} />
          </Form.Item>
          <Form.Item name="gbCode" label={t('gbCode')} extra={t('gbCodeHint')} rules={[{ pattern: /^\d{20}$/, message: t('gbCodeInvalid') }]}>
            <Input data-testid="node-gbcode" className="xc-mono" maxLength={20} />
          </Form.Item>
        </>
      )}
    </FormModal>
  );
}
