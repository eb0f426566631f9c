// How fresh a figure is (issue 19 item 5): "数据时间 … (N 秒前)" from the oldest report under it;
// red when older than `staleAfterS` (the figure is what a lower said then, not now).
import { Tag } from 'antd';
import { formatBeijing } from '../../time.ts';
import { useLedgerText } from './ledgerText.ts';

export function Freshness({ atMs, nowMs, staleAfterS = 300 }: { atMs: number | null | undefined; nowMs: number; staleAfterS?: number }) {
  const { l } = useLedgerText();
  if (atMs === null || atMs === undefined) return <Tag data-testid="freshness">{l('asOfNone')}</Tag>;
  const s = Math.max(0, Math.round((nowMs - atMs) / 1000));
  return <Tag data-testid="freshness" color={s > staleAfterS ? 'red' : 'default'}>{l('asOf', { t: formatBeijing(atMs).slice(5), s })}</Tag>;
}
