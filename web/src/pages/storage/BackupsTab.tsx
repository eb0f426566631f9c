// 备份与校验 (R-RET-2): backups with progress and the last verification; start one by exam/session
// or by cameras over a range; verify one (SHA-256 of every copy) and show the result and report.
import { useEffect, useState } from 'react';
import { App as AntApp, Alert, Button, Form, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { CloudUploadOutlined, ReloadOutlined, SafetyOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import type { Exam } from '../../types.ts';
import { RangeInputs, wallMinute } from './RangeInputs.tsx';
import { formatBytes, storageApi } from './storageApi.ts';
import type { BackupReport, BackupVerifyResult, BackupView, CameraOption } from './storageApi.ts';
import type { StorageText } from './storageText.ts';

interface Props { s: StorageText; cameras: CameraOption[]; names: Map<number, string> }
interface NewBackup { mode: 'exam' | 'cameras'; examId?: number; sessionId?: number; cameraIds?: number[]; from: string; to: string }

export function BackupsTab({ s, cameras, names }: Props) {
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<BackupView[]>([]);
  const [exams, setExams] = useState<Exam[]>([]);
  const [error, setError] = useState<string>();
  const [creating, setCreating] = useState(false);
  // Defaults of the dialog's form: applied when it mounts (it is destroyed on close).
  const [init, setInit] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState<string>();
  const [results, setResults] = useState<Record<number, BackupVerifyResult>>({});
  const [report, setReport] = useState<BackupReport>();
  const [form] = Form.useForm<NewBackup>();
  const mode = Form.useWatch('mode', form);
  const examId = Form.useWatch('examId', form);

  const load = async () => {
    try {
      setRows((await storageApi.backups()).backups);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    void load();
    api.exams().then((r) => setExams(r.exams), () => undefined);
  }, []);
  // A running backup is polled until it is done.
  useEffect(() => {
    if (!rows.some((b) => b.state === 'running')) return;
    const t = setTimeout(() => void load(), 1500);
    return () => clearTimeout(t);
  }, [rows]);

  const create = async () => {
    const v = await form.validateFields();
    setBusy('create');
    try {
      const scope = v.mode === 'exam' ? { examId: v.sessionId ? undefined : v.examId, sessionId: v.sessionId } : { cameraIds: v.cameraIds };
      await storageApi.createBackup({ ...scope, fromMs: beijingWallToMs(v.from), toMs: beijingWallToMs(v.to) });
      void message.success(s('backupStarted'));
      setCreating(false);
      await load();
    } catch (e) {
      setError(errorMessage(e));
      setCreating(false);
    } finally {
      setBusy(undefined);
    }
  };
  const verify = async (id: number) => {
    setBusy(`verify-${id}`);
    try {
      const r = await storageApi.verifyBackup(id);
      setResults((m) => ({ ...m, [id]: r }));
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(undefined);
    }
  };
  const openReport = async (id: number) => {
    try {
      setReport(await storageApi.backupReport(id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const at = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms));
  const scopeOf = (b: BackupView) => {
    const exam = exams.find((e) => e.id === b.examId || e.sessions.some((x) => x.id === b.sessionId));
    const session = exam?.sessions.find((x) => x.id === b.sessionId);
    if (b.sessionId !== null) return `${exam?.name ?? ''} · ${session?.subject ?? `#${b.sessionId}`}`;
    if (b.examId !== null) return exam?.name ?? `#${b.examId}`;
    return (b.cameraIds ?? []).map((id) => names.get(id) ?? `#${id}`).join('，');
  };
  const sessions = exams.find((e) => e.id === examId)?.sessions ?? [];

  return (
    <>
      <Typography.Paragraph type="secondary">{s('backupHint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<CloudUploadOutlined />} data-testid="backup-new" onClick={() => {
          setInit({ mode: 'cameras', from: wallMinute(Date.now() - 3600_000), to: wallMinute(Date.now()) });
          setCreating(true);
        }}>{s('newBackup')}</Button>
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>{s('refresh')}</Button>
      </Space>
      <ErrorAlert message={error ?? null} testId="storage-error" />
      <Table<BackupView>
        rowKey="id"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        locale={{ emptyText: s('noBackups') }}
        data-testid="backup-table"
        onRow={(b) => ({ 'data-testid': `backup-row-${b.id}`, 'data-state': b.state } as React.HTMLAttributes<HTMLElement>)}
        expandable={{
          rowExpandable: (b) => results[b.id] !== undefined,
          expandedRowKeys: Object.keys(results).map(Number),
          showExpandColumn: false,
          expandedRowRender: (b) => {
            const r = results[b.id];
            if (!r) return null;
            return (
              <div data-testid={`backup-verify-result-${b.id}`}>
                <Alert type={r.ok ? 'success' : 'error'} showIcon title={r.ok ? s('verifyOk', { n: r.checked }) : s('verifyBad', { n: r.problems.length })} />
                {r.problems.map((p) => <div key={p.copy}>{`${s(`pb_${p.problem}`)}：${p.relPath}`}</div>)}
              </div>
            );
          },
        }}
        columns={[
          { title: '#', dataIndex: 'id', width: 50 },
          { title: s('scope'), key: 'scope', render: (_, b) => scopeOf(b) },
          { title: s('range'), key: 'range', render: (_, b) => `${at(b.fromMs)} — ${at(b.toMs)}` },
          { title: s('state'), key: 'state', render: (_, b) => <Tag color={b.state === 'done' ? 'green' : b.state === 'failed' ? 'red' : 'blue'}>{s(`st_${b.state}`)}</Tag> },
          { title: s('progress'), key: 'prog', render: (_, b) => `${b.verifiedFiles}/${b.totalFiles} ${s('files')} · ${formatBytes(b.verifiedBytes)}/${formatBytes(b.totalBytes)}${b.failedFiles ? ` · ${s('failed')} ${b.failedFiles}` : ''}` },
          { title: s('createdBy'), key: 'by', render: (_, b) => `${b.createdBy} · ${at(b.createdAtMs)}` },
          { title: s('lastVerify'), key: 'ver', render: (_, b) => (b.verifiedAtMs === null ? '—' : <span data-testid={`backup-last-verify-${b.id}`}><Tag color={b.verifyOk ? 'green' : 'red'}>{b.verifyOk ? '✓' : '✗'}</Tag>{at(b.verifiedAtMs)}</span>) },
          { title: s('actions'), key: 'act', render: (_, b) => (
            <Space>
              <Button size="small" icon={<SafetyOutlined />} disabled={b.state === 'running'} loading={busy === `verify-${b.id}`} data-testid={`backup-verify-${b.id}`} onClick={() => void verify(b.id)}>{b.verifiedAtMs === null ? s('verify') : s('verifyAgain')}</Button>
              <Button size="small" type="link" data-testid={`backup-report-${b.id}`} onClick={() => void openReport(b.id)}>{s('report')}</Button>
            </Space>
          ) },
        ]}
      />
      <Modal title={s('newBackup')} open={creating} onCancel={() => setCreating(false)} onOk={() => void create()} confirmLoading={busy === 'create'} destroyOnHidden okButtonProps={{ 'data-testid': 'backup-ok' }}>
        <Form form={form} layout="vertical" preserve={false} initialValues={init}>
          <Form.Item name="mode">
            <Radio.Group data-testid="backup-mode" options={[{ value: 'cameras', label: s('byCameras') }, { value: 'exam', label: s('byExam') }]} />
          </Form.Item>
          {mode === 'exam' ? (
            <>
              <Form.Item name="examId" label={s('exam')} rules={[{ required: true, message: s('required') }]}>
                <Select data-testid="backup-exam" options={exams.map((e) => ({ value: e.id, label: e.name }))} onChange={() => form.setFieldValue('sessionId', undefined)} />
              </Form.Item>
              <Form.Item name="sessionId" label={s('session')}>
                <Select allowClear placeholder={s('allSessions')} options={sessions.map((x) => ({ value: x.id, label: `${x.subject} ${x.start}` }))} />
              </Form.Item>
            </>
          ) : (
            <Form.Item name="cameraIds" label={s('cameras')} rules={[{ required: true, message: s('required') }]}>
              <Select mode="multiple" showSearch optionFilterProp="label" options={cameras} data-testid="backup-cameras" />
            </Form.Item>
          )}
          <RangeInputs s={s} prefix="backup" />
        </Form>
      </Modal>
      <Modal title={report ? `${s('report')} #${report.backupId}` : ''} open={report !== undefined} onCancel={() => setReport(undefined)} footer={null} width={900} destroyOnHidden>
        {report && (
          <>
            <Typography.Paragraph>{`${s('target')}：${report.target} · ${report.verifiedFiles}/${report.totalFiles} ${s('files')} · ${formatBytes(report.totalBytes)}`}</Typography.Paragraph>
            <Table
              rowKey="relPath"
              size="small"
              data-testid="backup-report-table"
              dataSource={report.files}
              pagination={{ pageSize: 10 }}
              columns={[
                { title: s('camera'), key: 'cam', render: (_, f) => names.get(f.cameraId) ?? `#${f.cameraId}` },
                { title: s('range'), key: 'r', render: (_, f) => `${at(f.startMs)} — ${at(f.endMs).slice(11)}` },
                { title: s('size'), key: 'b', render: (_, f) => formatBytes(f.bytes) },
                { title: 'SHA-256', key: 'h', render: (_, f) => <Typography.Text code>{(f.sha256 ?? '—').slice(0, 16)}</Typography.Text> },
                { title: s('verified'), key: 'v', render: (_, f) => (f.verified ? <Tag color="green">✓</Tag> : <Tag color="red">{f.error ?? '✗'}</Tag>) },
              ]}
            />
          </>
        )}
      </Modal>
    </>
  );
}
