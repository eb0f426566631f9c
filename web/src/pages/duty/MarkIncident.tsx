// 标记事件 from a live wall tile (the moment is the server's now) or from the playback page (the
// player's position), R-FN-2 / issue 18 item 7. One button and a small form (category,
// description); the server holds the footage 5 min either side of the moment, sends the incident
// to every level above and answers with the evidence reference (held ranges, playback link),
// shown here. Kept apart from the wall and playback files so each imports it with one line.
import { useState } from 'react';
import type { CSSProperties, MouseEvent } from 'react';
import { App as AntApp, Button, Form, Input, Select, Typography } from 'antd';
import { FlagOutlined } from '@ant-design/icons';
import { FormModal } from '../../components/FormModal.tsx';
import { formatBeijing } from '../../time.ts';
import { dutyApi } from './dutyApi.ts';
import type { IncidentCategory } from '../../../../src/store/schema.ts';
import { useDutyText } from './dutyText.ts';

interface Props {
  cameraIds: number[];
  source: 'live' | 'playback';
  /** Playback: the player's position when the button is pressed. */
  atMs?: () => number | undefined;
  disabled?: boolean;
  style?: CSSProperties;
  className?: string;
}
const stop = (e: MouseEvent) => e.stopPropagation();

export function MarkIncidentButton({ cameraIds, source, atMs, disabled, style, className }: Props) {
  const t = useDutyText();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ category: IncidentCategory; description: string }>();
  const [at, setAt] = useState<number>();
  const [open, setOpen] = useState(false);
  return (
    <span onDoubleClick={stop} onClick={stop}>
      <Button size="small" icon={<FlagOutlined />} disabled={disabled || cameraIds.length === 0} style={style} className={className} data-testid={`mark-incident-${source}`}
        onClick={() => {
          setAt(source === 'playback' ? atMs?.() : Date.now());
          setOpen(true);
        }}>
        {source === 'live' ? t('markIncident') : t('markHere')}
      </Button>
      <FormModal title={t('markIncident')} open={open} form={form} testId={`mark-incident-form-${source}`} onCancel={() => setOpen(false)}
        initialValues={{ category: 'cheating' }}
        onSubmit={async (v) => {
          const r = await dutyApi.markAt({ cameraIds, source, ...(source === 'playback' ? { atMs: at } : {}), category: v.category, description: v.description });
          void message.success(t('markedRef', { id: r.id, n: r.evidence.holdIds.length, from: formatBeijing(r.fromMs).slice(11, 16), to: formatBeijing(r.toMs).slice(11, 16) }), 6);
          setOpen(false);
          form.resetFields();
        }}>
        <Typography.Paragraph type="secondary">{t(source === 'live' ? 'markLiveHint' : 'markPbHint', { at: at ? formatBeijing(at) : '-' })}</Typography.Paragraph>
        <Form.Item name="category" label={t('category')} rules={[{ required: true }]}>
          <Select options={(['cheating', 'device', 'emergency'] as const).map((k) => ({ value: k, label: t(`cat_${k}`) }))} />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, min: 2, message: t('required', { field: t('description') }) }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid={`mark-incident-description-${source}`} />
        </Form.Item>
      </FormModal>
    </span>
  );
}
