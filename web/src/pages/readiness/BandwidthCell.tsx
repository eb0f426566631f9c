// R-PRE-4 on the 考前检测 site table: every camera's measured main-stream bitrate (all pulled upward
// at once) against the site's uplink capacity, and for administrators a dialog to enter the capacity.
import { useState } from 'react';
import { App as AntApp, Button, InputNumber, Modal, Space, Tag } from 'antd';
import { readinessApi } from './readinessApi.ts';
import type { SiteState } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';

const COLOR = { pass: 'success', warn: 'warning', fail: 'error', unset: 'default' } as const;
const mbps = (kbps: number) => `${(kbps / 1000).toFixed(1)} Mbit/s`;

export function BandwidthCell({ site, canEdit, onChanged }: { site: SiteState; canEdit: boolean; onChanged: () => void }) {
  const { r, err } = useReadinessText();
  const { message } = AntApp.useApp();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState<number | null>(site.bandwidth.capacityKbps === null ? null : site.bandwidth.capacityKbps / 1000);
  const b = site.bandwidth;
  const save = async () => {
    if (!value || value <= 0) return;
    try {
      await readinessApi.setUplink(site.siteId, Math.round(value * 1000));
      setOpen(false);
      onChanged();
    } catch (e) {
      void message.error(err(e));
    }
  };
  return (
    <Space size={4} wrap>
      <Tag color={COLOR[b.verdict]} data-testid={`bandwidth-${site.siteId}`}>
        {mbps(b.requiredKbps)} / {b.capacityKbps === null ? r('bwUnset') : mbps(b.capacityKbps)}
      </Tag>
      {canEdit && <Button size="small" type="link" data-testid={`uplink-edit-${site.siteId}`} onClick={() => setOpen(true)}>{r('bwEdit')}</Button>}
      <Modal open={open} title={`${r('bwTitle')} · ${site.siteName}`} onCancel={() => setOpen(false)} onOk={() => void save()} destroyOnHidden>
        <p>{r('bwHint')}</p>
        <InputNumber data-testid="uplink-mbps" min={0.1} max={100000} step={1} value={value} onChange={(v) => setValue(v)} addonAfter="Mbit/s" style={{ width: 220 }} />
      </Modal>
    </Space>
  );
}
