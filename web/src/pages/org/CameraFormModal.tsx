// Create / edit a camera in a room. Network credentials are write-only here (reveal is a separate audited action).
import { useState } from 'react';
import { Alert, Button, Col, Divider, Form, Input, InputNumber, Row, Select, Space } from 'antd';
import { CAMERA_POSITIONS, SOURCE_KINDS } from '../../types.ts';
import type { Camera, CameraPosition, SourceKind } from '../../types.ts';
import { api } from '../../api.ts';
import type { CameraInput } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { useTileText } from '../../tileText.ts';
import { BRANDS, brandStreams } from './brandTemplates.ts';
import type { Brand } from './brandTemplates.ts';
import { CameraTestPanel } from './CameraTestPanel.tsx';

interface Values {
  name: string; position: CameraPosition; sourceKind: SourceKind; gbCode?: string; mainStream?: string; subStream?: string;
  host?: string; port?: number | null; username?: string; password?: string; onvifUrl?: string;
}
export type CameraFormState = { mode: 'create'; roomId: number } | { mode: 'edit'; camera: Camera };

const HOST_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:]+\])$/;

/**
 * `onDone` after an edit; after a create `onCreated` (the dialog stays open in the same room with
 * 继续添加 / 完成, issue 14 item 10) and `onDone` when the user picks 完成.
 */
export function CameraFormModal({ state, onClose, onDone, onCreated }: { state: CameraFormState; onClose: () => void; onDone: (c: Camera | null) => void; onCreated?: (c: Camera) => void }) {
  const { t, label } = useI18n();
  const { tt } = useTileText();
  const [form] = Form.useForm<Values>();
  const sourceKind = Form.useWatch('sourceKind', form);
  const [brand, setBrand] = useState<Brand>('hikvision');
  const [channel, setChannel] = useState<number>(1);
  const [saved, setSaved] = useState<Camera | null>(null);
  // ONVIF as a source kind records nothing yet (streamSpecOf has no ONVIF opener): offered only
  // to keep an existing ONVIF camera's value when it is edited.
  const kinds = SOURCE_KINDS.filter((k) => k !== 'onvif' || (state.mode === 'edit' && state.camera.sourceKind === 'onvif'));
  const applyBrand = () => {
    const s = brandStreams(brand, channel);
    form.setFieldsValue({ mainStream: s.main, subStream: s.sub });
  };
  const continueAdding = () => {
    setSaved(null);
    form.setFieldsValue({ name: '', gbCode: '', mainStream: '', subStream: '' });
  };
  const title = state.mode === 'create' ? t('addCamera') : t('editTitle', { kind: label('nodeKind', 'camera') });

  const submit = async (v: Values) => {
    const body: CameraInput = {
      name: v.name.trim(),
      position: v.position,
      sourceKind: v.sourceKind,
      mainStream: (v.mainStream ?? '').trim(),
      subStream: (v.subStream ?? '').trim(),
    };
    if (v.gbCode?.trim()) body.gbCode = v.gbCode.trim();
    if (v.host?.trim()) body.host = v.host.trim();
    if (typeof v.port === 'number') body.port = v.port;
    if (v.username?.trim()) body.username = v.username.trim();
    if (v.password) body.password = v.password;
    if (v.onvifUrl?.trim()) body.onvifUrl = v.onvifUrl.trim();
    if (state.mode === 'create') {
      const c = await api.createCamera({ ...body, roomId: state.roomId });
      if (onCreated) {
        setSaved(c);
        onCreated(c);
      } else onDone(c);
    } else {
      onDone((await api.updateCamera(state.camera.id, body)) ?? null);
    }
  };

  const init: Partial<Values> = state.mode === 'edit'
    ? {
      name: state.camera.name, position: state.camera.position, sourceKind: state.camera.sourceKind, gbCode: state.camera.gbCode,
      mainStream: state.camera.mainStream, subStream: state.camera.subStream,
    }
    : { position: 'front', sourceKind: 'rtsp' };

  return (
    <FormModal<Values> title={title} open form={form} testId="camera-form" width={720} initialValues={init} onCancel={saved ? () => onDone(saved) : onClose} onSubmit={submit}>
      {saved && (
        <Alert
          type="success"
          showIcon
          data-testid="camera-saved"
          style={{ marginBottom: 12 }}
          title={tt('savedContinue', { name: saved.name })}
          action={
            <Space>
              <Button size="small" type="primary" onClick={continueAdding} data-testid="camera-continue">{tt('continueAdding')}</Button>
              <Button size="small" onClick={() => onDone(saved)} data-testid="camera-finish">{tt('finish')}</Button>
            </Space>
          }
        />
      )}
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, max: 128, message: t('required', { field: t('name') }) }]}>
            <Input data-testid="camera-name" placeholder="前端摄像机" maxLength={128} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="gbCode" label={t('gbCode')} extra={t('gbCodeHint')} rules={[{ pattern: /^\d{20}$/, message: t('gbCodeInvalid') }]}>
            <Input data-testid="camera-gbcode" className="xc-mono" maxLength={20} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="position" label={t('position')} rules={[{ required: true }]}>
            <Select data-testid="camera-position" options={CAMERA_POSITIONS.map((k) => ({ value: k, label: label('position', k) }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="sourceKind" label={t('sourceKind')} rules={[{ required: true }]}>
            <Select data-testid="camera-source" options={kinds.map((k) => ({ value: k, label: label('sourceKind', k) }))} />
          </Form.Item>
        </Col>
        {sourceKind === 'rtsp' && (
          <Col span={24}>
            <Form.Item label={tt('brandTemplate')} extra={tt('brandHint')}>
              <Space wrap>
                <Select<Brand> data-testid="camera-brand" value={brand} onChange={setBrand} style={{ width: 140 }} options={BRANDS.map((b) => ({ value: b, label: tt(`brand_${b}`) }))} />
                <InputNumber data-testid="camera-channel" min={1} max={256} precision={0} value={channel} onChange={(v) => setChannel(v ?? 1)} addonBefore={tt('brandChannel')} style={{ width: 150 }} />
                <Button onClick={applyBrand} data-testid="camera-brand-apply">{tt('brandApply')}</Button>
              </Space>
            </Form.Item>
          </Col>
        )}
        <Col span={24}>
          <Form.Item
            name="mainStream"
            label={t('mainStream')}
            extra={sourceKind === 'rtsp' ? tt('mainStreamExtra') : undefined}
            rules={[{ required: sourceKind === 'rtsp', whitespace: true, message: t('required', { field: t('mainStream') }) }]}
          >
            <Input data-testid="camera-main" className="xc-mono" placeholder={t('streamPlaceholder')} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="subStream" label={t('subStream')}>
            <Input data-testid="camera-sub" className="xc-mono" placeholder={t('streamPlaceholder')} />
          </Form.Item>
        </Col>
      </Row>
      <Divider titlePlacement="start" plain style={{ margin: '4px 0 12px' }}>{t('credentials')}</Divider>
      <Alert type="warning" showIcon title={t('cameraCredsHint')} style={{ marginBottom: 12 }} />
      <Row gutter={16}>
        <Col span={16}>
          <Form.Item name="host" label={t('host')} rules={[{ pattern: HOST_RE, message: t('hostInvalid') }]}>
            <Input data-testid="camera-host" className="xc-mono" placeholder="192.168.1.64" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="port" label={t('port')}>
            <InputNumber data-testid="camera-port" min={1} max={65535} precision={0} style={{ width: '100%' }} placeholder="554" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="username" label={t('deviceUser')}>
            <Input data-testid="camera-username" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="password" label={t('devicePassword')}>
            <Input.Password data-testid="camera-password" autoComplete="new-password" />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="onvifUrl" label={t('onvifUrl')} extra={t('onvifUrlHint')} rules={[{ pattern: /^https?:\/\/\S+$/i, message: t('onvifUrlInvalid') }]}>
            <Input data-testid="camera-onvif-url" autoComplete="off" placeholder="http://192.168.1.64/onvif/device_service" />
          </Form.Item>
        </Col>
      </Row>
      {sourceKind === 'rtsp' && <CameraTestPanel form={form} target={state.mode === 'create' ? { roomId: state.roomId } : { cameraId: state.camera.id }} />}
    </FormModal>
  );
}
