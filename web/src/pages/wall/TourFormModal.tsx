// New / edit patrol tour (轮巡方案): name, interval, tiles per page, the org node it belongs to, shared
// or private, and what it visits (every exam room of the node, rooms, cameras). Only cameras and
// rooms inside the chosen node are offered; the server checks the same (and the caller's scope).
import { useMemo } from 'react';
import { Checkbox, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import { useI18n } from '../../i18n.ts';
import type { OrgNode } from '../../types.ts';
import type { Tour, TourInput } from './tourApi.ts';
import { LAYOUTS } from './wallModel.ts';
import type { WallSite } from './wallModel.ts';

interface Values { name: string; intervalS: number; layoutTiles: number; orgNodeId: number; shared: boolean; targets: string[] }

interface Props {
  open: boolean;
  /** The tour being edited; undefined for a new one. */
  tour?: Tour;
  nodes: OrgNode[];
  sites: WallSite[];
  /** Administrators share tours (permission tour.share). */
  canShare: boolean;
  defaultNodeId: number;
  defaultLayout: number;
  onCancel: () => void;
  onSubmit: (input: TourInput) => Promise<void>;
}

const toValue = (it: Tour['items'][number]) => (it.kind === 'all-exam-rooms' ? 'all' : `${it.kind === 'room' ? 'r' : 'c'}${it.refId}`);

/** Ids of `nodeId` and every node below it (the org tree comes parents first). */
function subtree(nodes: OrgNode[], nodeId: number | undefined): Set<number> {
  const out = new Set<number>(nodeId === undefined ? [] : [nodeId]);
  for (const n of nodes) if (n.parentId !== null && out.has(n.parentId)) out.add(n.id);
  return out;
}

export function TourFormModal({ open, tour, nodes, sites, canShare, defaultNodeId, defaultLayout, onCancel, onSubmit }: Props) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<Values>();
  const nodeId = Form.useWatch('orgNodeId', form) as number | undefined;
  const depth = useMemo(() => {
    const d = new Map<number, number>();
    for (const n of nodes) d.set(n.id, n.parentId === null ? 0 : (d.get(n.parentId) ?? -1) + 1);
    return d;
  }, [nodes]);
  const inNode = useMemo(() => subtree(nodes, nodeId ?? defaultNodeId), [nodes, nodeId, defaultNodeId]);
  const here = sites.filter((s) => inNode.has(s.id));
  const targetOptions = [
    { value: 'all', label: t('tourAllExam') },
    ...here.flatMap((s) => s.rooms.map((r) => ({ value: `r${r.id}`, label: `${s.name} / ${r.name}` }))),
    ...here.flatMap((s) => s.rooms.flatMap((r) => r.cameras.map((c) => ({ value: `c${c.id}`, label: `${r.name} · ${c.name}` })))),
  ];
  const known = new Set(targetOptions.map((o) => o.value));
  const initial: Values = tour
    ? { name: tour.name, intervalS: tour.intervalS, layoutTiles: tour.layoutTiles, orgNodeId: tour.orgNodeId, shared: tour.shared, targets: tour.items.map(toValue).filter((v) => known.has(v)) }
    : { name: '', intervalS: 15, layoutTiles: defaultLayout, orgNodeId: defaultNodeId, shared: false, targets: ['all'] };

  const submit = async () => {
    const v = await form.validateFields();
    // Targets outside the chosen node (picked before the node changed) are dropped, not sent.
    const items = v.targets
      .filter((x) => x === 'all' || known.has(x))
      .map((x): TourInput['items'][number] => (x === 'all' ? { kind: 'all-exam-rooms' } : { kind: x[0] === 'r' ? 'room' : 'camera', refId: Number(x.slice(1)) }));
    await onSubmit({ name: v.name, intervalS: v.intervalS, layoutTiles: v.layoutTiles, orgNodeId: v.orgNodeId, shared: canShare && v.shared, items });
  };

  return (
    <Modal title={tour ? t('tourEdit') : t('tourNew')} open={open} onOk={() => void submit().catch(() => undefined)} onCancel={onCancel} okText={t('save')} cancelText={t('cancel')} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
        <Form.Item name="name" label={t('tourName')} rules={[{ required: true, whitespace: true, message: t('required', { field: t('tourName') }) }]}>
          <Input maxLength={64} data-testid="tour-name" />
        </Form.Item>
        <Form.Item name="intervalS" label={t('tourInterval')} rules={[{ required: true }]}>
          <InputNumber min={5} max={3600} data-testid="tour-interval" />
        </Form.Item>
        <Form.Item name="layoutTiles" label={t('tourLayout')} rules={[{ required: true }]}>
          <Select style={{ width: 120 }} options={LAYOUTS.map((n) => ({ value: n, label: String(n) }))} data-testid="tour-layout" />
        </Form.Item>
        <Form.Item name="orgNodeId" label={t('tourNode')} rules={[{ required: true }]}>
          <Select
            showSearch
            optionFilterProp="title"
            options={nodes.map((n) => ({ value: n.id, title: n.name, label: `${'\u3000'.repeat(depth.get(n.id) ?? 0)}${n.name}（${label('nodeKind', n.kind)}）` }))}
            data-testid="tour-node"
          />
        </Form.Item>
        <Form.Item name="targets" label={t('tourTargets')} rules={[{ required: true, message: t('required', { field: t('tourTargets') }) }]}>
          <Select mode="multiple" options={targetOptions} optionFilterProp="label" data-testid="tour-targets" />
        </Form.Item>
        {canShare && (
          <Form.Item name="shared" valuePropName="checked" extra={t('tourSharedHint')}>
            <Checkbox data-testid="tour-shared">{t('tourShared')}</Checkbox>
          </Form.Item>
        )}
        <Typography.Text type="secondary">{t('tourServerHint')}</Typography.Text>
      </Form>
    </Modal>
  );
}
