// 组织机构 page: tree + detail panel, CRUD modals, move, import/export, camera reveal.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Space, Typography } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../../api.ts';
import type { Camera, CameraSecrets, OrgNode, User } from '../../types.ts';
import { useI18n } from '../../i18n.ts';
import { canWrite } from '../../routes.ts';
import { ancestorKeys, buildIndex, nodeKeys, parseKey, selKey } from './orgModel.ts';
import type { Sel } from './orgModel.ts';
import { OrgTreePanel } from './OrgTreePanel.tsx';
import { useCameraStatuses } from '../../components/CameraState.tsx';
import { OrgDetail } from './OrgDetail.tsx';
import type { DetailActions } from './OrgDetail.tsx';
import { NodeFormModal } from './NodeFormModal.tsx';
import type { NodeFormState } from './NodeFormModal.tsx';
import { RoomFormModal } from './RoomFormModal.tsx';
import type { RoomFormState } from './RoomFormModal.tsx';
import { CameraFormModal } from './CameraFormModal.tsx';
import { OnvifCameraModal } from './OnvifCameraModal.tsx';
import type { CameraFormState } from './CameraFormModal.tsx';
import { MoveModal } from './MoveModal.tsx';
import { ImportModal } from './ImportModal.tsx';
import { RevealModal } from './RevealModal.tsx';

type ModalState =
  | { type: 'node'; state: NodeFormState }
  | { type: 'room'; state: RoomFormState }
  | { type: 'camera'; state: CameraFormState }
  | { type: 'onvif'; roomId: number }
  | { type: 'move'; sel: Sel }
  | { type: 'import' }
  | { type: 'reveal'; camera: Camera; data: CameraSecrets | null; error: string | null }
  | null;

export function OrgPage({ user }: { user: User }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const [loading, setLoading] = useState(true);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const [search, setSearch] = useState('');
  const [modal, setModal] = useState<ModalState>(null);
  const index = useMemo(() => buildIndex(nodes), [nodes]);
  const statuses = useCameraStatuses();
  const isAdmin = user.role === 'admin';
  const canEdit = canWrite(user.role);

  const load = useCallback(async (): Promise<OrgNode[]> => {
    setLoading(true);
    try {
      const r = await api.orgTree();
      setNodes(r.nodes);
      return r.nodes;
    } catch (err) {
      void message.error(errorMessage(err));
      return [];
    } finally {
      setLoading(false);
    }
  }, [message]);

  useEffect(() => {
    void load().then((list) => {
      // Default expansion: down to districts so sites are visible.
      setExpanded((cur) => cur ?? nodeKeys(buildIndex(list), ['province', 'city', 'district']));
    });
  }, [load]);

  /** Reload and focus an entity (expanding its ancestors, and itself when `open`: a room whose new camera must show). */
  const reloadAndSelect = async (sel: Sel | null, open = false) => {
    const list = await load();
    if (!sel) return;
    const idx = buildIndex(list);
    const key = selKey(sel);
    setSelectedKey(key);
    setExpanded((cur) => Array.from(new Set([...(cur ?? []), ...ancestorKeys(idx, sel), ...(open ? [key] : [])])));
  };

  const sel = selectedKey ? parseKey(selectedKey) : null;
  const close = () => setModal(null);

  const actions: DetailActions = {
    addChild: (n, kind) => setModal({ type: 'node', state: { mode: 'create', parentId: n.id, kind } }),
    addRoom: (site) => setModal({ type: 'room', state: { mode: 'create', siteId: site.id } }),
    addCamera: (room) => setModal({ type: 'camera', state: { mode: 'create', roomId: room.id } }),
    addCameraOnvif: (room) => setModal({ type: 'onvif', roomId: room.id }),
    edit: (s) => {
      if (s.type === 'node') {
        const node = index.nodes.get(s.id);
        if (node) setModal({ type: 'node', state: { mode: 'edit', node } });
      } else if (s.type === 'room') {
        const room = index.rooms.get(s.id);
        if (room) setModal({ type: 'room', state: { mode: 'edit', room } });
      } else {
        const camera = index.cameras.get(s.id);
        if (camera) setModal({ type: 'camera', state: { mode: 'edit', camera } });
      }
    },
    move: (s) => setModal({ type: 'move', sel: s }),
    remove: async (s) => {
      try {
        if (s.type === 'node') await api.deleteNode(s.id);
        else if (s.type === 'room') await api.deleteRoom(s.id);
        else await api.deleteCamera(s.id);
        void message.success(t('deleted'));
        setSelectedKey(null);
        await load();
      } catch (err) {
        void message.error(errorMessage(err));
      }
    },
    reveal: (camera) => {
      setModal({ type: 'reveal', camera, data: null, error: null });
      // Only update if the dialog for this camera is still open.
      const put = (data: CameraSecrets | null, error: string | null) =>
        setModal((cur) => (cur?.type === 'reveal' && cur.camera.id === camera.id ? { ...cur, data, error } : cur));
      api.revealCamera(camera.id).then(
        (data) => put(data, null),
        (err: unknown) => put(null, errorMessage(err)),
      );
    },
    select: (s) => {
      setSelectedKey(selKey(s));
      setExpanded((cur) => Array.from(new Set([...(cur ?? []), ...ancestorKeys(index, s)])));
    },
  };

  const done = (msgKey: 'created' | 'updated' | 'moved', s: Sel | null) => {
    close();
    void message.success(t(msgKey));
    void reloadAndSelect(s);
  };

  return (
    <div data-testid="page-org">
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Title level={4} className="xc-page-title" style={{ margin: 0 }}>{t('menuOrg')}</Typography.Title>
        <Space wrap>
          {isAdmin && <Button icon={<UploadOutlined />} onClick={() => setModal({ type: 'import' })} data-testid="btn-import">{t('importData')}</Button>}
          <Button icon={<DownloadOutlined />} href={api.exportOrgUrl('csv')} data-testid="btn-export-csv">{t('exportCsv')}</Button>
          <Button icon={<DownloadOutlined />} href={api.exportOrgUrl('xlsx')} data-testid="btn-export-xlsx">{t('exportXlsx')}</Button>
        </Space>
      </div>
      <div className="xc-org-grid">
        <OrgTreePanel
          index={index}
          loading={loading}
          search={search}
          onSearch={setSearch}
          selectedKey={selectedKey}
          onSelect={setSelectedKey}
          expandedKeys={expanded ?? []}
          onExpand={setExpanded}
          onRefresh={() => void load()}
          statuses={statuses}
        />
        <OrgDetail index={index} sel={sel} canEdit={canEdit} isAdmin={isAdmin} actions={actions} statuses={statuses} />
      </div>
      {modal?.type === 'node' && (
        <NodeFormModal state={modal.state} onClose={close} onDone={(n) => done(modal.state.mode === 'create' ? 'created' : 'updated', n ? { type: 'node', id: n.id } : sel)} />
      )}
      {modal?.type === 'room' && (
        <RoomFormModal state={modal.state} onClose={close} onDone={(r) => done(modal.state.mode === 'create' ? 'created' : 'updated', r ? { type: 'room', id: r.id } : sel)} />
      )}
      {modal?.type === 'camera' && (
        <CameraFormModal
          state={modal.state}
          onClose={close}
          // After a create the dialog stays in the room (继续添加, issue 14 item 10); 完成 selects the room.
          onCreated={(c) => {
            void message.success(t('created'));
            void reloadAndSelect({ type: 'room', id: c.roomId }, true);
          }}
          onDone={(c) => {
            if (modal.state.mode === 'edit') return done('updated', c ? { type: 'camera', id: c.id } : sel);
            close();
            void reloadAndSelect(c ? { type: 'room', id: c.roomId } : sel, true);
          }}
        />
      )}
      {modal?.type === 'onvif' && (
        <OnvifCameraModal roomId={modal.roomId} onClose={close} onDone={(c) => { close(); void message.success(t('created')); void reloadAndSelect({ type: 'room', id: c.roomId }, true); }} />
      )}
      {modal?.type === 'move' && <MoveModal index={index} sel={modal.sel} onClose={close} onDone={() => done('moved', modal.sel)} />}
      {modal?.type === 'import' && <ImportModal onClose={close} onDone={() => void load()} />}
      {modal?.type === 'reveal' && <RevealModal camera={modal.camera} data={modal.data} error={modal.error} onClose={close} />}
    </div>
  );
}
