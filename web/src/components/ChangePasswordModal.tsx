// Self-service password change (POST /api/auth/password).
import { useState } from 'react';
import { Alert, App, Form, Input, Modal } from 'antd';
import { api, errorMessage } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

interface Values { oldPassword: string; newPassword: string; confirm: string }

/** `forced`: the server requires a change (mustChangePassword); no way to close it, the page reloads after. */
export function ChangePasswordModal({ open, forced = false, onClose }: { open: boolean; forced?: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.changePassword(v.oldPassword, v.newPassword);
      void message.success(t('passwordChanged'));
      form.resetFields();
      if (forced) window.location.reload();
      else onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t('changePassword')} open={open} onOk={() => void submit()} onCancel={onClose} confirmLoading={busy} destroyOnHidden closable={!forced} maskClosable={!forced} keyboard={!forced} cancelButtonProps={forced ? { style: { display: 'none' } } : undefined}>
      {forced && <Alert type="warning" showIcon message={t('mustChangePassword')} style={{ marginBottom: 12 }} data-testid="must-change-password" />}
      <ErrorAlert message={error} />
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="oldPassword" label={t('oldPassword')} rules={[{ required: true, message: t('required', { field: t('oldPassword') }) }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('newPassword')}
          extra={t('passwordRule')}
          rules={[
            { required: true, message: t('passwordRule') },
            { min: 10, max: 128, message: t('passwordRule') },
            {
              validator: (_r, v: string | undefined) =>
                !v || [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length >= 3 ? Promise.resolve() : Promise.reject(new Error(t('passwordRule'))),
            },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('confirmPassword')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('required', { field: t('confirmPassword') }) },
            ({ getFieldValue }) => ({
              validator: (_r, value) =>
                !value || getFieldValue('newPassword') === value ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
