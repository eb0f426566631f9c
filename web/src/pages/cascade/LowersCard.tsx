// 下级平台: every lower platform / GB device in scope with its state and since-when, last
// keepalive, channels (online / offline), declared GB version when the server reports it; admins
// add, edit, delete and re-query catalogs. A row opens into the lower's channel tree.
import { useState } from 'react';
import type { HTMLAttributes } from 'react';
import { App, Button, Card, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ClusterOutlined, DeleteOutlined, EditOutlined, PlusOutlined, SyncOutlined } from '@ant-design/icons';
import { formatBeijing } from '../../time.ts';
import type { SelectTreeNode } from '../org/selectTree.ts';
import { cascadeApi } from './cascadeApi.ts';
import type { Lower } from './cascadeApi.ts';
import { gbVersionLabel, lowerOfflineZh } from './cascadeFormat.ts';
import { useCascadeText } from './cascadeText.ts';
import { ChannelTree } from './ChannelTree.tsx';
import { LowerFormModal } from './LowerFormModal.tsx';
import type { LowerFormState } from './LowerFormModal.tsx';

interface Props { lowers: Lower[]; loading: boolean; tick: number; writable: boolean; orgTree: SelectTreeNode[]; onChanged: () => Promise<void> }

export function LowersCard({ lowers, loading, tick, writable, orgTree, onChanged }: Props) {
  const { c, err, lang } = useCascadeText();
  const { message } = App.useApp();
  const [form, setForm] = useState<LowerFormState | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const online = lowers.filter((l) => l.online).length;
  const showVersion = lowers.some((l) => l.gbVersion !== undefined);

  const requery = async (l: Lower) => {
    setBusy(l.id);
    try {
      const r = await cascadeApi.refreshCatalog(l.id);
      void message.success(c('requeryDone', { n: r.items }));
      await onChanged();
    } catch (e) {
      void message.error(err(e));
    } finally {
      setBusy(null);
    }
  };
  const remove = async (l: Lower) => {
    try {
      await cascadeApi.deleteLower(l.id);
      void message.success(c('deleted'));
      await onChanged();
    } catch (e) {
      void message.error(err(e));
    }
  };

  const state = (l: Lower) => {
    if (!l.enabled) return <Tag data-testid="lower-state">{c('disabled')}</Tag>;
    if (l.online) {
      return (
        <Space size={4} orientation="vertical">
          <Tag color="success" data-testid="lower-state">{c('online')}</Tag>
          {l.onlineSinceMs !== null && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c('onlineSince', { at: formatBeijing(l.onlineSinceMs) })}</Typography.Text>}
        </Space>
      );
    }
    if (l.registeredAtMs === null) return <Tag data-testid="lower-state">{c('neverRegistered')}</Tag>;
    const since = l.offlineSinceMs ?? l.lastKeepaliveMs;
    return (
      <Space size={4} orientation="vertical">
        <Tooltip title={l.lastError ?? undefined}>
          <Tag color="error" data-testid="lower-state">{c('offline')}</Tag>
        </Tooltip>
        {since !== null && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c('offlineSince', { at: formatBeijing(since) })}</Typography.Text>}
        {l.lastError && <Typography.Text type="danger" style={{ fontSize: 12 }}>{lang === 'en' ? l.lastError : lowerOfflineZh(l.lastError)}</Typography.Text>}
      </Space>
    );
  };

  const columns: TableColumnsType<Lower> = [
    {
      title: c('name'),
      key: 'name',
      width: 180,
      render: (_, l) => (
        <Space size={6} wrap>
          <Typography.Text strong>{l.name}</Typography.Text>
          <Tag color={l.kind === 'platform' ? 'blue' : 'cyan'}>{c(`kind_${l.kind}`)}</Tag>
        </Space>
      ),
    },
    { title: c('sipId'), dataIndex: 'sipId', width: 230, render: (v: string) => <Typography.Text code copyable={{ text: v }}>{v}</Typography.Text> },
    ...(showVersion ? [{ title: c('gbVersion'), key: 'gbVersion', width: 120, render: (_: unknown, l: Lower) => (l.gbVersion ? <span data-testid="lower-gb-version">{gbVersionLabel(l.gbVersion)}</span> : '—') }] : []),
    { title: c('status'), key: 'state', width: 160, render: (_, l) => state(l) },
    { title: c('lastKeepalive'), dataIndex: 'lastKeepaliveMs', width: 110, render: (v: number | null) => (v ? formatBeijing(v) : '—') },
    { title: c('channels'), dataIndex: 'channelCount', width: 70, align: 'right', render: (v: number) => <span data-testid="lower-channel-count">{v}</span> },
    {
      title: c('channelsOnOff'),
      key: 'onoff',
      width: 110,
      render: (_, l) => (
        <Tooltip title={l.online ? undefined : c('staleHint')}>
          <Space size={2} style={{ opacity: l.online ? 1 : 0.55 }}>
            <Tag color="success" data-testid="lower-channels-on">{l.channelsOnline}</Tag>/
            <Tag color={l.channelsOffline > 0 ? 'error' : 'default'} data-testid="lower-channels-off">{l.channelsOffline}</Tag>
          </Space>
        </Tooltip>
      ),
    },
    { title: c('catalogAt'), dataIndex: 'catalogAtMs', width: 110, render: (v: number | null) => (v ? formatBeijing(v) : '—') },
    { title: c('contact'), dataIndex: 'contact', width: 150, render: (v: string | null) => v ?? '—' },
    ...(writable
      ? [{
          title: c('actions'),
          key: 'actions',
          width: 190,
          render: (_: unknown, l: Lower) => (
            <Space size={0} wrap>
              <Button type="link" size="small" icon={<SyncOutlined />} loading={busy === l.id} disabled={!l.online} onClick={() => void requery(l)} data-testid={`requery-${l.sipId}`}>{c('requery')}</Button>
              <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setForm({ mode: 'edit', lower: l })} data-testid={`edit-${l.sipId}`}>{c('edit')}</Button>
              <Popconfirm title={c('deleteConfirm', { name: l.name })} okButtonProps={{ danger: true, 'data-testid': 'delete-ok' }} onConfirm={() => void remove(l)}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} data-testid={`delete-${l.sipId}`}>{c('delete')}</Button>
              </Popconfirm>
            </Space>
          ),
        }]
      : []),
  ];

  return (
    <Card
      size="small"
      data-testid="lowers-card"
      title={<Space><ClusterOutlined />{c('lowersTitle')}<Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>{c('lowersSummary', { n: lowers.length, online })}</Typography.Text></Space>}
      extra={writable ? <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setForm({ mode: 'create' })} data-testid="add-lower">{c('addLower')}</Button> : <Typography.Text type="secondary">{c('forbiddenWrite')}</Typography.Text>}
    >
      <Table<Lower>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={lowers}
        loading={loading}
        pagination={false}
        scroll={{ x: 1150 }}
        onRow={(l) => ({ 'data-testid': `lower-${l.sipId}` }) as HTMLAttributes<HTMLElement>}
        expandable={{ expandedRowRender: (l) => <ChannelTree lower={l} tick={tick} />, expandRowByClick: false }}
        locale={{ emptyText: c('noLowers') }}
      />
      {form && <LowerFormModal state={form} orgTree={orgTree} onClose={() => setForm(null)} onDone={() => { setForm(null); void message.success(c(form.mode === 'create' ? 'created' : 'saved')); void onChanged(); }} />}
    </Card>
  );
}
