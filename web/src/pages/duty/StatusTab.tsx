// 签到 tab (R-DIS-1, R-DIS-3): who is checked in per monitoring room and whether the two-person rule
// is met; on an enrolled workstation a person checks in with their own password (+ TOTP) — the second
// person confirms on the same console — and anyone checks a person out. An administrator enrolls
// the browser they sit at as a workstation (the server sets an httpOnly credential cookie).
// 确认在岗: presence is measured per person (idle check-out); a person without their own session on
// this console (the second person) re-enters their password here to show they are still there;
// during exam/custody windows everyone must, every N minutes (PresencePrompt's countdown and prompt).
import { useMemo, useState } from 'react';
import { App as AntApp, Button, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { CheckCircleOutlined, LoginOutlined, LogoutOutlined, DesktopOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { formatBeijing } from '../../time.ts';
import { dutyApi } from './dutyApi.ts';
import type { DutyStatus } from './dutyApi.ts';
import type { DutyText } from './dutyText.ts';
import type { Option } from './useDutyOptions.ts';
import { PresencePrompt } from './PresencePrompt.tsx';

interface Props { t: DutyText; status?: DutyStatus; isAdmin: boolean; monitoringRooms: Option[]; onChanged: () => void }

export function StatusTab({ t, status, isAdmin, monitoringRooms, onChanged }: Props) {
  const { message } = AntApp.useApp();
  const [modal, setModal] = useState<'enroll' | 'checkin' | 'confirm'>();
  const [confirming, setConfirming] = useState<{ checkinId: number; name: string }>();
  const [confirmForm] = Form.useForm<{ password: string; totp?: string }>();
  const [enrollForm] = Form.useForm<{ roomId: number; name: string }>();
  const [checkinForm] = Form.useForm<{ username: string; password: string; totp?: string }>();
  const ws = status?.workstation;
  // When this status arrived: the 确认在岗 countdown runs from the server's now at that moment.
  const receivedAtMs = useMemo(() => (status ? Date.now() : 0), [status]);
  const required = (field: string) => [{ required: true, message: t('required', { field }) }];

  const checkOut = async (checkinId: number, name: string) => {
    try {
      await dutyApi.checkOut(checkinId);
      void message.success(t('checkedOut', { name }));
      onChanged();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Text type="secondary" data-testid="duty-workstation">{ws ? t('thisWorkstation', { name: ws.name, room: ws.roomName }) : t('notWorkstation')}</Typography.Text>
        {ws && <Button type="primary" icon={<LoginOutlined />} onClick={() => setModal('checkin')} data-testid="duty-checkin-open">{t('checkIn')}</Button>}
        {!ws && isAdmin && <Button icon={<DesktopOutlined />} onClick={() => setModal('enroll')} data-testid="duty-enroll-open">{t('enroll')}</Button>}
      </Space>
      {status && <PresencePrompt t={t} status={status} receivedAtMs={receivedAtMs} onChanged={onChanged} />}
      <Table rowKey="roomId" size="small" pagination={false} dataSource={status?.rooms ?? []} data-testid="duty-status"
        columns={[
          { title: t('room'), dataIndex: 'roomName' },
          {
            title: t('onDuty'), key: 'p', render: (_, r) => (r.onDuty.length === 0 ? t('none') : (
              <Space wrap>
                {r.onDuty.map((p) => (
                  <Space key={p.checkinId} size={4} data-person={p.name}>
                    <span>{`${p.name}（${formatBeijing(p.sinceMs)}）`}</span>
                    <Typography.Text type="secondary">{t('lastPresent', { at: formatBeijing(p.lastPresentAtMs).slice(11, 16) })}</Typography.Text>
                    {ws?.roomId === r.roomId && (
                      <Button size="small" icon={<CheckCircleOutlined />} onClick={() => { setConfirming({ checkinId: p.checkinId, name: p.name }); setModal('confirm'); }} data-testid={`duty-confirm-${p.checkinId}`}>{t('confirmPresence')}</Button>
                    )}
                    <Popconfirm title={t('checkOutConfirm', { name: p.name })} onConfirm={() => void checkOut(p.checkinId, p.name)} okButtonProps={{ 'data-testid': 'duty-checkout-ok' }}>
                      <Button size="small" icon={<LogoutOutlined />} data-testid={`duty-checkout-${p.checkinId}`}>{t('checkOut')}</Button>
                    </Popconfirm>
                  </Space>
                ))}
              </Space>
            )),
          },
          { title: t('meets'), key: 'm', render: (_, r) => (r.meetsTwoPerson ? <Tag color="green">{t('yes')}</Tag> : <Tag color="red">{t('no')}</Tag>) },
        ]} />
      <Typography.Text type="secondary">{t('ruleHint')}</Typography.Text>

      <FormModal title={t('enrollTitle')} open={modal === 'enroll'} form={enrollForm} testId="duty-enroll" onCancel={() => setModal(undefined)}
        onSubmit={async (v) => {
          await dutyApi.enroll(v);
          void message.success(t('enrolled'));
          setModal(undefined);
          onChanged();
        }}>
        <Typography.Paragraph type="secondary">{t('enrollHint')}</Typography.Paragraph>
        <Form.Item name="roomId" label={t('room')} rules={required(t('room'))}>
          <Select options={monitoringRooms} data-testid="duty-enroll-room" />
        </Form.Item>
        <Form.Item name="name" label={t('wsName')} rules={required(t('wsName'))}>
          <Input maxLength={64} data-testid="duty-enroll-name" />
        </Form.Item>
      </FormModal>

      <FormModal title={t('checkInTitle', { room: ws?.roomName ?? '' })} open={modal === 'checkin'} form={checkinForm} testId="duty-checkin" onCancel={() => setModal(undefined)}
        onSubmit={async (v) => {
          const c = await dutyApi.checkIn({ username: v.username, password: v.password, totp: v.totp || undefined });
          void message.success(t('checkedIn', { name: c.name }));
          setModal(undefined);
          onChanged();
        }}>
        <Typography.Paragraph type="secondary">{t('checkInHint')}</Typography.Paragraph>
        <Form.Item name="username" label={t('username')} rules={required(t('username'))}>
          <Input autoComplete="off" data-testid="duty-checkin-username" />
        </Form.Item>
        <Form.Item name="password" label={t('password')} rules={required(t('password'))}>
          <Input.Password autoComplete="new-password" data-testid="duty-checkin-password" />
        </Form.Item>
        <Form.Item name="totp" label={t('totp')} rules={[{ pattern: /^\d{6}$/, message: t('totpFormat') }]}>
          <Input maxLength={6} inputMode="numeric" autoComplete="one-time-code" data-testid="duty-checkin-totp" />
        </Form.Item>
      </FormModal>

      <FormModal title={t('confirmTitle', { name: confirming?.name ?? '' })} open={modal === 'confirm'} form={confirmForm} testId="duty-confirm" onCancel={() => setModal(undefined)}
        onSubmit={async (v) => {
          const c = await dutyApi.confirmPresence(confirming!.checkinId, { password: v.password, totp: v.totp || undefined });
          void message.success(t('confirmed', { name: c.name }));
          setModal(undefined);
          onChanged();
        }}>
        <Typography.Paragraph type="secondary">{t('confirmHint')}</Typography.Paragraph>
        <Form.Item name="password" label={t('password')} rules={required(t('password'))}>
          <Input.Password autoComplete="new-password" data-testid="duty-confirm-password" />
        </Form.Item>
        <Form.Item name="totp" label={t('totp')} rules={[{ pattern: /^\d{6}$/, message: t('totpFormat') }]}>
          <Input maxLength={6} inputMode="numeric" autoComplete="one-time-code" data-testid="duty-confirm-totp" />
        </Form.Item>
      </FormModal>
    </Space>
  );
}
