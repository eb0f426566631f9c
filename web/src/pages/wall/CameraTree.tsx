// Camera tree of the wall: site → room → camera. A camera or a whole room is dragged onto the wall
// (or double-clicked to fill the next free tile). Status dots come from GET /api/cameras/status.
import { Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { VideoCameraOutlined, HomeOutlined, BankOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n.ts';
import { reasonLabel } from '../playback/pbApi.ts';
import { DRAG_TYPE } from './Tile.tsx';
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
  const dot = (id: number) => {
    const s = statuses.get(id);
    const color = !s ? '#bfbfbf' : s.state === 'online' ? (s.recording ? '#52c41a' : '#1677ff') : s.state === 'error' ? '#ff4d4f' : '#faad14';
    return <span className="xc-status-dot" style={{ background: color, marginRight: 6 }} />;
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
  const data: TreeDataNode[] = sites.map((s) => ({
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
        {t('wallDragHint')}
      </Typography.Paragraph>
      {data.length > 0 && <Tree showIcon defaultExpandAll blockNode selectable={false} treeData={data} />}
    </div>
  );
}
