// 存为预置位 in the tile's PTZ panel (R-DIS-2; docs/design/duty.md "PTZ lock"): an administrator,
// outside exam/custody windows, stores the camera's current position as a numbered, named preset and
// approves it for the windows in one step (POST /api/cameras/:id/ptz-presets/store: ONVIF SetPreset
// or GB PTZCmd; refused in windows and audited by the server). Shown to administrators only; the
// server checks again.
import { useEffect, useState } from 'react';
import { Button, Input, InputNumber, Space } from 'antd';
import { SaveOutlined } from '@ant-design/icons';
import { api, errorMessage, request } from '../../api.ts';
import type { PtzPresetView } from '../../../../src/duty/ptz-service.ts';
import type { DutyText } from './dutyText.ts';

interface Props { t: DutyText; cameraId: number; onStored: (text: string) => void; onError: (text: string) => void }

export function PtzStorePreset({ t, cameraId, onStored, onError }: Props) {
  const [isAdmin, setIsAdmin] = useState(false);
  const [presetNo, setPresetNo] = useState<number | null>(1);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.me().then((s) => setIsAdmin(s.user.role === 'admin'), () => undefined);
  }, []);
  if (!isAdmin) return null;
  const store = async () => {
    if (presetNo === null || label.trim() === '') return onError(t('ptzStoreNeed'));
    setBusy(true);
    try {
      await request<{ presets: PtzPresetView[] }>('POST', `/api/cameras/${cameraId}/ptz-presets/store`, { presetNo, label: label.trim() });
      onStored(t('ptzStored', { no: String(presetNo), label: label.trim() }));
      setLabel('');
    } catch (err) {
      onError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    // Number and name on one line, the long button under them: beside the button the name field was
    // too narrow for its own placeholder in the tile's panel.
    <Space direction="vertical" size={4} style={{ width: '100%' }}>
      <Space.Compact style={{ width: '100%' }}>
        <InputNumber min={1} max={255} value={presetNo} onChange={(v) => setPresetNo(v)} style={{ width: 64 }} data-testid="ptz-store-no" />
        <Input placeholder={t('ptzStoreName')} maxLength={64} value={label} onChange={(e) => setLabel(e.target.value)} data-testid="ptz-store-label" />
      </Space.Compact>
      <Button block icon={<SaveOutlined />} loading={busy} onClick={() => void store()} data-testid="ptz-store">{t('ptzStore')}</Button>
    </Space>
  );
}
