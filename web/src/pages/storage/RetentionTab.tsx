// 保存策略与容量 (docs/design/retention.md): the retention settings (audited on save), the capacity
// forecast (days until full / until clean-up starts, locked data by keep-until day) and disk alarms.
import { useEffect, useState } from 'react';
import { App as AntApp, Button, Card, Col, Descriptions, Form, InputNumber, Row, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { formatBeijing } from '../../time.ts';
import { formatBytes, storageApi } from './storageApi.ts';
import type { Forecast, RetentionAlarmView } from './storageApi.ts';
import type { StorageText } from './storageText.ts';

interface SettingsForm { defaultDays: number; minFreePercent: number; minFreeGb: number }
const GB = 1024 ** 3;

export function RetentionTab({ s, names }: { s: StorageText; names: Map<number, string> }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<SettingsForm>();
  const [fc, setFc] = useState<Forecast>();
  const [alarms, setAlarms] = useState<RetentionAlarmView[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();

  const load = async () => {
    try {
      const [st, f, a] = await Promise.all([storageApi.settings(), storageApi.forecast(), storageApi.diskAlarms()]);
      form.setFieldsValue({ defaultDays: st.defaultDays, minFreePercent: st.minFreePercent, minFreeGb: Math.round((st.minFreeBytes / GB) * 10) / 10 });
      setFc(f);
      setAlarms(a.alarms);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => void load(), []);

  const save = async () => {
    const v = await form.validateFields();
    setBusy('save');
    try {
      await storageApi.saveSettings({ defaultDays: v.defaultDays, minFreePercent: v.minFreePercent, minFreeBytes: Math.round(v.minFreeGb * GB) });
      void message.success(s('saved'));
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  };
  const run = async () => {
    setBusy('run');
    try {
      const r = await storageApi.runRetention();
      void message.success(s('runDone', { n: r.expired.files + r.pressure.files }));
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  };
  const days = (n: number | null) => (n === null ? s('never') : s('days', { n: n.toFixed(1) }));

  return (
    <>
      <ErrorAlert message={error ?? null} testId="storage-error" />
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card title={s('settings')} size="small">
            <Typography.Paragraph type="secondary">{s('settingsHint')}</Typography.Paragraph>
            <Form form={form} layout="vertical">
              <Form.Item name="defaultDays" label={s('defaultDays')} rules={[{ required: true, message: s('required') }]}>
                <InputNumber min={1} max={3650} style={{ width: 160 }} data-testid="ret-days" />
              </Form.Item>
              <Form.Item name="minFreePercent" label={s('minFreePercent')} rules={[{ required: true, message: s('required') }]}>
                <InputNumber min={0} max={90} step={1} style={{ width: 160 }} data-testid="ret-percent" />
              </Form.Item>
              <Form.Item name="minFreeGb" label={s('minFreeGb')} rules={[{ required: true, message: s('required') }]}>
                <InputNumber min={0} step={0.5} style={{ width: 160 }} data-testid="ret-gb" />
              </Form.Item>
              <Space>
                <Button type="primary" loading={busy === 'save'} onClick={() => void save()} data-testid="ret-save">{s('save')}</Button>
                <Button loading={busy === 'run'} onClick={() => void run()} data-testid="ret-run">{s('runNow')}</Button>
              </Space>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={s('forecast')} size="small" extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{s('refresh')}</Button>} data-testid="ret-forecast">
            {fc && (
              <>
                <Descriptions size="small" column={2} bordered>
                  <Descriptions.Item label={s('free')}>{`${formatBytes(fc.freeBytes)} / ${formatBytes(fc.totalBytes)}`}</Descriptions.Item>
                  <Descriptions.Item label={s('threshold')}><span data-testid="ret-threshold">{formatBytes(fc.thresholdBytes)}</span></Descriptions.Item>
                  <Descriptions.Item label={s('daily')}>{formatBytes(fc.dailyBytes)}</Descriptions.Item>
                  <Descriptions.Item label={s('daysHeld')}>{days(fc.daysHeld)}</Descriptions.Item>
                  <Descriptions.Item label={s('daysPressure')}>{days(fc.daysUntilPressure)}</Descriptions.Item>
                  <Descriptions.Item label={s('daysFull')}>{days(fc.daysUntilFull)}</Descriptions.Item>
                  <Descriptions.Item label={s('deletable')}>{formatBytes(fc.deletableBytes)}</Descriptions.Item>
                  <Descriptions.Item label={s('locked')}>{formatBytes(fc.lockedBytes)}</Descriptions.Item>
                </Descriptions>
                <Typography.Title level={5} style={{ marginTop: 12 }}>{s('lockedList')}</Typography.Title>
                <Table size="small" rowKey={(l) => String(l.untilMs)} pagination={false} dataSource={fc.locked} columns={[
                  { title: s('lockedUntil'), key: 'u', render: (_, l) => (l.untilMs === null ? <Tag color="red">{s('untilReleased')}</Tag> : formatBeijing(l.untilMs).slice(0, 10)) },
                  { title: s('files'), dataIndex: 'files' },
                  { title: s('size'), key: 'b', render: (_, l) => formatBytes(l.bytes) },
                ]} />
                <Typography.Title level={5} style={{ marginTop: 12 }}>{s('perCamera')}</Typography.Title>
                <Table size="small" rowKey="cameraId" pagination={{ pageSize: 5 }} dataSource={fc.cameras} columns={[
                  { title: s('camera'), key: 'c', render: (_, c) => names.get(c.cameraId) ?? `#${c.cameraId}` },
                  { title: s('rate'), key: 'r', render: (_, c) => `${((c.bytesPerSecond * 8) / 1e6).toFixed(2)} Mbit/s` },
                  { title: s('daily'), key: 'd', render: (_, c) => formatBytes(c.bytesLast24h) },
                ]} />
              </>
            )}
          </Card>
          <Card title={s('diskAlarms')} size="small" style={{ marginTop: 16 }}>
            <Table size="small" rowKey="id" pagination={{ pageSize: 5 }} dataSource={alarms} locale={{ emptyText: s('noAlarms') }} columns={[
              { title: s('raised'), key: 'r', render: (_, a) => formatBeijing(a.raisedAtMs) },
              { title: s('cleared'), key: 'c', render: (_, a) => (a.clearedAtMs === null ? <Tag color="red">{s('open')}</Tag> : formatBeijing(a.clearedAtMs)) },
              { title: s('reason'), dataIndex: 'message' },
            ]} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
