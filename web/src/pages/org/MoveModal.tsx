// Move a node / room / camera to a new parent chosen from the tree (only valid levels selectable).
import { useMemo } from 'react';
import { Alert, Form, TreeSelect } from 'antd';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { PARENT_KINDS, nameOf } from './orgModel.ts';
import type { OrgIndex, Sel } from './orgModel.ts';
import { buildSelectTree } from './selectTree.ts';

interface Values { target: string }

export function MoveModal({ index, sel, onClose, onDone }: { index: OrgIndex; sel: Sel; onClose: () => void; onDone: () => void }) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<Values>();

  const treeData = useMemo(() => {
    const kindLabel = (k: string) => label('nodeKind', k);
    if (sel.type === 'node') {
      const kind = index.nodes.get(sel.id)?.kind;
      const pks = kind ? PARENT_KINDS[kind] : [];
      const maxKind = pks.includes('district') ? 'district' : pks[0];
      return pks.length ? buildSelectTree(index, { selectableKinds: pks, maxKind, kindLabel, exclude: `n:${sel.id}` }) : [];
    }
    if (sel.type === 'room') return buildSelectTree(index, { selectableKinds: ['site'], kindLabel });
    return buildSelectTree(index, { selectableKinds: [], rooms: true, kindLabel });
  }, [index, sel, label]);

  const submit = async (v: Values) => {
    const id = Number(v.target.slice(2));
    if (sel.type === 'node') await api.updateNode(sel.id, { parentId: id });
    else if (sel.type === 'room') await api.updateRoom(sel.id, { siteId: id });
    else await api.updateCamera(sel.id, { roomId: id });
    onDone();
  };

  return (
    <FormModal<Values> title={`${t('move')}：${nameOf(index, sel) ?? ''}`} open form={form} testId="move-form" onCancel={onClose} onSubmit={submit}>
      <Alert type="info" showIcon title={t('moveHint')} style={{ marginBottom: 12 }} />
      <Form.Item name="target" label={t('newParent')} rules={[{ required: true, message: t('required', { field: t('newParent') }) }]}>
        <TreeSelect
          data-testid="move-target"
          treeData={treeData}
          treeDefaultExpandAll
          popupMatchSelectWidth
          showSearch={{ treeNodeFilterProp: 'title' }}
          styles={{ popup: { root: { maxHeight: 420, overflow: 'auto' } } }}
        />
      </Form.Item>
    </FormModal>
  );
}
