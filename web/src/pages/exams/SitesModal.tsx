// 参考考点: choose the participating sites (TreeSelect, sites only). An existing narrowing to
// particular exam rooms is kept for sites that stay selected.
import { useState } from 'react';
import { Alert, Modal, TreeSelect, Typography } from 'antd';
import { api, errorMessage } from '../../api.ts';
import type { Exam, Room } from '../../types.ts';
import type { SelectTreeNode } from '../org/selectTree.ts';
import { useExamText } from './examText.ts';

export function SitesModal({ exam, siteTree, rooms, onClose, onSaved }: {
  exam: Exam;
  siteTree: SelectTreeNode[];
  rooms: Map<number, Room>;
  onClose: () => void;
  onSaved: (e: Exam) => void;
}) {
  const { x } = useExamText();
  const [value, setValue] = useState<string[]>(exam.sites.map((s) => `n:${s.siteId}`));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const sites = value.map((v) => {
        const siteId = Number(v.slice(2));
        const roomIds = exam.selectedRoomIds.filter((id) => rooms.get(id)?.siteId === siteId);
        return roomIds.length ? { siteId, roomIds } : { siteId };
      });
      onSaved(await api.setExamSites(exam.id, sites));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={x('sitesEdit')} open width={600} onCancel={onClose} onOk={() => void save()} confirmLoading={busy} destroyOnHidden okButtonProps={{ 'data-testid': 'sites-ok' }}>
      <Typography.Paragraph type="secondary">{x('sitesHint')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="sites-error" />}
      <TreeSelect
        data-testid="sites-select"
        style={{ width: '100%' }}
        treeData={siteTree}
        value={value}
        onChange={(v: string[]) => setValue(v)}
        multiple
        treeDefaultExpandAll
        showSearch={{ treeNodeFilterProp: 'title' }}
        placeholder={x('sites')}
        styles={{ popup: { root: { maxHeight: 400, overflow: 'auto' } } }}
      />
    </Modal>
  );
}
