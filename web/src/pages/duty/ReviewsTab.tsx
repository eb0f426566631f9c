// 保密室回看 tab (issue 18 item 6; docs/design/duty.md "Custody review"): the review tasks of the
// paper-custody windows (one per 6 hours), their state (进行中 / 待签 / 逾期 / 已签) and a 签署
// button: the logged-in person signs, with a note, that the period's footage was replayed. Loads
// itself (the last two days and today); the server decides who may sign and when.
import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Form, Input, Table, Tag } from 'antd';
import { errorMessage, request } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { FormModal } from '../../components/FormModal.tsx';
import { formatBeijing } from '../../time.ts';
import type { ReviewTaskView } from '../../../../src/duty/review-service.ts';
import type { DutyText } from './dutyText.ts';

const reviewApi = {
  list: (fromMs: number, toMs: number) => request<{ tasks: ReviewTaskView[] }>('GET', `/api/duty/reviews?fromMs=${fromMs}&toMs=${toMs}`),
  sign: (id: number, note: string) => request<ReviewTaskView>('POST', `/api/duty/reviews/${id}/sign`, { note }),
};
const COLORS: Record<ReviewTaskView['state'], string> = { running: 'default', due: 'gold', overdue: 'red', signed: 'green' };

export function ReviewsTab({ t, canSign }: { t: DutyText; canSign: boolean }) {
  const { message } = AntApp.useApp();
  const [tasks, setTasks] = useState<ReviewTaskView[]>([]);
  const [error, setError] = useState<string>();
  const [signing, setSigning] = useState<ReviewTaskView>();
  const [form] = Form.useForm<{ note: string }>();
  const load = useCallback(async () => {
    try {
      const now = Date.now();
      setTasks((await reviewApi.list(now - 2 * 24 * 3600_000, now + 24 * 3600_000)).tasks);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const hhmm = (ms: number) => formatBeijing(ms).slice(5, 16);
  return (
    <>
      {error && <ErrorAlert message={error} />}
      <Table rowKey="id" size="small" pagination={false} dataSource={tasks} data-testid="duty-reviews" locale={{ emptyText: t('reviewNone') }}
        columns={[
          { title: t('watchedRoom'), dataIndex: 'roomName' },
          { title: t('reviewPeriod'), key: 'p', render: (_, r) => `${hhmm(r.periodFromMs)} – ${hhmm(r.periodToMs)}` },
          { title: t('reviewDue'), key: 'd', render: (_, r) => hhmm(r.dueAtMs) },
          { title: t('state'), key: 's', render: (_, r) => <Tag color={COLORS[r.state]} data-testid={`review-state-${r.id}`}>{t(`rv_${r.state}`)}</Tag> },
          { title: t('reviewSigned'), key: 'b', render: (_, r) => (r.signedBy ? `${r.signedBy} ${hhmm(r.signedAtMs!)}：${r.note ?? ''}` : '-') },
          { title: t('actions'), key: 'x', render: (_, r) => (canSign && (r.state === 'due' || r.state === 'overdue') ? <Button size="small" onClick={() => setSigning(r)} data-testid={`review-sign-${r.id}`}>{t('reviewSign')}</Button> : null) },
        ]} />
      <FormModal title={t('reviewSign')} open={signing !== undefined} form={form} testId="review-sign-form" onCancel={() => setSigning(undefined)}
        onSubmit={async (v) => {
          await reviewApi.sign(signing!.id, v.note);
          void message.success(t('reviewDone'));
          setSigning(undefined);
          form.resetFields();
          void load();
        }}>
        <Form.Item name="note" label={t('note')} rules={[{ required: true, min: 2, message: t('required', { field: t('note') }) }]}>
          <Input.TextArea rows={3} maxLength={2000} placeholder={t('reviewHint')} />
        </Form.Item>
      </FormModal>
    </>
  );
}
