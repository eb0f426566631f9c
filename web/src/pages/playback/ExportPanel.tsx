// Export (R-DIS-4): a stated purpose is required, the range is Beijing wall time, the job runs in
// the background; the list shows progress, cancels, and downloads with a one-time token.
import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Input, Modal, Progress, Radio, Space, Table, Tag, message } from 'antd';
import { errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import { pbApi } from './pbApi.ts';
import type { ExportJob } from './pbApi.ts';
import { reqApi } from './ExportRequests.tsx';
import { savedExportFormat, saveExportFormat, withFormat } from './exportFormat.ts';
import type { ExportFormat } from './exportFormat.ts';
import { useTileText } from '../../tileText.ts';

/** .zip or .tar for the package download (issue 14 item 7). */
export function ExportFormatPicker({ value, onChange }: { value: ExportFormat; onChange: (f: ExportFormat) => void }) {
  const { tt } = useTileText();
  return (
    <Space data-testid="pb-export-format" wrap>
      <span>{tt('exportFormat')}</span>
      <Radio.Group
        value={value}
        onChange={(e) => {
          const f = e.target.value as ExportFormat;
          saveExportFormat(f);
          onChange(f);
        }}
        optionType="button"
        buttonStyle="solid"
        size="small"
        options={[{ value: 'zip', label: '.zip' }, { value: 'tar', label: '.tar' }]}
      />
      <span style={{ color: '#8c8c8c', fontSize: 12 }}>{tt('exportZipHint')}</span>
    </Space>
  );
}

interface Props {
  open: boolean;
  cameraIds: number[];
  /** Picked by dragging on the timeline's ruler, else around the playback clock. */
  range: [number, number];
  /** Names of the cameras included, shown in the dialog. */
  cameraNames?: string[];
  onClose: () => void;
  /** No video.export of one's own: the form becomes a request to a leader or administrator (issue 14 item 6). */
  asRequest?: boolean;
}

export function ExportModal({ open, cameraIds, cameraNames = [], range, onClose, asRequest = false }: Props) {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [purpose, setPurpose] = useState('');
  const [watermark, setWatermark] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!open) return;
    setFrom(formatBeijing(range[0]));
    setTo(formatBeijing(range[1]));
    setError(undefined);
    // Only when the dialog opens: the range follows the clock, the inputs must not.
  }, [open]);
  const submit = async () => {
    try {
      if (asRequest) await reqApi.create({ cameraIds, fromMs: beijingWallToMs(from), toMs: beijingWallToMs(to), purpose });
      else await pbApi.createExport({ cameraIds, fromMs: beijingWallToMs(from), toMs: beijingWallToMs(to), purpose, watermark });
      void message.success(asRequest ? '导出申请已提交，待组长或系统管理员审批；批准后可在“导出申请”中下载' : t('pbExportQueued'));
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Modal open={open} title={asRequest ? '申请导出录像' : t('pbExport')} onCancel={onClose} onOk={() => void submit()} okButtonProps={{ disabled: purpose.trim().length < 4 }} destroyOnHidden>
      <Space direction="vertical" style={{ width: '100%' }}>
        {asRequest && <Alert type="info" showIcon title="您的角色没有直接导出录像的权限：提交申请后，由组长或系统管理员审批，批准后由您下载（全程记入审计日志）。" data-testid="pb-export-request-why" />}
        <Alert type="warning" showIcon title={t('pbExportNotice')} />
        {cameraNames.length > 0 && <div data-testid="pb-export-cameras">包含摄像机（{cameraNames.length}）：{cameraNames.join('、')}</div>}
        <Space>
          <Input value={from} onChange={(e) => setFrom(e.target.value)} style={{ width: 190 }} data-testid="pb-export-from" />—
          <Input value={to} onChange={(e) => setTo(e.target.value)} style={{ width: 190 }} data-testid="pb-export-to" />
        </Space>
        <div style={{ color: '#8c8c8c', fontSize: 12 }}>可在时间轴刻度上拖动选择时段</div>
        <Input.TextArea value={purpose} onChange={(e) => setPurpose(e.target.value)} placeholder={t('pbPurposeHint')} maxLength={500} rows={2} data-testid="pb-purpose" />
        {!asRequest && <Checkbox checked={watermark} onChange={(e) => setWatermark(e.target.checked)}>{t('pbWatermark')}</Checkbox>}
        {error && <Alert type="error" title={error} />}
      </Space>
    </Modal>
  );
}

export function ExportList({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const [jobs, setJobs] = useState<ExportJob[]>([]);
  const [format, setFormat] = useState<ExportFormat>(savedExportFormat);
  const load = useCallback(() => {
    pbApi.exports().then((r) => setJobs(r.exports), () => undefined);
  }, []);
  useEffect(() => {
    if (!open) return;
    load();
    const timer = window.setInterval(load, 2000);
    return () => window.clearInterval(timer);
  }, [open, load]);
  const download = async (id: string) => {
    try {
      window.location.href = withFormat(await pbApi.downloadUrl(id), format);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  const color: Record<ExportJob['status'], string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error', cancelled: 'warning' };
  return (
    <Modal open={open} title={t('pbExports')} onCancel={onClose} footer={null} width={900}>
      <div style={{ marginBottom: 8 }}><ExportFormatPicker value={format} onChange={setFormat} /></div>
      <Table<ExportJob>
        rowKey="id"
        size="small"
        dataSource={jobs}
        pagination={{ pageSize: 8 }}
        columns={[
          { title: t('time'), dataIndex: 'createdAtMs', render: (v: number) => formatBeijing(v) },
          { title: t('pbRange'), render: (_, j) => `${formatBeijing(j.fromMs).slice(5)} — ${formatBeijing(j.toMs).slice(11)}` },
          { title: t('pbPurpose'), dataIndex: 'purpose', ellipsis: true },
          { title: t('user'), dataIndex: 'createdBy' },
          { title: t('status'), render: (_, j) => (j.status === 'running' ? <Progress percent={Math.round(j.progress * 100)} size="small" /> : <Tag color={color[j.status]} title={j.error}>{t(`pbJob_${j.status}`)}</Tag>) },
          {
            title: t('actions'),
            render: (_, j) => (
              <Space>
                {j.status === 'done' && <Button size="small" type="link" onClick={() => void download(j.id)} data-testid={`pb-download-${j.id}`}>{t('pbDownload')} .{format}</Button>}
                {(j.status === 'running' || j.status === 'queued') && <Button size="small" type="link" danger onClick={() => void pbApi.cancelExport(j.id).then(load)}>{t('cancel')}</Button>}
              </Space>
            ),
          },
        ]}
      />
    </Modal>
  );
}
