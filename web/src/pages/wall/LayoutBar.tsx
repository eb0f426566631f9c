// Named wall layouts (画面布局, issue 14 item 1): pick one to fill the wall, save the wall as one
// (a name already mine is replaced), delete. Kept on the server; an administrator may share one
// with everyone whose scope holds its node, like a patrol tour.
import { useState } from 'react';
import { Button, Checkbox, Input, Modal, Popconfirm, Select, Space, Tag, Tooltip, Typography, message } from 'antd';
import type { ButtonProps } from 'antd';
import { DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { useConsoleText } from '../../consoleText.ts';
import { wallApi } from './wallApi.ts';
import type { WallLayout } from './wallApi.ts';

interface Props {
  userId: number;
  canShare: boolean;
  layouts: WallLayout[];
  selected?: number;
  /** The wall as it is now: what "save" stores. */
  layoutTiles: number;
  cells: (number | null)[];
  onPick: (l: WallLayout | undefined) => void;
  /** Reloads the list (after a change, or when it is opened). */
  onChanged: () => Promise<WallLayout[]>;
}

export function LayoutBar({ userId, canShare, layouts, selected, layoutTiles, cells, onPick, onChanged }: Props) {
  const { c } = useConsoleText();
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const current = layouts.find((l) => l.id === selected);
  const mine = layouts.find((l) => l.ownerId === userId && l.name === name.trim());
  const open = () => {
    if (!cells.slice(0, layoutTiles).some((x) => x !== null)) {
      void message.warning(c('wallLayoutEmpty'));
      return;
    }
    setName(current?.canEdit ? current.name : '');
    setShared(current?.canEdit ? current.shared : false);
    setSaving(true);
  };
  const save = async () => {
    const body = { name: name.trim(), layoutTiles, cells: cells.slice(0, layoutTiles), shared, orgNodeId: mine?.orgNodeId };
    try {
      const l = mine ? await wallApi.update(mine.id, body) : await wallApi.create(body);
      await onChanged();
      onPick(l);
      setSaving(false);
      void message.success(c('wallLayoutSaved'));
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const remove = async (l: WallLayout) => {
    try {
      await wallApi.remove(l.id);
      await onChanged();
      onPick(undefined);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  return (
    <Space wrap size={6}>
      <Typography.Text strong>{c('wallLayouts')}</Typography.Text>
      <Select
        style={{ width: 200 }}
        placeholder={c('wallLayoutPick')}
        allowClear
        value={selected}
        onOpenChange={(o) => o && void onChanged().catch(() => undefined)}
        onChange={(v?: number) => onPick(layouts.find((l) => l.id === v))}
        options={layouts.map((l) => ({
          value: l.id,
          title: l.shared ? c('wallLayoutBy', { owner: l.ownerName, node: l.orgNodeName }) : l.name,
          label: (
            <span data-testid={`wall-layout-option-${l.id}`}>
              {l.name}（{l.layoutTiles}）{l.shared && <Tag color="blue" style={{ marginLeft: 6 }}>{c('wallLayoutSharedTag')}</Tag>}
            </span>
          ),
        }))}
        data-testid="wall-layout-select"
      />
      <Tooltip title={c('wallKeptOnServer')}>
        <Button icon={<SaveOutlined />} onClick={open} data-testid="wall-layout-save">{c('wallLayoutSave')}</Button>
      </Tooltip>
      {current?.canEdit && (
        <Popconfirm title={c('wallLayoutDelete', { name: current.name })} onConfirm={() => void remove(current)}>
          <Button danger icon={<DeleteOutlined />} data-testid="wall-layout-delete" />
        </Popconfirm>
      )}
      <Modal open={saving} title={c('wallLayoutSave')} onCancel={() => setSaving(false)} onOk={() => void save()} okButtonProps={{ disabled: !name.trim(), 'data-testid': 'wall-layout-ok' } as ButtonProps} destroyOnHidden>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input placeholder={c('wallLayoutName')} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} onPressEnter={() => name.trim() && void save()} data-testid="wall-layout-name" autoFocus />
          {mine && <Typography.Text type="warning">{c('wallLayoutOverwrite')}</Typography.Text>}
          {canShare && <Checkbox checked={shared} onChange={(e) => setShared(e.target.checked)}>{c('wallLayoutShared')}</Checkbox>}
        </Space>
      </Modal>
    </Space>
  );
}
