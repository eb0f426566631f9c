// 用户管理: user table with create / edit / disable / reset password.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CheckCircleOutlined, EditOutlined, IdcardOutlined, LockOutlined, ReloadOutlined, StopOutlined, UserAddOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../api.ts';
import { ROLES } from '../types.ts';
import type { OrgNode, Role, User } from '../types.ts';
import { useI18n } from '../i18n.ts';
import { formatBeijing } from '../time.ts';
import { canWrite } from '../routes.ts';
import { buildIndex } from './org/orgModel.ts';
import { buildSelectTree } from './org/selectTree.ts';
import { UserFormModal } from './users/UserFormModal.tsx';
import type { UserFormState } from './users/UserFormModal.tsx';
import { TrainingModal } from './users/TrainingModal.tsx';

const ROLE_COLOR: Record<Role, string> = { admin: 'blue', operator: 'cyan', leader: 'geekblue', inspector: 'purple' };

export function UsersPage({ user: me }: { user: User }) {
  const { t, label } = useI18n();
  const { message } = App.useApp();
  const [users, setUsers] = useState<User[]>([]);
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const [loading, setLoading] = useState(true);
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | undefined>(undefined);
  const [form, setForm] = useState<UserFormState | null>(null);
  const [training, setTraining] = useState<User | null>(null);
  const writable = canWrite(me.role);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [u, o] = await Promise.all([api.users(), api.orgTree()]);
      setUsers(u.users);
      setNodes(o.nodes);
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => { void load(); }, [load]);

  const orgTree = useMemo(() => buildSelectTree(buildIndex(nodes), { selectableKinds: 'all', kindLabel: (k) => label('nodeKind', k) }), [nodes, label]);

  const setDisabled = async (u: User, disabled: boolean) => {
    try {
      await api.updateUser(u.id, { disabled });
      void message.success(t('updated'));
      await load();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  const shown = users.filter((u) =>
    (!role || u.role === role) && (!q.trim() || `${u.username} ${u.displayName}`.toLowerCase().includes(q.trim().toLowerCase())));

  const columns: TableColumnsType<User> = [
    { title: t('username'), dataIndex: 'username', render: (v: string) => <Typography.Text strong>{v}</Typography.Text>, sorter: (a, b) => a.username.localeCompare(b.username) },
    { title: t('displayName'), dataIndex: 'displayName' },
    { title: t('role'), dataIndex: 'role', width: 120, render: (r: Role) => <Tag color={ROLE_COLOR[r]}>{label('role', r)}</Tag> },
    { title: t('orgNode'), dataIndex: 'orgNodeName' },
    { title: t('totpEnabled'), dataIndex: 'totpEnabled', width: 90, render: (v: boolean) => (v ? <Tag color="green">✓</Tag> : <Tag>—</Tag>) },
    {
      title: t('status'), dataIndex: 'disabled', width: 90,
      render: (d: boolean) => (d ? <Tag color="red">{t('disabled')}</Tag> : <Tag color="green">{t('enabled')}</Tag>),
    },
    { title: t('createdAt'), dataIndex: 'createdAtMs', width: 180, render: (ms: number) => <span className="xc-time">{formatBeijing(ms)}</span> },
    // R-PRE-1: training and certificates of each administrator, on their row (readers see them too).
    { title: t('training'), key: 'training', width: 110, render: (_: unknown, u: User) => <Button type="link" size="small" icon={<IdcardOutlined />} onClick={() => setTraining(u)} data-testid={`user-training-${u.username}`}>{t('training')}</Button> },
    ...(!writable ? [] : [{
      title: t('actions'), key: 'ops', width: 300,
      render: (_: unknown, u: User) => (
        <Space size={0} wrap>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setForm({ mode: 'edit', user: u })} data-testid={`user-edit-${u.username}`}>{t('edit')}</Button>
          <Button type="link" size="small" icon={<LockOutlined />} onClick={() => setForm({ mode: 'reset', user: u })}>{t('resetPassword')}</Button>
          {u.disabled ? (
            <Button type="link" size="small" icon={<CheckCircleOutlined />} onClick={() => void setDisabled(u, false)}>{t('enable')}</Button>
          ) : (
            <Popconfirm title={t('disableConfirm', { name: u.username })} okButtonProps={{ danger: true }} onConfirm={() => { void setDisabled(u, true); }} disabled={u.id === me.id}>
              <Button type="link" size="small" danger icon={<StopOutlined />} disabled={u.id === me.id}>{t('disable')}</Button>
            </Popconfirm>
          )}
        </Space>
      ),
    }] as TableColumnsType<User>),
  ];

  return (
    <div data-testid="page-users">
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Title level={4} className="xc-page-title" style={{ margin: 0 }}>{t('menuUsers')}</Typography.Title>
        {writable && <Button type="primary" icon={<UserAddOutlined />} onClick={() => setForm({ mode: 'create' })} data-testid="btn-create-user">{t('createUser')}</Button>}
      </div>
      <Card size="small">
        <Space style={{ marginBottom: 12 }} wrap>
          <Input.Search allowClear placeholder={t('searchUser')} value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 240 }} />
          <Select allowClear placeholder={t('role')} value={role} onChange={setRole} style={{ width: 160 }} options={ROLES.map((r) => ({ value: r, label: label('role', r) }))} />
          <Button icon={<ReloadOutlined />} onClick={() => void load()}>{t('refresh')}</Button>
        </Space>
        <Table<User>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={shown}
          pagination={{ pageSize: 20, showSizeChanger: false, showTotal: (n) => t('totalRecords', { total: n }) }}
          data-testid="users-table"
        />
      </Card>
      {training && <TrainingModal user={training} writable={writable} onClose={() => setTraining(null)} />}
      {form && (
        <UserFormModal
          state={form}
          orgTree={orgTree}
          onClose={() => setForm(null)}
          onDone={() => {
            void message.success(form.mode === 'reset' ? t('resetDone') : form.mode === 'create' ? t('created') : t('updated'));
            setForm(null);
            void load();
          }}
        />
      )}
    </div>
  );
}
