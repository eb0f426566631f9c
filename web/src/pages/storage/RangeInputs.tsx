// Two Beijing-time text fields (YYYY-MM-DD HH:mm) for a time range: plain text so the range is
// exact and does not depend on the browser's time zone; parsed with beijingWallToMs.
import { Form, Input } from 'antd';
import { beijingWallToMs, formatBeijing } from '../../time.ts';
import type { StorageText } from './storageText.ts';

export const wallMinute = (ms: number): string => formatBeijing(ms).slice(0, 16);

export function RangeInputs({ s, prefix }: { s: StorageText; prefix: string }) {
  const valid = (_: unknown, v?: string) => (v && Number.isFinite(beijingWallToMs(v)) ? Promise.resolve() : Promise.reject(new Error(s('badTime'))));
  return (
    <>
      <Form.Item name="from" label={s('from')} rules={[{ validator: valid }]} extra={s('timeHint')}>
        <Input data-testid={`${prefix}-from`} />
      </Form.Item>
      <Form.Item
        name="to"
        label={s('to')}
        dependencies={['from']}
        rules={[
          { validator: valid },
          ({ getFieldValue }) => ({
            validator: (_: unknown, v?: string) => (beijingWallToMs(v ?? '') > beijingWallToMs(String(getFieldValue('from') ?? '')) ? Promise.resolve() : Promise.reject(new Error(s('endAfterStart')))),
          }),
        ]}
      >
        <Input data-testid={`${prefix}-to`} />
      </Form.Item>
    </>
  );
}
