// Modal wrapping an antd Form: client validation, async submit, server error shown inline (and per field if possible).
import { useState } from 'react';
import type { ReactNode } from 'react';
import { Form, Modal } from 'antd';
import type { FormInstance } from 'antd';
import { ApiError, errorMessage } from '../api.ts';
import { useI18n } from '../i18n.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

interface Props<T> {
  title: ReactNode;
  open: boolean;
  form: FormInstance<T>;
  initialValues?: Partial<T>;
  onCancel: () => void;
  onSubmit: (values: T) => Promise<void>;
  children: ReactNode;
  testId: string;
  width?: number;
}

/** Best effort: map `details` like `[{field|path, message}]` or `{field: message}` onto form fields. */
function fieldErrors(details: unknown): { name: string; errors: string[] }[] {
  const out: { name: string; errors: string[] }[] = [];
  if (Array.isArray(details)) {
    for (const d of details as Record<string, unknown>[]) {
      const name = d && (d.field ?? d.path);
      const msg = d?.message;
      if (typeof name === 'string' && typeof msg === 'string') out.push({ name, errors: [msg] });
      else if (Array.isArray(name) && typeof msg === 'string') out.push({ name: String(name[0]), errors: [msg] });
    }
  } else if (details && typeof details === 'object') {
    for (const [k, v] of Object.entries(details)) if (typeof v === 'string') out.push({ name: k, errors: [v] });
  }
  return out;
}

export function FormModal<T extends object>(p: Props<T>) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    let values: T;
    try {
      values = await p.form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await p.onSubmit(values);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) setError(err.message || t('forbidden'));
      else if (err instanceof ApiError && err.status === 0) setError(t('networkError'));
      else setError(errorMessage(err));
      if (err instanceof ApiError) {
        const known = new Set(Object.keys(p.form.getFieldsValue(true) as object));
        const fe = fieldErrors(err.details).filter((f) => known.has(f.name));
        if (fe.length) p.form.setFields(fe.map((f) => ({ name: f.name as never, errors: f.errors })));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={p.title}
      open={p.open}
      width={p.width ?? 560}
      onOk={() => void submit()}
      onCancel={p.onCancel}
      confirmLoading={busy}
      okText={t('save')}
      okButtonProps={{ 'data-testid': `${p.testId}-ok` }}
      destroyOnHidden
      mask={{ closable: false }}
      afterClose={() => setError(null)}
    >
      <div data-testid={p.testId}>
        <ErrorAlert message={error} testId={`${p.testId}-error`} />
        <Form<T> form={p.form} layout="vertical" initialValues={p.initialValues} preserve={false} requiredMark>
          {p.children}
        </Form>
      </div>
    </Modal>
  );
}
