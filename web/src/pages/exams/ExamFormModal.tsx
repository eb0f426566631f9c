// Create / edit an exam: name, type, retention (≥ 180 days for national exams) and, on create, the owning node.
import { Form, Input, InputNumber, Select, TreeSelect } from 'antd';
import { api } from '../../api.ts';
import { FormModal } from '../../components/FormModal.tsx';
import { EXAM_KINDS } from '../../types.ts';
import type { Exam, ExamKind } from '../../types.ts';
import type { SelectTreeNode } from '../org/selectTree.ts';
import { useExamText } from './examText.ts';

interface Values { name: string; kind: ExamKind; retentionDays: number; owner?: string }
const NATIONAL: readonly ExamKind[] = ['gaokao', 'postgrad', 'self_study', 'adult'];

export function ExamFormModal({ exam, ownerTree, defaultOwner, onClose, onSaved }: {
  exam: Exam | null;
  ownerTree: SelectTreeNode[];
  defaultOwner?: number;
  onClose: () => void;
  onSaved: (e: Exam) => void;
}) {
  const { x, xl } = useExamText();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('kind', form);
  const min = kind && NATIONAL.includes(kind) ? 180 : 1;

  const submit = async (v: Values) => {
    const body = { name: v.name.trim(), kind: v.kind, retentionDays: v.retentionDays };
    const saved = exam
      ? await api.updateExam(exam.id, body)
      : await api.createExam({ ...body, ownerNodeId: v.owner ? Number(v.owner.slice(2)) : undefined });
    onSaved(saved);
  };

  return (
    <FormModal<Values>
      title={exam ? x('editExam') : x('newExam')}
      open
      form={form}
      testId="exam-form"
      initialValues={exam ? { name: exam.name, kind: exam.kind, retentionDays: exam.retentionDays } : { kind: 'proficiency', retentionDays: 180, owner: defaultOwner ? `n:${defaultOwner}` : undefined }}
      onCancel={onClose}
      onSubmit={submit}
    >
      <Form.Item name="name" label={x('examName')} rules={[{ required: true, whitespace: true, max: 128 }]}>
        <Input placeholder="例如：2026年普通高校招生全国统一考试" data-testid="exam-form-name" />
      </Form.Item>
      <Form.Item name="kind" label={x('examKind')} rules={[{ required: true }]}>
        <Select data-testid="exam-form-kind" options={EXAM_KINDS.map((k) => ({ value: k, label: `${xl('kind', k)}${NATIONAL.includes(k) ? `（${x('national')}）` : ''}` }))} />
      </Form.Item>
      <Form.Item
        name="retentionDays"
        label={x('retention')}
        extra={min > 1 ? x('retentionNationalHint') : undefined}
        rules={[{ required: true }, { type: 'number', min, max: 3650, message: x('retentionNationalHint') }]}
      >
        <InputNumber min={1} max={3650} precision={0} suffix={x('days')} style={{ width: 200 }} data-testid="exam-form-retention" />
      </Form.Item>
      {!exam && (
        <Form.Item name="owner" label={x('owner')} rules={[{ required: true }]}>
          <TreeSelect treeData={ownerTree} treeDefaultExpandAll showSearch={{ treeNodeFilterProp: 'title' }} data-testid="exam-form-owner" />
        </Form.Item>
      )}
    </FormModal>
  );
}
