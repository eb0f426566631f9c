// TreeSelect data built from the org index (used by move dialogs and the user form).
import type { NodeKind } from '../../types.ts';
import type { OrgIndex } from './orgModel.ts';

export interface SelectTreeNode {
  value: string;
  title: string;
  disabled?: boolean;
  selectable?: boolean;
  children?: SelectTreeNode[];
}

/**
 * `maxKind`: deepest node kind to include; `selectableKinds` of nodes may be chosen;
 * `rooms`: include rooms under sites (selectable) — for moving cameras. Values are `n:ID` / `r:ID`.
 */
export function buildSelectTree(
  idx: OrgIndex,
  opts: { selectableKinds: NodeKind[] | 'all'; maxKind?: NodeKind; rooms?: boolean; kindLabel: (k: string) => string; exclude?: string },
): SelectTreeNode[] {
  const order: NodeKind[] = ['province', 'city', 'district', 'site'];
  const maxIdx = opts.maxKind ? order.indexOf(opts.maxKind) : 3;
  const walk = (parent: number | null): SelectTreeNode[] => {
    const list = parent === null ? idx.roots : idx.children.get(parent) ?? [];
    const out: SelectTreeNode[] = [];
    for (const n of list) {
      if (order.indexOf(n.kind) > maxIdx) continue;
      const value = `n:${n.id}`;
      if (value === opts.exclude) continue;
      const ok = opts.selectableKinds === 'all' || opts.selectableKinds.includes(n.kind);
      const children = walk(n.id);
      if (opts.rooms && n.kind === 'site') {
        for (const r of n.rooms ?? []) children.push({ value: `r:${r.id}`, title: r.name });
      }
      out.push({ value, title: `${n.name}（${opts.kindLabel(n.kind)}）`, selectable: ok, disabled: !ok, children });
    }
    return out;
  };
  return walk(null);
}
