// Two-step verification (TOTP, R-SEC-5): generate a key, add it to an authenticator app, confirm
// with a code. The key is shown once; the server keeps it encrypted.
import { useState } from 'react';
import { Alert, App, Button, Input, Modal, Space, Typography } from 'antd';
import { api, errorMessage } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

export function TotpModal({ open, enabled, onClose }: { open: boolean; enabled: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const generate = async () => {
    setError(null);
    try {
      setSetup(await api.totpSetup());
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const enable = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.totpEnable(code);
      void message.success(t('totpEnabledMsg'));
      setSetup(null);
      setCode('');
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('totpTitle')} open={open} onCancel={onClose} footer={null} destroyOnHidden>
      <ErrorAlert message={error} />
      {enabled && !setup && <Alert type="success" showIcon message={t('totpAlready')} style={{ marginBottom: 12 }} />}
      {!setup ? (
        <Button type="primary" onClick={() => void generate()} data-testid="totp-generate">{t('totpGenerate')}</Button>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>{t('totpIntro')}</Typography.Paragraph>
          <Typography.Text>{t('totpSecret')}：</Typography.Text>
          <Typography.Text code copyable data-testid="totp-secret">{setup.secret}</Typography.Text>
          <Typography.Text type="secondary" copyable style={{ wordBreak: 'break-all' }}>{setup.otpauthUrl}</Typography.Text>
          <Space>
            <Input value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))} placeholder="000000" style={{ width: 140 }} data-testid="totp-code" />
            <Button type="primary" loading={busy} disabled={code.length !== 6} onClick={() => void enable()} data-testid="totp-enable">{t('totpEnable')}</Button>
          </Space>
        </Space>
      )}
    </Modal>
  );
}
