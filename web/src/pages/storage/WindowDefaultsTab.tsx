// 考点录像时段默认值 (R-REC-2, R-REC-3): how long before/after a session each site's exam rooms and
// custody rooms record; saving recomputes the sessions not yet over (server side, audited).
import { useEffect, useState } from 'react';
import { App as AntApp, Button, Form, InputNumber, Select, Space, Typography } from 'antd';
import { errorMessage } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import type { OrgNode } from '../../types.ts';
import { storageApi } from './storageApi.ts';
import type { WindowDefaults } from './storageApi.ts';
import type { StorageText } from './storageText.ts';

const FIELDS: Array<{ key: keyof WindowDefaults; label: string; max: number }> = [
  { key: 'examLeadMin', label: 'examLead', max: 240 },
  { key: 'examTrailMin', label: 'examTrail', max: 240 },
  { key: 'custodyLeadMin', label: 'custodyLead', max: 720 },
  { key: 'custodyTrailMin', label: 'custodyTrail', max: 720 },
];

export function WindowDefaultsTab({ s, sites, writable }: { s: StorageText; sites: OrgNode[]; writable: boolean }) {
  const { message } = AntApp.useApp();
  const [siteId, setSiteId] = useState<number>();
  const [form] = Form.useForm<WindowDefaults>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (siteId === undefined && sites.length > 0) setSiteId(sites[0].id);
  }, [sites]);
  useEffect(() => {
    if (siteId === undefined) return;
    storageApi.windowDefaults(siteId).then((d) => { form.setFieldsValue(d); setError(undefined); }, (e: unknown) => setError(errorMessage(e)));
  }, [siteId]);

  const save = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      form.setFieldsValue(await storageApi.saveWindowDefaults(siteId!, v));
      void message.success(s('saved'));
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Paragraph type="secondary">{s('defaultsHint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        <span>{s('site')}</span>
        <Select style={{ width: 280 }} value={siteId} onChange={setSiteId} placeholder={s('pickSite')} data-testid="wd-site" showSearch optionFilterProp="label" options={sites.map((n) => ({ value: n.id, label: n.name }))} />
      </Space>
      <ErrorAlert message={error ?? null} testId="storage-error" />
      <Form form={form} layout="inline" disabled={!writable || siteId === undefined}>
        {FIELDS.map((f) => (
          <Form.Item key={f.key} name={f.key} label={s(f.label)} rules={[{ required: true, message: s('required') }]}>
            <InputNumber min={0} max={f.max} style={{ width: 90 }} data-testid={`wd-${f.key}`} />
          </Form.Item>
        ))}
        <Form.Item>
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="wd-save">{s('save')}</Button>
        </Form.Item>
      </Form>
    </>
  );
}
