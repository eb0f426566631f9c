// Camera tree of the wall: site → room → camera. A camera or a whole room is dragged onto the wall
// (or double-clicked to fill the next free tile). Status dots come from GET /api/cameras/status.
import { useState } from 'react';
import { Input, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { VideoCameraOutlined, HomeOutlined, BankOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n.ts';
import { reasonLabel } from '../playback/pbApi.ts';
import { DRAG_TYPE } from './Tile.tsx';
import { useConsoleText } from '../../consoleText.ts';
import { CAMERA_STATE_COLOR, cameraStateKind, cameraStateText, sinceText } from '../../components/CameraState.tsx';
import type { CameraStatusView, WallSite } from './wallModel.ts';

interface Props {
  sites: WallSite[];
  statuses: Map<number, CameraStatusView>;
  onAdd: (cameraIds: number[]) => void;
}

function dragProps(ids: number[], onAdd: (ids: number[]) => void) {
  return {
    draggable: true,
    onDragStart: (e: React.DragEvent) => {
      e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(ids));
      e.dataTransfer.effectAllowed = 'copy';
    },
    onDoubleClick: (e: React.MouseEvent) => {
      e.stopPropagation();
      onAdd(ids);
    },
  };
}

export function CameraTree({ sites, statuses, onAdd }: Props) {
  const { t, lang } = useI18n();
  const { c } = useConsoleText();
  const [query, setQuery] = useState('');
  const dot = (id: number) => {
    const s = statuses.get(id);
    const kind = cameraStateKind(s);
    const title = `${cameraStateText(s, lang, c)} ${sinceText(s, c)}`;
    return <span className="xc-status-dot" data-testid={`wall-camera-dot-${id}`} data-state={kind} title={title} style={{ background: CAMERA_STATE_COLOR[kind], marginRight: 6 }} />;
  };
  /** Why a camera is in error (认证失败, 数据异常, 编码与声明不符…), next to its name. */
  const why = (id: number) => {
    const s = statuses.get(id);
    if (s?.state !== 'error' || !s.reason) return null;
    return (
      <span className="xc-sub" style={{ color: '#ff4d4f', marginLeft: 4 }} data-testid={`tree-camera-reason-${id}`}>
        ({reasonLabel(s.reason, lang)})
      </span>
    );
  };
  const q = query.trim().toLowerCase();
  const hit = (name: string) => !q || name.toLowerCase().includes(q);
  // A matching site or room keeps all it holds; otherwise only matching cameras are kept.
  const shownSites = sites
    .map((s) => hit(s.name) ? s : { ...s, rooms: s.rooms.map((r) => (hit(r.name) ? r : { ...r, cameras: r.cameras.filter((cam) => hit(cam.name)) })).filter((r) => r.cameras.length > 0) })
    .filter((s) => s.rooms.length > 0);
  const data: TreeDataNode[] = shownSites.map((s) => ({
    key: `s${s.id}`,
    icon: <BankOutlined />,
    title: <span {...dragProps(s.rooms.flatMap((r) => r.cameras.map((c) => c.id)), onAdd)}>{s.name}</span>,
    children: s.rooms.map((r) => ({
      key: `r${r.id}`,
      icon: <HomeOutlined />,
      title: (
        <span data-testid={`tree-room-${r.id}`} {...dragProps(r.cameras.map((c) => c.id), onAdd)}>
          {r.name} <span className="xc-sub">({r.cameras.length})</span>
        </span>
      ),
      children: r.cameras.map((c) => ({
        key: `c${c.id}`,
        icon: <VideoCameraOutlined />,
        isLeaf: true,
        title: (
          <span data-testid={`tree-camera-${c.id}`} {...dragProps([c.id], onAdd)}>
            {dot(c.id)}
            {c.name}
            {why(c.id)}
          </span>
        ),
      })),
    })),
  }));
  return (
    <div className="xc-wall-tree">
      <Typography.Text strong>{t('wallCameras')}</Typography.Text>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 8px' }}>
        {c('wallDragHint2')}
      </Typography.Paragraph>
      <Input.Search allowClear size="small" placeholder={c('treeSearch')} value={query} onChange={(e) => setQuery(e.target.value)} style={{ marginBottom: 8 }} data-testid="wall-tree-search" />
      {data.length > 0 && <Tree key={q} showIcon defaultExpandAll blockNode selectable={false} treeData={data} />}
    </div>
  );
}
