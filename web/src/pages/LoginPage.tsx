// Login: username + password, TOTP field appears when the server answers `totp_required`.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, SafetyCertificateOutlined, UserOutlined } from '@ant-design/icons';
import { ApiError, api, errorMessage } from '../api.ts';
import type { Session } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';

interface Values { username: string; password: string; totp?: string }

export function LoginPage({ onLoggedIn }: { onLoggedIn: (s: Session) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const s = await api.login(v.username.trim(), v.password, needTotp ? v.totp?.trim() : undefined);
      onLoggedIn(s);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') {
        if (needTotp) setError(err.message || t('totpHint'));
        setNeedTotp(true);
      } else if (err instanceof ApiError && err.code === 'invalid_credentials') {
        setError(err.message || t('invalidCredentials'));
      } else if (err instanceof ApiError && err.status === 0) {
        setError(t('networkError'));
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="xc-login-bg">
      <div style={{ position: 'fixed', top: 16, right: 20 }}>
        <LangSwitch dark />
      </div>
      <Card className="xc-login-card" styles={{ body: { padding: '32px 32px 20px' } }}>
        <div className="xc-brand" style={{ marginBottom: 6 }}>
          <span className="xc-logo">巡</span>
          <Typography.Title level={4} style={{ margin: 0 }}>{t('appTitle')}</Typography.Title>
        </div>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>{t('appSubtitle')}</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        {needTotp && !error && <Alert type="info" showIcon title={t('totpHint')} style={{ marginBottom: 16 }} />}
        <Form form={form} layout="vertical" size="large" requiredMark={false} onFinish={(v) => void submit(v)}>
          <Form.Item name="username" label={t('username')} rules={[{ required: true, message: t('required', { field: t('username') }) }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" data-testid="login-username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('password')} rules={[{ required: true, message: t('required', { field: t('password') }) }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          {needTotp && (
            <Form.Item
              name="totp"
              label={t('totp')}
              rules={[{ required: true, pattern: /^\d{6}$/, message: t('required', { field: t('totp') }) }]}
            >
              <Input prefix={<SafetyCertificateOutlined />} inputMode="numeric" maxLength={6} autoComplete="one-time-code" data-testid="login-totp" autoFocus />
            </Form.Item>
          )}
          <Form.Item style={{ marginTop: 8 }}>
            <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">{t('login')}</Button>
          </Form.Item>
        </Form>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center', fontSize: 12, marginBottom: 0 }}>
          © 巡查 xuncha · {t('beijingTime')} UTC+8
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
