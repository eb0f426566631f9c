// Inline server error display for forms / modals.
import { Alert } from 'antd';

export function ErrorAlert({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return <Alert type="error" showIcon title={message} style={{ marginBottom: 16 }} data-testid={testId ?? 'form-error'} />;
}
