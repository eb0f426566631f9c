// Right panel: details of the selected node / room / camera plus the actions allowed for the user.
import type { ReactNode } from 'react';
import { Breadcrumb, Button, Card, Descriptions, Empty, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { DescriptionsProps } from 'antd';
import {
  DeleteOutlined, DragOutlined, EditOutlined, EyeOutlined, PlusOutlined, VideoCameraAddOutlined, AppstoreAddOutlined,
} from '@ant-design/icons';
import type { Camera, NodeKind, OrgNode, Room } from '../../types.ts';
import { useI18n } from '../../i18n.ts';
import { CHILD_KINDS, countBelow, pathNames } from './orgModel.ts';
import type { OrgIndex, Sel } from './orgModel.ts';
import { CameraStateTag } from '../../components/CameraState.tsx';
import type { CameraStatusView } from '../wall/wallModel.ts';

export interface DetailActions {
  addChild: (n: OrgNode, kind: NodeKind) => void;
  addRoom: (site: OrgNode) => void;
  addCamera: (room: Room) => void;
  addCameraOnvif: (room: Room) => void;
  edit: (sel: Sel) => void;
  move: (sel: Sel) => void;
  remove: (sel: Sel) => Promise<void>;
  reveal: (cam: Camera) => void;
  select: (sel: Sel) => void;
}

interface Props { index: OrgIndex; sel: Sel | null; canEdit: boolean; isAdmin: boolean; actions: DetailActions; statuses: Map<number, CameraStatusView> }

const code = (s: string | undefined) => (s ? <Typography.Text copyable className="xc-mono" data-testid="detail-gbcode">{s}</Typography.Text> : '—');

export function OrgDetail({ index, sel, canEdit, isAdmin, actions, statuses }: Props) {
  const { t, label, lang } = useI18n();
  if (!sel) return <Card><Empty description={t('selectNode')} /></Card>;

  let title = '';
  let kindLabel = '';
  let items: DescriptionsProps['items'] = [];
  let extraButtons: ReactNode = null;
  let below: ReactNode = null;

  if (sel.type === 'node') {
    const n = index.nodes.get(sel.id);
    if (!n) return <Card><Empty description={t('selectNode')} /></Card>;
    const parent = n.parentId !== null ? index.nodes.get(n.parentId) : undefined;
    const counts = countBelow(index, n.id);
    title = n.name;
    kindLabel = label('nodeKind', n.kind);
    items = [
      { key: 'name', label: t('name'), children: n.name },
      { key: 'kind', label: t('kind'), children: kindLabel },
      { key: 'gb', label: t('gbCode'), children: code(n.gbCode) },
      { key: 'region', label: t('regionCode'), children: n.regionCode ? <span className="xc-mono">{n.regionCode}</span> : '—' },
      { key: 'parent', label: t('parent'), children: parent?.name ?? '—' },
      { key: 'children', label: t('childCount'), children: (index.children.get(n.id) ?? []).length },
      { key: 'rooms', label: t('roomCount'), children: counts.rooms },
      { key: 'cams', label: t('cameraCount'), children: counts.cameras },
    ];
    if (canEdit) {
      extraButtons = (
        <>
          {CHILD_KINDS[n.kind].map((k) => (
            <Button key={k} type="primary" icon={<PlusOutlined />} onClick={() => actions.addChild(n, k)} data-testid={`btn-add-${k}`}>
              {t('newNodeTitle', { kind: label('nodeKind', k) })}
            </Button>
          ))}
          {n.kind === 'site' && (
            <Button type="primary" icon={<AppstoreAddOutlined />} onClick={() => actions.addRoom(n)} data-testid="btn-add-room">{t('addRoom')}</Button>
          )}
        </>
      );
    }
    if (n.kind === 'site') {
      below = (
        <Table<Room>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={n.rooms ?? []}
          onRow={(r) => ({ onClick: () => actions.select({ type: 'room', id: r.id }), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('name'), dataIndex: 'name' },
            { title: t('kind'), dataIndex: 'kind', render: (k: string) => <Tag>{label('roomKind', k)}</Tag> },
            { title: t('seats'), dataIndex: 'seats', width: 90 },
            { title: t('cameraCount'), key: 'cams', width: 100, render: (_: unknown, r) => r.cameras?.length ?? 0 },
            { title: t('gbCode'), dataIndex: 'gbCode', render: (g: string) => <span className="xc-mono">{g}</span> },
          ]}
        />
      );
    }
  } else if (sel.type === 'room') {
    const r = index.rooms.get(sel.id);
    if (!r) return <Card><Empty description={t('selectNode')} /></Card>;
    title = r.name;
    kindLabel = label('roomKind', r.kind);
    items = [
      { key: 'name', label: t('name'), children: r.name },
      { key: 'kind', label: t('kind'), children: <Tag color="blue">{kindLabel}</Tag> },
      { key: 'gb', label: t('gbCode'), children: code(r.gbCode) },
      { key: 'seats', label: t('seats'), children: <span data-testid="detail-seats">{r.seats}</span> },
      { key: 'site', label: label('nodeKind', 'site'), children: index.nodes.get(r.siteId)?.name ?? '—' },
      { key: 'cams', label: t('cameraCount'), children: r.cameras?.length ?? 0 },
    ];
    if (canEdit) {
      extraButtons = (
        <>
          <Button type="primary" icon={<VideoCameraAddOutlined />} onClick={() => actions.addCamera(r)} data-testid="btn-add-camera">{t('addCamera')}</Button>
          <Button icon={<VideoCameraAddOutlined />} onClick={() => actions.addCameraOnvif(r)} data-testid="btn-add-camera-onvif">{lang === 'en' ? 'Add by ONVIF' : '按 ONVIF 添加'}</Button>
        </>
      );
    }
    below = (
      <Table<Camera>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={r.cameras ?? []}
        onRow={(c) => ({ onClick: () => actions.select({ type: 'camera', id: c.id }), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('name'), dataIndex: 'name' },
          { title: t('position'), dataIndex: 'position', render: (v: string) => label('position', v) },
          { title: t('sourceKind'), dataIndex: 'sourceKind', render: (v: string) => label('sourceKind', v) },
          { title: t('status'), key: 'status', render: (_: unknown, c: Camera) => <CameraStateTag status={statuses.get(c.id)} testId={`camera-state-${c.id}`} /> },
          { title: t('gbCode'), dataIndex: 'gbCode', render: (g: string) => <span className="xc-mono">{g}</span> },
        ]}
      />
    );
  } else {
    const c = index.cameras.get(sel.id);
    if (!c) return <Card><Empty description={t('selectNode')} /></Card>;
    title = c.name;
    kindLabel = label('nodeKind', 'camera');
    items = [
      { key: 'name', label: t('name'), children: c.name },
      { key: 'room', label: label('nodeKind', 'room'), children: index.rooms.get(c.roomId)?.name ?? '—' },
      { key: 'gb', label: t('gbCode'), children: code(c.gbCode) },
      { key: 'pos', label: t('position'), children: label('position', c.position) },
      { key: 'src', label: t('sourceKind'), children: label('sourceKind', c.sourceKind) },
      { key: 'status', label: t('status'), span: 2, children: <CameraStateTag status={statuses.get(c.id)} testId="detail-camera-state" /> },
      { key: 'main', label: t('mainStream'), span: 2, children: <span className="xc-mono">{c.mainStream || '—'}</span> },
      { key: 'sub', label: t('subStream'), span: 2, children: <span className="xc-mono">{c.subStream || '—'}</span> },
      { key: 'cred', label: t('credentials'), children: c.hasCredentials ? <Tag color="green">{t('configured')}</Tag> : <Tag>{t('notConfigured')}</Tag> },
      ...(statuses.get(c.id)?.detail ? [{ key: 'reason', label: t('statusReason'), span: 2, children: statuses.get(c.id)?.detail }] : []),
    ];
    if (isAdmin) {
      extraButtons = <Button icon={<EyeOutlined />} onClick={() => actions.reveal(c)} data-testid="btn-reveal">{t('reveal')}</Button>;
    }
  }

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="org-detail">
      <Card size="small">
        <Breadcrumb items={pathNames(index, sel).map((n) => ({ title: n }))} style={{ fontSize: 12, marginBottom: 8 }} />
        <div className="xc-detail-head">
          <Space>
            <Typography.Text strong style={{ fontSize: 18 }} data-testid="detail-title">{title}</Typography.Text>
            <Tag color="processing">{kindLabel}</Tag>
          </Space>
          <Space wrap>
            {extraButtons}
            {canEdit && <Button icon={<EditOutlined />} onClick={() => actions.edit(sel)} data-testid="btn-edit">{t('edit')}</Button>}
            {canEdit && <Button icon={<DragOutlined />} onClick={() => actions.move(sel)} data-testid="btn-move">{t('move')}</Button>}
            {canEdit && (
              <Popconfirm
                title={t('deleteConfirm', { name: title })}
                description={t('deleteCascadeHint')}
                okButtonProps={{ danger: true, 'data-testid': 'confirm-delete' }}
                onConfirm={() => { void actions.remove(sel); }}
              >
                <Button danger icon={<DeleteOutlined />} data-testid="btn-delete">{t('delete')}</Button>
              </Popconfirm>
            )}
          </Space>
        </div>
        <Descriptions bordered size="small" column={2} items={items} styles={{ label: { width: 130 } }} />
      </Card>
      {below && <Card size="small" styles={{ body: { padding: 0 } }}>{below}</Card>}
    </Space>
  );
}
