// Tour (轮巡) controls: choose / create / edit / delete a tour, start-pause, previous-next page.
// Tours are kept on the server (tourApi.ts): the same on every duty PC, shared ones prepared by
// administrators for their node.
import { useState } from 'react';
import { Button, Popconfirm, Select, Space, Tag, Tooltip, Typography, message } from 'antd';
import { CaretRightOutlined, DeleteOutlined, EditOutlined, LeftOutlined, PauseOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { OrgNode } from '../../types.ts';
import type { Tour, TourInput } from './tourApi.ts';
import { TourFormModal } from './TourFormModal.tsx';
import type { WallSite } from './wallModel.ts';

interface Props {
  tours: Tour[];
  nodes: OrgNode[];
  sites: WallSite[];
  canShare: boolean;
  defaultNodeId: number;
  defaultLayout: number;
  tourId?: number;
  running: boolean;
  page: number;
  pages: number;
  onSelect: (id: number | undefined) => void;
  /** Creates (id undefined) or replaces a tour; resolves to the saved tour's id. */
  onSave: (input: TourInput, id?: number) => Promise<number>;
  onDelete: (id: number) => Promise<void>;
  onToggle: () => void;
  onStep: (delta: number) => void;
  /** The tour list is opened: a chance to fetch tours saved elsewhere meanwhile. */
  onOpen: () => void;
}

export function TourBar({ tours, nodes, sites, canShare, defaultNodeId, defaultLayout, tourId, running, page, pages, onSelect, onSave, onDelete, onToggle, onStep, onOpen }: Props) {
  const { t } = useI18n();
  // undefined: closed; 'new': creating; a tour: editing it.
  const [editing, setEditing] = useState<Tour | 'new'>();
  const tour = tours.find((x) => x.id === tourId);
  const save = async (input: TourInput) => {
    try {
      const id = await onSave(input, editing === 'new' ? undefined : editing?.id);
      setEditing(undefined);
      onSelect(id);
      void message.success(t('tourSaved'));
    } catch (err) {
      void message.error(errorMessage(err));
      throw err;
    }
  };
  const remove = async (id: number) => {
    try {
      await onDelete(id);
      onSelect(undefined);
      void message.success(t('deleted'));
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  return (
    <Space wrap size={6}>
      <Typography.Text strong>{t('tour')}</Typography.Text>
      <Select
        style={{ width: 220 }}
        placeholder={t('tourPick')}
        allowClear
        value={tourId}
        onChange={(v?: number) => onSelect(v)}
        onOpenChange={(o) => o && onOpen()}
        options={tours.map((x) => ({
          value: x.id,
          title: `${x.name}（${x.intervalS}s）`,
          label: (
            <span data-testid={`tour-option-${x.id}`}>
              <span>{`${x.name}（${x.intervalS}s）`}</span>
              {x.shared && <Tag color="blue" style={{ marginLeft: 6 }}>{t('tourSharedTag')}</Tag>}
            </span>
          ),
        }))}
        data-testid="tour-select"
      />
      <Tooltip title={t('tourNew')}>
        <Button icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="tour-new" />
      </Tooltip>
      {tour && (
        <>
          <Button type={running ? 'default' : 'primary'} icon={running ? <PauseOutlined /> : <CaretRightOutlined />} onClick={onToggle} data-testid="tour-toggle">
            {running ? t('tourPause') : t('tourStart')}
          </Button>
          <Button icon={<LeftOutlined />} onClick={() => onStep(-1)} title={t('tourPrev')} data-testid="tour-prev" />
          <span data-testid="tour-page" className="xc-time">{t('tourPage', { page: page + 1, pages: Math.max(1, pages) })}</span>
          <Button icon={<RightOutlined />} onClick={() => onStep(1)} title={t('tourNext')} data-testid="tour-next" />
          {tour.canEdit && (
            <>
              <Tooltip title={t('tourEdit')}>
                <Button icon={<EditOutlined />} onClick={() => setEditing(tour)} data-testid="tour-edit" />
              </Tooltip>
              <Popconfirm title={t('tourDeleteConfirm', { name: tour.name })} onConfirm={() => void remove(tour.id)} okText={t('delete')} cancelText={t('cancel')}>
                <Tooltip title={t('tourDelete')}>
                  <Button danger icon={<DeleteOutlined />} data-testid="tour-delete" />
                </Tooltip>
              </Popconfirm>
            </>
          )}
          {tour.shared && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('tourSharedBy', { node: tour.orgNodeName, owner: tour.ownerName })}</Typography.Text>}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('tourKeys')}</Typography.Text>
        </>
      )}
      {editing && (
        <TourFormModal
          open
          tour={editing === 'new' ? undefined : editing}
          nodes={nodes}
          sites={sites}
          canShare={canShare}
          defaultNodeId={defaultNodeId}
          defaultLayout={defaultLayout}
          onCancel={() => setEditing(undefined)}
          onSubmit={save}
        />
      )}
    </Space>
  );
}
