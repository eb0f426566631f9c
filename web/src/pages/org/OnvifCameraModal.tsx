// 按 ONVIF 添加摄像机 (issue 17): address + user + password alone. 发现 asks the device (through the
// node: POST /api/cameras/onvif/discover) for its maker, profiles and stream URIs and shows them;
// 添加 creates the camera with what the device said (POST /api/cameras/onvif, audited camera.create).
import { useState } from 'react';
import { Alert, Button, Descriptions, Form, Input, Select, Space, Table } from 'antd';
import { CAMERA_POSITIONS } from '../../types.ts';
import type { Camera, CameraPosition } from '../../types.ts';
import { errorMessage, request } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';
import type { OnvifAddResult } from '../../../../src/org/onvif-add.ts';

interface Values { name: string; position: CameraPosition; address: string; username: string; password: string }
// The server's answer types (type-only: one source, issue 14).
type Discovered = OnvifAddResult['discovered'];
type Profile = Discovered['profiles'][number];

const T = {
  zh: { title: '按 ONVIF 添加摄像机', address: '地址', addressHint: 'IP、IP:端口 或设备服务地址', user: '用户名', password: '密码', discover: '发现', found: '设备应答', device: '设备', profiles: '码流配置', uri: '码流地址', hint: '只需地址、用户名和密码：码流地址由摄像机经 ONVIF 告知，主码流取第一个配置，子码流取第二个。', add: '添加' },
  en: { title: 'Add a camera by ONVIF', address: 'Address', addressHint: 'IP, IP:port or the device service URL', user: 'User', password: 'Password', discover: 'Discover', found: 'The device answered', device: 'Device', profiles: 'Profiles', uri: 'Stream URI', hint: 'Address, user and password only: the camera tells its stream URIs over ONVIF; the first profile becomes the main stream, the second the sub stream.', add: 'Add' },
};

export function OnvifCameraModal({ roomId, onClose, onDone }: { roomId: number; onClose: () => void; onDone: (c: Camera) => void }) {
  const { t: tr, label, lang } = useI18n();
  const t = T[lang === 'en' ? 'en' : 'zh'];
  const [form] = Form.useForm<Values>();
  const [found, setFound] = useState<Discovered | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const discover = async () => {
    let v: Pick<Values, 'address' | 'username' | 'password'>;
    try {
      v = await form.validateFields(['address', 'username', 'password']);
    } catch {
      return;
    }
    setBusy(true);
    setError(null);
    setFound(null);
    try {
      setFound(await request<Discovered>('POST', '/api/cameras/onvif/discover', { roomId, address: v.address.trim(), username: v.username, password: v.password ?? '' }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = async (v: Values) => {
    const r = await request<OnvifAddResult>('POST', '/api/cameras/onvif', { roomId, name: v.name.trim(), position: v.position, address: v.address.trim(), username: v.username, password: v.password ?? '' });
    onDone(r.camera);
  };

  return (
    <FormModal<Values> title={t.title} open form={form} testId="onvif-form" width={760} initialValues={{ position: 'front' }} onCancel={onClose} onSubmit={submit}>
      <Alert type="info" showIcon message={t.hint} style={{ marginBottom: 12 }} />
      <Form.Item name="name" label={tr('name')} rules={[{ required: true, whitespace: true, max: 128 }]}>
        <Input data-testid="onvif-name" maxLength={128} />
      </Form.Item>
      <Form.Item name="position" label={tr('position')} rules={[{ required: true }]}>
        <Select data-testid="onvif-position" options={CAMERA_POSITIONS.map((k) => ({ value: k, label: label('position', k) }))} />
      </Form.Item>
      <Form.Item name="address" label={t.address} extra={t.addressHint} rules={[{ required: true, whitespace: true, max: 255 }]}>
        <Input data-testid="onvif-address" className="xc-mono" placeholder="192.168.1.64" />
      </Form.Item>
      <Space align="start" wrap>
        <Form.Item name="username" label={t.user} rules={[{ required: true, max: 64 }]}>
          <Input data-testid="onvif-username" autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t.password} rules={[{ max: 128 }]}>
          <Input.Password data-testid="onvif-password" autoComplete="new-password" />
        </Form.Item>
        <Form.Item label=" ">
          <Button onClick={() => void discover()} loading={busy} data-testid="onvif-discover">{t.discover}</Button>
        </Form.Item>
      </Space>
      {error && <Alert type="error" showIcon message={error} data-testid="onvif-error" style={{ marginBottom: 12 }} />}
      {found && (
        <div data-testid="onvif-found">
          <Descriptions size="small" column={1} title={t.found} items={[{ key: 'd', label: t.device, children: `${found.manufacturer ?? '—'} ${found.model ?? ''}`.trim() }, { key: 'u', label: 'ONVIF', children: <span className="xc-mono">{found.deviceUrl}</span> }]} />
          <Table<Profile>
            size="small"
            rowKey="token"
            pagination={false}
            dataSource={found.profiles}
            title={() => t.profiles}
            columns={[
              { title: 'token', dataIndex: 'token', width: 100 },
              { title: tr('name'), dataIndex: 'name', width: 110 },
              { title: '', render: (_, p) => `${p.encoding} ${p.width}×${p.height}${p.fps ? ` ${p.fps} fps` : ''}${p.bitrateKbps ? ` ${p.bitrateKbps} kbit/s` : ''}`, width: 220 },
              { title: t.uri, render: (_, p) => <span className="xc-mono">{p.streamUri}</span> },
            ]}
          />
        </div>
      )}
    </FormModal>
  );
}
