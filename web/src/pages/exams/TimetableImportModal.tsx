// 导入考试日程: CSV / Excel file → base64 → POST /api/exams/:id/timetable; all or nothing, the
// server's row errors are listed with their sheet row numbers.
import { useState } from 'react';
import { Alert, Button, Modal, Space, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { ApiError, api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { ImportRowError } from '../../types.ts';
import { useExamText } from './examText.ts';

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function TimetableImportModal({ examId, examName, onClose, onDone }: { examId: number; examName: string; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { x } = useExamText();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<ImportRowError[]>([]);
  const [done, setDone] = useState<number | null>(null);

  const reset = () => {
    setError(null);
    setRows([]);
    setDone(null);
  };
  const run = async () => {
    if (!file) return;
    setBusy(true);
    reset();
    try {
      const format = /\.xlsx$/i.test(file.name) ? 'xlsx' : 'csv';
      const r = await api.importTimetable(examId, format, toBase64(await file.arrayBuffer()));
      setDone(r.sessions.length);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
      if (err instanceof ApiError && Array.isArray(err.details)) setRows(err.details as ImportRowError[]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={x('importTitle')}
      open
      width={760}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onClose}>{done !== null ? t('ok') : t('cancel')}</Button>
          {done === null && <Button type="primary" disabled={!file} loading={busy} onClick={() => void run()} data-testid="timetable-start">{t('importStart')}</Button>}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{x('importHint')}</Typography.Paragraph>
      <Typography.Paragraph style={{ marginBottom: 8 }}>
        <Button icon={<DownloadOutlined />} href={`/api/exams/${examId}/timetable/template.xlsx`} data-testid="timetable-template">{x('downloadTemplate')}</Button>
      </Typography.Paragraph>
      <Typography.Paragraph style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary">{x('examName')}：</Typography.Text>
        <Typography.Text copyable>{examName}</Typography.Text>
      </Typography.Paragraph>
      <Upload.Dragger
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        maxCount={1}
        beforeUpload={(f) => {
          setFile(f);
          reset();
          return false;
        }}
        onRemove={() => setFile(null)}
        fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
        data-testid="timetable-upload"
      >
        <p className="ant-upload-drag-icon"><InboxOutlined /></p>
        <p className="ant-upload-text">{t('importPick')}（CSV / XLSX）</p>
      </Upload.Dragger>
      {done !== null && <Alert style={{ marginTop: 16 }} type="success" showIcon title={x('importDone', { n: done })} data-testid="timetable-result" />}
      {error && <Alert style={{ marginTop: 16 }} type="error" showIcon title={rows.length ? t('importErrors') : error} description={rows.length ? error : undefined} data-testid="timetable-error" />}
      {rows.length > 0 && (
        <Table<ImportRowError>
          style={{ marginTop: 12 }}
          size="small"
          rowKey={(r) => `${r.row}-${r.message}`}
          dataSource={rows}
          pagination={rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
          columns={[
            { title: t('row'), dataIndex: 'row', width: 80 },
            { title: t('errorMsg'), dataIndex: 'message' },
          ]}
          data-testid="timetable-errors"
        />
      )}
    </Modal>
  );
}
