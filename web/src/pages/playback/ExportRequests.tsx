// Export requests (issue 14 item 6): a patroller without 导出录像 asks for an export; a leader or
// administrator approves or rejects it with a note; the requester downloads it once made.
import { savedExportFormat, withFormat } from './exportFormat.ts';
import { useCallback, useEffect, useState } from 'react';
import { Button, Input, Modal, Space, Table, Tag, message } from 'antd';
import { errorMessage, request } from '../../api.ts';
import type { ExportRequestView } from '../../../../src/playback/export-request-service.ts';
import type { Role } from '../../types.ts';
import { formatBeijing } from '../../time.ts';

export const reqApi = {
  create: (b: { cameraIds: number[]; fromMs: number; toMs: number; purpose: string }) => request<ExportRequestView>('POST', '/api/export-requests', b),
  list: () => request<{ requests: ExportRequestView[] }>('GET', '/api/export-requests'),
  decide: (id: number, approve: boolean, note: string) => request<ExportRequestView>('POST', `/api/export-requests/${id}/decide`, { approve, note }),
  downloadUrl: async (id: number) => (await request<{ url: string }>('POST', `/api/export-requests/${id}/token`, {})).url,
};

const STATE: Record<string, [string, string]> = { pending: ['待审批', 'gold'], approved: ['已批准', 'green'], rejected: ['已驳回', 'red'] };
const JOB: Record<string, string> = { queued: '排队中', running: '导出中', done: '可下载', failed: '导出失败', cancelled: '已取消' };
export const canDecideExports = (role: Role): boolean => role === 'admin' || role === 'leader';

export function ExportRequestList({ open, role, onClose }: { open: boolean; role: Role; onClose: () => void }) {
  const [rows, setRows] = useState<ExportRequestView[]>([]);
  const [note, setNote] = useState<Record<number, string>>({});
  const load = useCallback(() => void reqApi.list().then((r) => setRows(r.requests), (e) => void message.error(errorMessage(e))), []);
  useEffect(() => {
    if (!open) return;
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [open, load]);
  const decide = (id: number, approve: boolean) => void reqApi.decide(id, approve, note[id] ?? '').then(() => { void message.success(approve ? '已批准，正在为申请人导出' : '已驳回'); load(); }, (e) => void message.error(errorMessage(e)));
  const download = (id: number) => void reqApi.downloadUrl(id).then((url) => { window.location.href = withFormat(url, savedExportFormat()); }, (e) => void message.error(errorMessage(e)));
  return (
    <Modal open={open} title="导出申请" width={980} footer={null} onCancel={onClose} destroyOnHidden>
      <Table<ExportRequestView>
        rowKey="id" size="small" dataSource={rows} pagination={false} data-testid="export-requests"
        columns={[
          { title: '申请时间', dataIndex: 'createdAtMs', width: 150, render: (v: number) => formatBeijing(v) },
          { title: '申请人', dataIndex: 'requester', width: 90 },
          { title: '摄像机', dataIndex: 'cameraNames', render: (v: string[]) => v.join('、') },
          { title: '时段', key: 'range', width: 230, render: (_, r) => `${formatBeijing(r.fromMs)} — ${formatBeijing(r.toMs).slice(11)}` },
          { title: '用途', dataIndex: 'purpose' },
          { title: '状态', dataIndex: 'state', width: 150, render: (v: string, r) => <Space direction="vertical" size={0}><Tag color={STATE[v][1]} data-testid={`export-request-state-${r.id}`}>{STATE[v][0]}</Tag>{r.decidedBy && <span>{r.decidedBy} {formatBeijing(r.decidedAtMs ?? 0).slice(5, 16)}{r.decisionNote ? `：${r.decisionNote}` : ''}</span>}{r.exportStatus && <span>{JOB[r.exportStatus] ?? r.exportStatus}</span>}</Space> },
          {
            title: '操作', key: 'op', width: 220, render: (_, r) => (
              <Space>
                {r.state === 'pending' && canDecideExports(role) && !r.mine && (
                  <>
                    <Input size="small" placeholder="审批意见" style={{ width: 90 }} value={note[r.id] ?? ''} onChange={(e) => setNote({ ...note, [r.id]: e.target.value })} />
                    <Button size="small" type="primary" onClick={() => decide(r.id, true)} data-testid={`export-request-approve-${r.id}`}>批准</Button>
                    <Button size="small" danger onClick={() => decide(r.id, false)}>驳回</Button>
                  </>
                )}
                {r.mine && r.exportStatus === 'done' && <Button size="small" onClick={() => download(r.id)} data-testid={`export-request-download-${r.id}`}>下载</Button>}
              </Space>
            ),
          },
        ]}
      />
    </Modal>
  );
}
