// Add / edit a session: subject, date, start and end (Beijing wall-clock; the pickers' values are
// read as plain calendar/clock fields, so the browser's own time zone never shifts them).
import { DatePicker, Form, Input, Space, TimePicker } from 'antd';
import dayjs from 'dayjs';
import type { Dayjs } from 'dayjs';
import { api } from '../../api.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { beijingWallToMs } from '../../time.ts';
import type { ExamSession } from '../../types.ts';
import { bjDate, bjTime } from './examFormat.ts';
import { useExamText } from './examText.ts';

interface Values { subject: string; date: Dayjs; start: Dayjs; end: Dayjs }

export function SessionFormModal({ examId, session, onClose, onSaved }: { examId: number; session: ExamSession | null; onClose: () => void; onSaved: () => void }) {
  const { x } = useExamText();
  const [form] = Form.useForm<Values>();
  const init = session
    ? { subject: session.subject, date: dayjs(bjDate(session.startMs)), start: dayjs(`2000-01-01 ${bjTime(session.startMs)}`), end: dayjs(`2000-01-01 ${bjTime(session.endMs)}`) }
    : undefined;

  const submit = async (v: Values) => {
    const day = v.date.format('YYYY-MM-DD');
    const body = { subject: v.subject.trim(), startMs: beijingWallToMs(`${day} ${v.start.format('HH:mm')}`), endMs: beijingWallToMs(`${day} ${v.end.format('HH:mm')}`) };
    if (session) await api.updateSession(session.id, body);
    else await api.createSession(examId, body);
    onSaved();
  };

  return (
    <FormModal<Values> title={session ? x('editSession') : x('addSession')} open form={form} testId="session-form" initialValues={init} onCancel={onClose} onSubmit={submit}>
      <Form.Item name="subject" label={x('subject')} rules={[{ required: true, whitespace: true, max: 64 }]}>
        <Input placeholder="例如：语文" data-testid="session-form-subject" />
      </Form.Item>
      <Form.Item name="date" label={`${x('date')}（北京时间）`} rules={[{ required: true }]}>
        <DatePicker style={{ width: 200 }} data-testid="session-form-date" />
      </Form.Item>
      <Space size={16} align="start">
        <Form.Item name="start" label={x('start')} rules={[{ required: true }]}>
          <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} style={{ width: 140 }} data-testid="session-form-start" />
        </Form.Item>
        <Form.Item
          name="end"
          label={x('end')}
          dependencies={['start']}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, v: Dayjs | undefined) => {
                const s = getFieldValue('start') as Dayjs | undefined;
                return !v || !s || v.format('HH:mm') > s.format('HH:mm') ? Promise.resolve() : Promise.reject(new Error(x('endAfterStart')));
              },
            }),
          ]}
        >
          <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} style={{ width: 140 }} data-testid="session-form-end" />
        </Form.Item>
      </Space>
    </FormModal>
  );
}
