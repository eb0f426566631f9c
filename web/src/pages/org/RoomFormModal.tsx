// Create / edit a room (考场, 机房考场, 考务室, 试卷保密室, 监控室, 其他) under a site.
import { Form, Input, InputNumber, Select } from 'antd';
import { ROOM_KINDS } from '../../types.ts';
import type { Room, RoomKind } from '../../types.ts';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { FormModal } from '../../components/FormModal.tsx';

interface Values { name: string; kind: RoomKind; seats: number; gbCode?: string }
export type RoomFormState = { mode: 'create'; siteId: number } | { mode: 'edit'; room: Room };

export function RoomFormModal({ state, onClose, onDone }: { state: RoomFormState; onClose: () => void; onDone: (r: Room | null) => void }) {
  const { t, label } = useI18n();
  const [form] = Form.useForm<Values>();
  const title = state.mode === 'create' ? t('addRoom') : t('editTitle', { kind: label('nodeKind', 'room') });

  const submit = async (v: Values) => {
    if (state.mode === 'create') {
      const r = await api.createRoom({
        siteId: state.siteId, kind: v.kind, name: v.name.trim(), seats: v.seats, ...(v.gbCode ? { gbCode: v.gbCode.trim() } : {}),
      });
      onDone(r);
    } else {
      const r = await api.updateRoom(state.room.id, { name: v.name.trim(), kind: v.kind, seats: v.seats });
      onDone(r ?? null);
    }
  };

  return (
    <FormModal<Values>
      title={title}
      open
      form={form}
      testId="room-form"
      initialValues={state.mode === 'edit' ? { name: state.room.name, kind: state.room.kind, seats: state.room.seats } : { kind: 'exam', seats: 30 }}
      onCancel={onClose}
      onSubmit={submit}
    >
      <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, max: 128, message: t('required', { field: t('name') }) }]}>
        <Input data-testid="room-name" placeholder="第 01 考场" maxLength={128} />
      </Form.Item>
      <Form.Item name="kind" label={t('kind')} rules={[{ required: true }]}>
        <Select data-testid="room-kind" options={ROOM_KINDS.map((k) => ({ value: k, label: label('roomKind', k) }))} />
      </Form.Item>
      <Form.Item name="seats" label={t('seats')} rules={[{ required: true, type: 'integer', min: 0, max: 1000, message: t('required', { field: t('seats') }) }]}>
        <InputNumber data-testid="room-seats" min={0} max={1000} precision={0} style={{ width: 160 }} />
      </Form.Item>
      {state.mode === 'create' && (
        <Form.Item name="gbCode" label={t('gbCode')} extra={t('gbCodeHint')} rules={[{ pattern: /^\d{20}$/, message: t('gbCodeInvalid') }]}>
          <Input data-testid="room-gbcode" className="xc-mono" maxLength={20} />
        </Form.Item>
      )}
    </FormModal>
  );
}
