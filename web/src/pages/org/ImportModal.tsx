// Import org data from CSV / XLSX: file -> base64 JSON body; row errors from the server shown in a table.
import { useState } from 'react';
import { Alert, Button, Modal, Space, Table, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { ApiError, api, errorMessage } from '../../api.ts';
import type { ImportRowError } from '../../types.ts';
import { useI18n } from '../../i18n.ts';

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function ImportModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<ImportRowError[]>([]);
  const [result, setResult] = useState<{ created: number; updated: number } | null>(null);

  const run = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setRows([]);
    setResult(null);
    try {
      const format = /\.xlsx$/i.test(file.name) ? 'xlsx' : 'csv';
      const r = await api.importOrg(format, toBase64(await file.arrayBuffer()));
      setResult(r);
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
      title={t('importTitle')}
      open
      width={720}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onClose}>{result ? t('ok') : t('cancel')}</Button>
          {!result && (
            <Button type="primary" disabled={!file} loading={busy} onClick={() => void run()} data-testid="import-start">{t('importStart')}</Button>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('importHint')}</Typography.Paragraph>
      <Upload.Dragger
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        maxCount={1}
        beforeUpload={(f) => {
          setFile(f);
          setResult(null);
          setError(null);
          setRows([]);
          return false;
        }}
        onRemove={() => setFile(null)}
        fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
        data-testid="import-upload"
      >
        <p className="ant-upload-drag-icon"><InboxOutlined /></p>
        <p className="ant-upload-text">{t('importPick')}（CSV / XLSX）</p>
      </Upload.Dragger>
      {result && (
        <Alert style={{ marginTop: 16 }} type="success" showIcon title={t('importDone', result)} data-testid="import-result" />
      )}
      {error && (
        <Alert style={{ marginTop: 16 }} type="error" showIcon title={rows.length ? t('importErrors') : error} description={rows.length ? error : undefined} data-testid="import-error" />
      )}
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
          data-testid="import-errors"
        />
      )}
    </Modal>
  );
}
