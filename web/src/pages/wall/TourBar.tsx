// Tour (轮巡) controls: choose / create / delete a tour, start-pause, previous-next page.
// Tours are stored in this browser (localStorage), per user.
import { useState } from 'react';
import { Button, Form, Input, InputNumber, Modal, Select, Space, Tooltip, Typography, message } from 'antd';
import { CaretRightOutlined, DeleteOutlined, LeftOutlined, PauseOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n.ts';
import type { Tour, TourTarget, WallSite } from './wallModel.ts';

interface Props {
  tours: Tour[];
  sites: WallSite[];
  tourId?: string;
  running: boolean;
  page: number;
  pages: number;
  onSelect: (id: string | undefined) => void;
  onSave: (tours: Tour[]) => void;
  onToggle: () => void;
  onStep: (delta: number) => void;
}

export function TourBar({ tours, sites, tourId, running, page, pages, onSelect, onSave, onToggle, onStep }: Props) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ name: string; intervalS: number; targets: string[] }>();
  const targetOptions = [
    { value: 'all', label: t('tourAllExam') },
    ...sites.flatMap((s) => s.rooms.map((r) => ({ value: `r${r.id}`, label: `${s.name} / ${r.name}` }))),
    ...sites.flatMap((s) => s.rooms.flatMap((r) => r.cameras.map((c) => ({ value: `c${c.id}`, label: `${r.name} · ${c.name}` })))),
  ];
  const create = async () => {
    const v = await form.validateFields();
    const targets: TourTarget[] = v.targets.map((x) => (x === 'all' ? { kind: 'allExam' } : { kind: x[0] === 'r' ? 'room' : 'camera', id: Number(x.slice(1)) }));
    const tour: Tour = { id: `t${Date.now().toString(36)}`, name: v.name, intervalS: v.intervalS, targets };
    onSave([...tours, tour]);
    onSelect(tour.id);
    setOpen(false);
    form.resetFields();
    void message.success(t('tourSaved'));
  };
  return (
    <Space wrap size={6}>
      <Typography.Text strong>{t('tour')}</Typography.Text>
      <Select
        style={{ width: 180 }}
        placeholder={t('tourPick')}
        allowClear
        value={tourId}
        onChange={(v?: string) => onSelect(v)}
        options={tours.map((x) => ({ value: x.id, label: `${x.name}（${x.intervalS}s）` }))}
        data-testid="tour-select"
      />
      <Tooltip title={t('tourNew')}>
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="tour-new" />
      </Tooltip>
      {tourId && (
        <>
          <Button type={running ? 'default' : 'primary'} icon={running ? <PauseOutlined /> : <CaretRightOutlined />} onClick={onToggle} data-testid="tour-toggle">
            {running ? t('tourPause') : t('tourStart')}
          </Button>
          <Button icon={<LeftOutlined />} onClick={() => onStep(-1)} title={t('tourPrev')} data-testid="tour-prev" />
          <span data-testid="tour-page" className="xc-time">{t('tourPage', { page: page + 1, pages: Math.max(1, pages) })}</span>
          <Button icon={<RightOutlined />} onClick={() => onStep(1)} title={t('tourNext')} data-testid="tour-next" />
          <Tooltip title={t('tourDelete')}>
            <Button danger icon={<DeleteOutlined />} onClick={() => { onSave(tours.filter((x) => x.id !== tourId)); onSelect(undefined); }} />
          </Tooltip>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('tourKeys')}</Typography.Text>
        </>
      )}
      <Modal title={t('tourNew')} open={open} onOk={() => void create().catch(() => undefined)} onCancel={() => setOpen(false)} okText={t('save')} cancelText={t('cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ intervalS: 15, targets: ['all'] }}>
          <Form.Item name="name" label={t('tourName')} rules={[{ required: true, message: t('required', { field: t('tourName') }) }]}>
            <Input maxLength={40} data-testid="tour-name" />
          </Form.Item>
          <Form.Item name="intervalS" label={t('tourInterval')} rules={[{ required: true }]}>
            <InputNumber min={5} max={3600} data-testid="tour-interval" />
          </Form.Item>
          <Form.Item name="targets" label={t('tourTargets')} rules={[{ required: true }]}>
            <Select mode="multiple" options={targetOptions} optionFilterProp="label" />
          </Form.Item>
          <Typography.Text type="secondary">{t('tourLocalHint')}</Typography.Text>
        </Form>
      </Modal>
    </Space>
  );
}
