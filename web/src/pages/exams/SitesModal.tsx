// 参考考点及考场 (issue 14 item 11): pick whole sites (n:ID — their exam rooms added later join the
// exam automatically) or individual exam/lab rooms (r:ID — only those take part; the site's
// affairs and secrecy rooms always do). Picking a room drops its site's whole pick and vice versa.
// Removing a site or room whose recording window is open comes back 409 with what stops; the
// dialog asks, and sends again with confirm: true.
import { useMemo, useState } from 'react';
import { Alert, App as AntApp, Modal, TreeSelect, Typography } from 'antd';
import { ApiError, api, errorMessage } from '../../api.ts';
import type { Exam, Room } from '../../types.ts';
import type { SelectTreeNode } from '../org/selectTree.ts';
import { useExamText } from './examText.ts';

const PICKABLE = new Set(['exam', 'lab']);

function withRooms(tree: SelectTreeNode[], rooms: Map<number, Room>): SelectTreeNode[] {
  const bySite = new Map<number, Room[]>();
  for (const r of rooms.values()) if (PICKABLE.has(r.kind)) bySite.set(r.siteId, [...(bySite.get(r.siteId) ?? []), r]);
  return tree.map((n) => {
    const children = withRooms(n.children ?? [], rooms);
    const site = n.value.startsWith('n:') && n.selectable ? bySite.get(Number(n.value.slice(2))) : undefined;
    for (const r of (site ?? []).sort((a, b) => a.name.localeCompare(b.name, 'zh'))) children.push({ value: `r:${r.id}`, title: r.name });
    return { ...n, children };
  });
}

export function SitesModal({ exam, siteTree, rooms, onClose, onSaved }: {
  exam: Exam;
  siteTree: SelectTreeNode[];
  rooms: Map<number, Room>;
  onClose: () => void;
  onSaved: (e: Exam) => void;
}) {
  const { x } = useExamText();
  const { modal } = AntApp.useApp();
  const narrowed = new Set(exam.selectedRoomIds.map((id) => rooms.get(id)?.siteId));
  const [value, setValue] = useState<string[]>([
    ...exam.sites.filter((s) => !narrowed.has(s.siteId)).map((s) => `n:${s.siteId}`),
    ...exam.selectedRoomIds.map((id) => `r:${id}`),
  ]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tree = useMemo(() => withRooms(siteTree, rooms), [siteTree, rooms]);

  const change = (next: string[]) => {
    const added = next.filter((v) => !value.includes(v));
    let out = next;
    for (const v of added) {
      const id = Number(v.slice(2));
      // A room narrows its site; a whole site replaces its rooms.
      if (v.startsWith('r:')) out = out.filter((o) => o !== `n:${rooms.get(id)?.siteId}`);
      else out = out.filter((o) => !(o.startsWith('r:') && rooms.get(Number(o.slice(2)))?.siteId === id));
    }
    setValue(out);
  };

  const selection = () => {
    const sites = new Map<number, number[] | undefined>();
    for (const v of value) {
      const id = Number(v.slice(2));
      if (v.startsWith('n:')) sites.set(id, undefined);
      else {
        const siteId = rooms.get(id)?.siteId;
        if (siteId !== undefined) sites.set(siteId, [...(sites.get(siteId) ?? []), id]);
      }
    }
    return [...sites].map(([siteId, roomIds]) => (roomIds ? { siteId, roomIds } : { siteId }));
  };

  const save = async (confirm = false) => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.setExamSites(exam.id, selection(), confirm));
    } catch (err) {
      if (!confirm && err instanceof ApiError && err.status === 409) {
        modal.confirm({
          title: x('sitesStopTitle'),
          content: <span data-testid="sites-stop-message">{err.message}</span>,
          okText: x('sitesStopOk'),
          okButtonProps: { danger: true, 'data-testid': 'sites-stop-ok' },
          onOk: () => save(true),
        });
      } else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={x('sitesEdit')} open width={640} onCancel={onClose} onOk={() => void save()} confirmLoading={busy} destroyOnHidden okButtonProps={{ 'data-testid': 'sites-ok' }}>
      <Typography.Paragraph type="secondary">{x('sitesHint')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="sites-error" />}
      <TreeSelect
        // treeDefaultExpandAll applies only at mount: remount once the org tree and its rooms have
        // arrived (a dialog opened while they load showed the sites collapsed, rooms unreachable).
        key={`${siteTree.length}:${rooms.size}`}
        data-testid="sites-select"
        style={{ width: '100%' }}
        treeData={tree}
        value={value}
        onChange={change}
        multiple
        treeDefaultExpandAll
        showSearch={{ treeNodeFilterProp: 'title' }}
        placeholder={x('sites')}
        styles={{ popup: { root: { maxHeight: 400, overflow: 'auto' } } }}
      />
    </Modal>
  );
}
