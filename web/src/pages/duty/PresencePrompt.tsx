// 确认在岗 prompt (R-DIS-3; docs/design/duty.md "Periodic presence confirmation"): on an enrolled
// workstation, during an exam or custody window, each person checked in here has a countdown to
// their next confirmation; within the server's prompt lead it becomes a warning with a 确认在岗
// button (their own password, + one-time code when enrolled). Who misses it is checked out by the
// server as absent. The countdown runs on the server's clock (status.nowMs), not the browser's.
import { useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Form, Input, Space, Tag, Typography } from 'antd';
import { CheckCircleOutlined, ClockCircleOutlined } from '@ant-design/icons';
import { FormModal } from '../../components/FormModal.tsx';
import { dutyApi } from './dutyApi.ts';
import type { DutyStatus } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';

interface Props { t: DutyText; status: DutyStatus; /** Browser time when `status` arrived. */ receivedAtMs: number; onChanged: () => void }

const mmss = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export function PresencePrompt({ t, status, receivedAtMs, onChanged }: Props) {
  const { message } = AntApp.useApp();
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [confirming, setConfirming] = useState<{ checkinId: number; name: string }>();
  const [form] = Form.useForm<{ password: string; totp?: string }>();
  useEffect(() => {
    const id = window.setInterval(() => setNowMs(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  const ws = status.workstation;
  const people = status.rooms.find((r) => r.roomId === ws?.roomId)?.onDuty.filter((p) => p.confirmDueAtMs !== null) ?? [];
  if (!ws || people.length === 0) return null;
  const serverNow = status.nowMs + (nowMs - receivedAtMs);
  const every = String(Math.round(status.presenceEveryMs / 60_000));
  const open = (p: { checkinId: number; name: string }) => () => { form.resetFields(); setConfirming(p); };

  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }} data-testid="duty-presence">
      {people.map((p) => {
        const left = p.confirmDueAtMs! - serverNow;
        const button = <Button size="small" type={left <= status.promptLeadMs ? 'primary' : 'default'} icon={<CheckCircleOutlined />} onClick={open(p)} data-testid={`duty-presence-confirm-${p.checkinId}`}>{t('confirmPresence')}</Button>;
        if (left > status.promptLeadMs) {
          return <Space key={p.checkinId} size={4}><Tag icon={<ClockCircleOutlined />} data-testid="duty-presence-countdown">{t('presenceCountdown', { name: p.name, left: mmss(left) })}</Tag>{button}</Space>;
        }
        return (
          <Alert key={p.checkinId} type={left > 0 ? 'warning' : 'error'} showIcon data-testid="duty-presence-prompt" action={button}
            message={left > 0 ? t('presencePrompt', { name: p.name, left: mmss(left), every }) : t('presenceOverdue', { name: p.name })} />
        );
      })}
      <FormModal title={t('confirmTitle', { name: confirming?.name ?? '' })} open={confirming !== undefined} form={form} testId="duty-presence-form" onCancel={() => setConfirming(undefined)}
        onSubmit={async (v) => {
          const c = await dutyApi.confirmPresence(confirming!.checkinId, { password: v.password, totp: v.totp || undefined });
          void message.success(t('confirmed', { name: c.name }));
          setConfirming(undefined);
          onChanged();
        }}>
        <Typography.Paragraph type="secondary">{t('confirmHint')}</Typography.Paragraph>
        <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('required', { field: t('password') }) }]}>
          <Input.Password autoComplete="new-password" data-testid="duty-presence-password" />
        </Form.Item>
        <Form.Item name="totp" label={t('totp')} rules={[{ pattern: /^\d{6}$/, message: t('totpFormat') }]}>
          <Input maxLength={6} inputMode="numeric" autoComplete="one-time-code" data-testid="duty-presence-totp" />
        </Form.Item>
      </FormModal>
    </Space>
  );
}
