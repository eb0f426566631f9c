// 审计日志: filters, server-side paginated table (Beijing time), hash-chain verification, CSV export.
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, AutoComplete, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { DownloadOutlined, ReloadOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../api.ts';
import type { AuditFilter, AuditOutcome, AuditRecord, VerifyResult } from '../types.ts';
import { useI18n } from '../i18n.ts';
import type { Lang } from '../i18n.ts';
import { beijingWallToMs, formatBeijing } from '../time.ts';
import { KNOWN_ACTIONS, KNOWN_OBJECTS, actionLabel, detailKey, detailValue, objectLabel } from './audit/auditLabels.ts';
import { CheckpointCard } from './audit/CheckpointCard.tsx';

interface FilterValues {
  range?: [Dayjs | null, Dayjs | null] | null;
  username?: string; action?: string; objectType?: string; outcome?: AuditOutcome;
}
const OUTCOME_COLOR: Record<AuditOutcome, string> = { ok: 'green', denied: 'orange', error: 'red' };

/** One-line `key: value` summary of a detail object, `name` first. */
function summarize(d: Record<string, unknown>, lang: Lang = 'zh'): string {
  const entries = Object.entries(d).sort(([a], [b]) => (a === 'name' ? -1 : b === 'name' ? 1 : 0));
  return entries.map(([k, v]) => `${detailKey(k, lang)}: ${detailValue(k, v, formatBeijing)}`).join('，');
}

function toFilter(v: FilterValues): AuditFilter {
  const f: AuditFilter = {};
  // The picker shows wall-clock times; interpret them as Beijing time regardless of the browser's zone.
  const [from, to] = v.range ?? [];
  if (from) f.fromMs = beijingWallToMs(from.format('YYYY-MM-DD HH:mm:ss'));
  if (to) f.toMs = beijingWallToMs(to.format('YYYY-MM-DD HH:mm:ss'));
  if (v.username?.trim()) f.username = v.username.trim();
  if (v.action?.trim()) f.action = v.action.trim();
  if (v.objectType?.trim()) f.objectType = v.objectType.trim();
  if (v.outcome) f.outcome = v.outcome;
  return f;
}

export function AuditPage() {
  const { t, label, lang } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<FilterValues>();
  const [filter, setFilter] = useState<AuditFilter>({});
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const [data, setData] = useState<{ total: number; records: AuditRecord[] }>({ total: 0, records: [] });
  const [loading, setLoading] = useState(true);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [verifying, setVerifying] = useState(false);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.audit(filter, page.pageSize, (page.current - 1) * page.pageSize));
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [filter, page, message]);
  useEffect(() => { void load(); }, [load]);

  const runVerify = async () => {
    setVerifying(true);
    try {
      setVerify(await api.auditVerify());
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setVerifying(false);
    }
  };

  const columns: TableColumnsType<AuditRecord> = [
    { title: t('seq'), dataIndex: 'seq', width: 64 },
    { title: t('time'), dataIndex: 'atMs', width: 160, render: (ms: number) => <span className="xc-time">{formatBeijing(ms)}</span> },
    {
      title: t('user'), dataIndex: 'username', width: 160,
      render: (u: string, r) => (
        <Space size={4}><span>{u || '—'}</span>{r.role && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{label('role', r.role)}</Typography.Text>}</Space>
      ),
    },
    { title: t('action'), dataIndex: 'action', width: 150, render: (a: string) => <Tooltip title={a}><span>{actionLabel(a, lang)}</span></Tooltip> },
    {
      title: t('objectId'), key: 'obj', width: 200,
      // The name as recorded at the time (issue 14 item 17); the id stays in the tooltip.
      render: (_: unknown, r) => (r.objectType ? (
        <Tooltip title={r.objectId !== null && r.objectId !== '' ? `#${String(r.objectId)}` : undefined}>
          <span data-testid={`audit-object-${r.seq}`}>{objectLabel(r.objectType, lang)}{r.objectName ? <span>{` ${r.objectName}`}</span> : r.objectId !== null && r.objectId !== '' ? <span className="xc-mono"> #{String(r.objectId)}</span> : null}</span>
        </Tooltip>
      ) : '—'),
    },
    { title: t('outcome'), dataIndex: 'outcome', width: 80, render: (o: AuditOutcome) => <Tag color={OUTCOME_COLOR[o]}>{label('outcome', o)}</Tag> },
    {
      title: `${t('ip')} / ${t('workstation')}`, dataIndex: 'ip', width: 150, ellipsis: { showTitle: false },
      render: (ip: string, r) => (
        <Tooltip title={r.workstation} placement="topLeft">
          <div>
            <div className="xc-time">{ip}</div>
            <div className="xc-detail-summary" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{r.workstation}</div>
          </div>
        </Tooltip>
      ),
    },
    {
      title: t('detail'), dataIndex: 'detail', ellipsis: { showTitle: false },
      render: (d: AuditRecord['detail']) => (d ? <Tooltip title={summarize(d, lang)} placement="topLeft"><span className="xc-detail-summary">{summarize(d, lang)}</span></Tooltip> : '—'),
    },
  ];

  return (
    <div data-testid="page-audit">
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
        <Typography.Title level={4} className="xc-page-title" style={{ margin: 0 }}>{t('menuAudit')}</Typography.Title>
        <Space>
          <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={() => void runVerify()} data-testid="btn-verify">{t('verifyChain')}</Button>
          <Button icon={<DownloadOutlined />} href={api.auditExportUrl(filter)} data-testid="btn-audit-export">{t('exportAuditCsv')}</Button>
        </Space>
      </div>
      {verify && (
        <Alert
          style={{ marginBottom: 12 }}
          type={verify.ok ? 'success' : 'error'}
          showIcon
          closable={{ onClose: () => setVerify(null) }}
          title={verify.ok ? t('verifyOk', { checked: verify.checked }) : t('verifyBad', { seq: verify.firstBadSeq ?? '?', reason: verify.reason ?? '—', checked: verify.checked })}
          data-testid="verify-result"
        />
      )}
      <CheckpointCard />
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form<FilterValues>
          form={form}
          layout="inline"
          style={{ rowGap: 8 }}
          onFinish={(v) => { setFilter(toFilter(v)); setPage((p) => ({ ...p, current: 1 })); }}
        >
          <Form.Item name="range" label={t('timeRange')}>
            <DatePicker.RangePicker showTime format="YYYY-MM-DD HH:mm:ss" style={{ width: 360 }} />
          </Form.Item>
          <Form.Item name="username" label={t('user')}><Input allowClear style={{ width: 140 }} data-testid="audit-filter-user" /></Form.Item>
          <Form.Item name="action" label={t('action')}>
            <AutoComplete
              allowClear
              style={{ width: 190 }}
              data-testid="audit-filter-action"
              options={KNOWN_ACTIONS.map((a) => ({ value: a, label: `${actionLabel(a, lang)}（${a}）` }))}
              showSearch={{ filterOption: (input, o) => String(o?.label ?? '').toLowerCase().includes(input.toLowerCase()) }}
            />
          </Form.Item>
          <Form.Item name="objectType" label={t('objectType')}>
            <Select allowClear style={{ width: 130 }} placeholder={t('all')} options={KNOWN_OBJECTS.map((o) => ({ value: o, label: objectLabel(o, lang) }))} />
          </Form.Item>
          <Form.Item name="outcome" label={t('outcome')}>
            <Select allowClear style={{ width: 110 }} placeholder={t('all')} options={(['ok', 'denied', 'error'] as const).map((o) => ({ value: o, label: label('outcome', o) }))} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">{t('query')}</Button>
              <Button onClick={() => { form.resetFields(); setFilter({}); setPage((p) => ({ ...p, current: 1 })); }}>{t('reset')}</Button>
              <Button icon={<ReloadOutlined />} onClick={() => void load()} />
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card size="small" styles={{ body: { padding: 0 } }}>
        <Table<AuditRecord>
          rowKey="seq"
          size="small"
          scroll={{ x: 1200 }}
          loading={loading}
          columns={columns}
          dataSource={data.records}
          data-testid="audit-table"
          expandable={{
            rowExpandable: (r) => r.detail !== null,
            expandedRowRender: (r) => <pre className="xc-mono" style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>{JSON.stringify(r.detail, null, 2)}</pre>,
          }}
          pagination={{
            current: page.current,
            pageSize: page.pageSize,
            total: data.total,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100],
            showTotal: (n) => t('totalRecords', { total: n }),
            onChange: (current, pageSize) => setPage({ current, pageSize }),
          }}
        />
      </Card>
    </div>
  );
}
