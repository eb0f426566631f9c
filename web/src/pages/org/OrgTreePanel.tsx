// Left panel: searchable antd Tree of province → city → district → site → rooms → cameras.
import { useMemo } from 'react';
import type { ReactNode } from 'react';
import { Button, Card, Empty, Input, Space, Spin, Tooltip, Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import {
  ApartmentOutlined, BankOutlined, DesktopOutlined, EnvironmentOutlined, FileProtectOutlined, FundProjectionScreenOutlined,
  GlobalOutlined, HomeOutlined, ProfileOutlined, ReloadOutlined, ShrinkOutlined, ArrowsAltOutlined, TableOutlined,
  VideoCameraOutlined, AppstoreOutlined,
} from '@ant-design/icons';
import type { Camera, NodeKind, OrgNode, Room, RoomKind } from '../../types.ts';
import { useI18n } from '../../i18n.ts';
import { useConsoleText } from '../../consoleText.ts';
import { CAMERA_STATE_COLOR, cameraStateKind, cameraStateText } from '../../components/CameraState.tsx';
import type { CameraStatusView } from '../wall/wallModel.ts';
import { matches, selKey } from './orgModel.ts';
import type { OrgIndex } from './orgModel.ts';

const NODE_ICON: Record<NodeKind, ReactNode> = {
  province: <GlobalOutlined />, city: <BankOutlined />, district: <EnvironmentOutlined />, site: <HomeOutlined />,
};
const ROOM_ICON: Record<RoomKind, ReactNode> = {
  exam: <TableOutlined />, lab: <DesktopOutlined />, affairs: <ProfileOutlined />, secrecy: <FileProtectOutlined />,
  monitoring: <FundProjectionScreenOutlined />, other: <AppstoreOutlined />,
};
export const STATUS_COLOR: Record<string, string> = { online: '#52c41a', recording: '#1677ff', offline: '#bfbfbf', error: '#ff4d4f' };

interface Props {
  index: OrgIndex;
  loading: boolean;
  search: string;
  onSearch: (q: string) => void;
  selectedKey: string | null;
  onSelect: (key: string) => void;
  expandedKeys: string[];
  onExpand: (keys: string[]) => void;
  onRefresh: () => void;
  /** Live camera states (GET /api/cameras/status). */
  statuses: Map<number, CameraStatusView>;
}

export function OrgTreePanel(p: Props) {
  const { t, label } = useI18n();
  const { c: ct, lang } = useConsoleText();
  const q = p.search.trim();

  const treeData = useMemo(() => {
    const camNode = (c: Camera): TreeDataNode => ({
      key: selKey({ type: 'camera', id: c.id }),
      icon: <VideoCameraOutlined />,
      isLeaf: true,
      title: (
        <span className="xc-tree-title" data-testid={`tree-camera-${c.id}`}>
          {c.name}
          <span className="xc-status-dot" data-testid={`tree-camera-dot-${c.id}`} data-state={cameraStateKind(p.statuses.get(c.id))} style={{ background: CAMERA_STATE_COLOR[cameraStateKind(p.statuses.get(c.id))] }} title={cameraStateText(p.statuses.get(c.id), lang, ct)} />
        </span>
      ),
    });
    const roomNode = (r: Room, showAll: boolean): TreeDataNode | null => {
      const hit = !q || matches(r.name, q) || matches(r.gbCode ?? '', q) || showAll;
      const cams = (r.cameras ?? []).filter((c) => hit || matches(c.name, q) || matches(c.gbCode ?? '', q));
      if (!hit && cams.length === 0) return null;
      return {
        key: selKey({ type: 'room', id: r.id }),
        icon: ROOM_ICON[r.kind] ?? <AppstoreOutlined />,
        title: (
          <span className="xc-tree-title" data-testid={`tree-room-${r.id}`}>
            {r.name}
            <span className="xc-sub">{label('roomKind', r.kind)} · {r.seats}</span>
          </span>
        ),
        children: cams.map(camNode),
      };
    };
    const build = (n: OrgNode, ancestorHit: boolean): TreeDataNode | null => {
      const hit = ancestorHit || !q || matches(n.name, q) || matches(n.gbCode ?? '', q);
      const kids: TreeDataNode[] = [];
      for (const c of p.index.children.get(n.id) ?? []) {
        const d = build(c, hit);
        if (d) kids.push(d);
      }
      for (const r of n.rooms ?? []) {
        const d = roomNode(r, hit);
        if (d) kids.push(d);
      }
      if (!hit && kids.length === 0) return null;
      return {
        key: selKey({ type: 'node', id: n.id }),
        icon: NODE_ICON[n.kind],
        title: (
          <span className="xc-tree-title" data-testid={`tree-node-${n.id}`}>
            {n.name}
            <span className="xc-sub">{label('nodeKind', n.kind)}</span>
          </span>
        ),
        children: kids,
      };
    };
    return p.index.roots.map((r) => build(r, false)).filter((x): x is TreeDataNode => x !== null);
  }, [p.index, q, label, p.statuses, lang, ct]);

  const allKeys = useMemo(() => {
    const out: string[] = [];
    const walk = (ns: TreeDataNode[]) => {
      for (const n of ns) {
        if (n.children?.length) {
          out.push(String(n.key));
          walk(n.children);
        }
      }
    };
    walk(treeData);
    return out;
  }, [treeData]);

  return (
    <Card
      title={<Space><ApartmentOutlined />{t('orgTree')}</Space>}
      size="small"
      styles={{ body: { padding: 12 } }}
      extra={
        <Space size={0}>
          <Tooltip title={t('expandAll')}><Button type="text" size="small" icon={<ArrowsAltOutlined />} onClick={() => p.onExpand(allKeys)} data-testid="tree-expand-all" /></Tooltip>
          <Tooltip title={t('collapseAll')}><Button type="text" size="small" icon={<ShrinkOutlined />} onClick={() => p.onExpand([])} /></Tooltip>
          <Tooltip title={t('refresh')}><Button type="text" size="small" icon={<ReloadOutlined />} onClick={p.onRefresh} data-testid="org-refresh" /></Tooltip>
        </Space>
      }
    >
      <Input.Search allowClear placeholder={t('searchTree')} value={p.search} onChange={(e) => p.onSearch(e.target.value)} style={{ marginBottom: 8 }} data-testid="org-search" />
      <div className="xc-tree-wrap" data-testid="org-tree">
        <Spin spinning={p.loading}>
          {treeData.length === 0 && !p.loading ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('emptyTree')} />
          ) : (
            <Tree
              showIcon
              blockNode
              treeData={treeData}
              selectedKeys={p.selectedKey ? [p.selectedKey] : []}
              expandedKeys={q ? allKeys : p.expandedKeys}
              onExpand={(keys) => p.onExpand(keys.map(String))}
              onSelect={(keys) => { if (keys.length) p.onSelect(String(keys[0])); }}
            />
          )}
        </Spin>
      </div>
    </Card>
  );
}
