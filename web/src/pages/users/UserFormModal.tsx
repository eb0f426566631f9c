// Create a user, edit role / org node / name, or reset a password.
import { Form, Input, Select, TreeSelect } from 'antd';
import { ROLES } from '../../types.ts';
import type { Role, User } from '../../types.ts';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';
import type { SelectTreeNode } from '../org/selectTree.ts';

interface Values { username?: string; displayName?: string; role?: Role; orgNode?: string; password?: string }
export type UserFormState = { mode: 'create' } | { mode: 'edit'; user: User } | { mode: 'reset'; user: User };

interface Props { state: UserFormState; orgTree: SelectTreeNode[]; onClose: () => void; onDone: () => void }

export function UserFormModal({ state, orgTree, onClose, onDone }: Props) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<Values>();
  const title = state.mode === 'create' ? t('createUser') : state.mode === 'edit' ? t('editUser') : `${t('resetPassword')} · ${state.user.username}`;
  const req = (field: string) => ({ required: true, whitespace: true, message: t('required', { field }) });

  const submit = async (v: Values) => {
    const orgNodeId = v.orgNode ? Number(v.orgNode.slice(2)) : undefined;
    if (state.mode === 'create') {
      await api.createUser({
        username: (v.username ?? '').trim(), displayName: (v.displayName ?? '').trim(), role: v.role ?? 'operator',
        orgNodeId: orgNodeId ?? 0, password: v.password ?? '',
      });
    } else if (state.mode === 'edit') {
      await api.updateUser(state.user.id, { displayName: v.displayName?.trim(), role: v.role, orgNodeId });
    } else {
      await api.updateUser(state.user.id, { password: v.password });
    }
    onDone();
  };

  const init: Values = state.mode === 'edit'
    ? { displayName: state.user.displayName, role: state.user.role, orgNode: `n:${state.user.orgNodeId}` }
    : state.mode === 'create' ? { role: 'operator' } : {};

  return (
    <FormModal<Values> title={title} open form={form} testId="user-form" initialValues={init} onCancel={onClose} onSubmit={submit}>
      {state.mode === 'create' && (
        <Form.Item
          name="username"
          label={t('username')}
          rules={[req(t('username')), { pattern: /^[A-Za-z0-9_.@-]{3,64}$/, message: `${t('username')}: A-Z a-z 0-9 _ . @ -（3–64）` }]}
        >
          <Input data-testid="user-username" autoComplete="off" maxLength={64} />
        </Form.Item>
      )}
      {state.mode !== 'reset' && (
        <>
          <Form.Item name="displayName" label={t('displayName')} rules={[req(t('displayName')), { max: 128 }]}>
            <Input data-testid="user-displayname" maxLength={128} />
          </Form.Item>
          <Form.Item name="role" label={t('role')} rules={[{ required: true, message: t('required', { field: t('role') }) }]}>
            <Select data-testid="user-role" options={ROLES.map((r) => ({ value: r, label: label('role', r) }))} />
          </Form.Item>
          <Form.Item name="orgNode" label={t('orgNode')} rules={[{ required: true, message: t('required', { field: t('orgNode') }) }]}>
            <TreeSelect
              data-testid="user-org"
              treeData={orgTree}
              treeDefaultExpandAll
              popupMatchSelectWidth
              showSearch={{ treeNodeFilterProp: 'title' }}
              styles={{ popup: { root: { maxHeight: 400, overflow: 'auto' } } }}
            />
          </Form.Item>
        </>
      )}
      {state.mode !== 'edit' && (
        <Form.Item
          name="password"
          label={state.mode === 'create' ? t('initialPassword') : t('newPassword')}
          extra={t('passwordRule')}
          rules={[
            { required: true, message: t('passwordRule') },
            { min: 10, max: 128, message: t('passwordRule') },
            {
              validator: (_r, v: string | undefined) =>
                !v || [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length >= 3 ? Promise.resolve() : Promise.reject(new Error(t('passwordRule'))),
            },
          ]}
        >
          <Input.Password data-testid="user-password" autoComplete="new-password" />
        </Form.Item>
      )}
    </FormModal>
  );
}
