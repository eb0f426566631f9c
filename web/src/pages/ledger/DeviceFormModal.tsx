// 新增/修改设备 (issue 19 item 1; R-SEC-1, R-SEC-2): a ledger row by hand, with its reachability
// target (探测地址 / 探测端口: the node probes a switch or UPS there, reachability.ts). The place is an
// org node or a room of a site (one tree, like the camera move dialog). Dates are typed YYYY-MM-DD,
// as in the Excel sheet, and stored as that day's UTC midnight like the import does.
import { useMemo } from 'react';
import { Form, Input, InputNumber, Select, TreeSelect } from 'antd';
import { request } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';
import type { DeviceView } from '../../../../src/ledger/schemas.ts';
import type { OrgNode } from '../../types.ts';
import { buildIndex } from '../org/orgModel.ts';
import { buildSelectTree } from '../org/selectTree.ts';
import { useLedgerText } from './ledgerText.ts';

/** Classes whose channel count is checked after a replacement (R-CITY-4, conformance.ts). */
const CHANNEL_CLASSES: ReadonlySet<string> = new Set(['nvr', 'encoder']);
export const DEVICE_CLASSES = ['camera', 'nvr', 'encoder', 'switch', 'server', 'workstation', 'monitor', 'ups', 'clock', 'other'] as const;
interface Values {
  place: string; deviceClass: string; code: string; name: string; model?: string; serial?: string; firmware?: string;
  installedOn?: string; warrantyUntil?: string; responsibleName?: string; responsiblePhone?: string; probeHost?: string; probeTcpPort?: number | null; expectedChannels?: number | null;
}
export type DeviceFormState = { mode: 'create' } | { mode: 'edit'; device: DeviceView };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const toDay = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString().slice(0, 10));
const fromDay = (s?: string) => (s && s.trim() ? Date.parse(`${s.trim()}T00:00:00Z`) : null);

/** `defaultNodeId`: where a new device goes unless chosen (the user's own node). */
export function DeviceFormModal({ state, nodes, defaultNodeId, onClose, onDone }: { state: DeviceFormState; nodes: OrgNode[]; defaultNodeId: number; onClose: () => void; onDone: (d: DeviceView) => void }) {
  const { l } = useLedgerText();
  const { label } = useI18n();
  const [form] = Form.useForm<Values>();
  const tree = useMemo(() => buildSelectTree(buildIndex(nodes), { selectableKinds: 'all', rooms: true, kindLabel: (k) => label('nodeKind', k) }), [nodes, label]);
  const roomSite = useMemo(() => new Map(nodes.flatMap((n) => (n.rooms ?? []).map((r) => [r.id, r.siteId] as const))), [nodes]);
  const cls = Form.useWatch('deviceClass', form);
  const isCameraRow = state.mode === 'edit' && state.device.cameraId !== null;
  const d = state.mode === 'edit' ? state.device : undefined;

  const submit = async (v: Values) => {
    const [kind, idText] = v.place.split(':');
    const id = Number(idText);
    const roomId = kind === 'r' ? id : null;
    const orgNodeId = kind === 'r' ? roomSite.get(id)! : id;
    const host = v.probeHost?.trim() ?? '';
    const body = {
      orgNodeId, roomId, deviceClass: v.deviceClass, code: v.code.trim(), name: v.name.trim(), model: v.model ?? '', serial: v.serial ?? '', firmware: v.firmware ?? '',
      installedOnMs: fromDay(v.installedOn), warrantyUntilMs: fromDay(v.warrantyUntil), responsibleName: v.responsibleName ?? '', responsiblePhone: v.responsiblePhone ?? '',
      // A camera is measured by its recorder, not probed: its row keeps whatever target it had.
      ...(v.deviceClass !== 'camera' && { probeHost: host === '' ? null : host, probeTcpPort: host === '' ? null : (v.probeTcpPort ?? null) }),
      ...(CHANNEL_CLASSES.has(v.deviceClass) && { expectedChannels: v.expectedChannels ?? null }),
    };
    onDone(d ? await request<DeviceView>('PUT', `/api/ledger/devices/${d.id}`, body) : await request<DeviceView>('POST', '/api/ledger/devices', body));
  };

  const init: Partial<Values> = d
    ? { place: d.roomId !== null ? `r:${d.roomId}` : `n:${d.orgNodeId}`, deviceClass: d.deviceClass, code: d.code, name: d.name, model: d.model, serial: d.serial, firmware: d.firmware, installedOn: toDay(d.installedOnMs), warrantyUntil: toDay(d.warrantyUntilMs), responsibleName: d.responsibleName, responsiblePhone: d.responsiblePhone, probeHost: d.probeHost ?? undefined, probeTcpPort: d.probeTcpPort ?? null, expectedChannels: d.expectedChannels ?? null }
    : { deviceClass: 'switch', place: `n:${defaultNodeId}` };
  const req = (k: string) => ({ required: true, whitespace: true, message: l('requiredField', { f: l(k) }) });
  // A real calendar day (2026-02-30 is refused, not rolled over into March).
  const dayRule = { validator: (_: unknown, v?: string) => (!v || (DAY.test(v.trim()) && new Date(fromDay(v)!).toISOString().startsWith(v.trim())) ? Promise.resolve() : Promise.reject(new Error(l('dayFormat')))) };

  return (
    <FormModal<Values> title={d ? `${l('editDevice')} · ${d.name}` : l('addDevice')} open form={form} testId="device-form" initialValues={init} onCancel={onClose} onSubmit={submit} width={640}>
      <Form.Item name="place" label={l('place')} rules={[{ required: true, message: l('requiredField', { f: l('place') }) }]}>
        <TreeSelect data-testid="device-place" treeData={tree} treeDefaultExpandAll showSearch={{ treeNodeFilterProp: 'title' }} />
      </Form.Item>
      <Form.Item name="deviceClass" label={l('cls')} rules={[{ required: true }]}>
        <Select data-testid="device-class" disabled={isCameraRow} options={DEVICE_CLASSES.filter((c) => c !== 'camera' || isCameraRow).map((c) => ({ value: c, label: l(`cls_${c}`) }))} />
      </Form.Item>
      <Form.Item name="code" label={l('code')} rules={[req('code'), { max: 32 }]}><Input data-testid="device-code" className="xc-mono" maxLength={32} /></Form.Item>
      <Form.Item name="name" label={l('name')} rules={[req('name'), { max: 128 }]}><Input data-testid="device-name" maxLength={128} /></Form.Item>
      <Form.Item name="model" label={l('model')}><Input data-testid="device-model" maxLength={128} /></Form.Item>
      <Form.Item name="serial" label={l('serial')} extra={d?.serial ? l(isCameraRow ? 'serialReplacedHint' : 'serialReplacedOtherHint') : undefined}><Input data-testid="device-serial" maxLength={128} /></Form.Item>
      <Form.Item name="firmware" label={l('firmware')}><Input data-testid="device-firmware" maxLength={128} /></Form.Item>
      <Form.Item name="installedOn" label={l('installed')} rules={[dayRule]}><Input data-testid="device-installed" placeholder="YYYY-MM-DD" maxLength={10} /></Form.Item>
      <Form.Item name="warrantyUntil" label={l('warranty')} rules={[dayRule]}><Input data-testid="device-warranty" placeholder="YYYY-MM-DD" maxLength={10} /></Form.Item>
      <Form.Item name="responsibleName" label={l('responsible')}><Input data-testid="device-responsible" maxLength={64} /></Form.Item>
      <Form.Item name="responsiblePhone" label={l('phone')}><Input data-testid="device-phone" maxLength={32} /></Form.Item>
      {CHANNEL_CLASSES.has(cls ?? '') && (
        <Form.Item name="expectedChannels" label={l('expectedChannels')} extra={<>{l('expectedChannelsHint')}{d?.reportedAtMs ? <span data-testid="device-reported">{`；${l('selfReported')}：${d.reportedModel ?? ''} ${d.reportedChannels !== null && d.reportedChannels !== undefined ? l('reportedChannelsN', { n: d.reportedChannels }) : ''}`}</span> : null}</>} rules={[{ type: 'integer', min: 1, max: 4096, message: l('channelsInvalid') }]}>
          <InputNumber data-testid="device-expected-channels" precision={0} style={{ width: 160 }} />
        </Form.Item>
      )}
      {cls !== 'camera' && (
        <>
          <Form.Item name="probeHost" label={l('probeHost')} extra={l('probeHostHint')} rules={[{ pattern: /^[0-9A-Za-z.:-]{1,253}$/, message: l('probeHostInvalid') }]}>
            <Input data-testid="device-probe-host" className="xc-mono" placeholder="192.168.1.2" maxLength={253} />
          </Form.Item>
          <Form.Item name="probeTcpPort" label={l('probeTcpPort')} extra={l('probePortHint')} rules={[{ type: 'integer', min: 1, max: 65535, message: l('probePortInvalid') }]}>
            {/* No min/max on the input: it would clamp 70000 to 65535 silently; the rule says why instead. */}
            <InputNumber data-testid="device-probe-port" precision={0} style={{ width: 160 }} />
          </Form.Item>
        </>
      )}
    </FormModal>
  );
}
