// Open disk alarms of this node (GET /api/retention/alarms/open, every 5 s) above every page, under
// the recording alarm banner (issue 12 item 3, R-RET-1): a full recording disk or a disk holding only
// locked recordings stops recording, and everyone watching cameras must see why, in Chinese.
import { useEffect, useState } from 'react';
import { DatabaseOutlined } from '@ant-design/icons';
import { api } from '../api.ts';
import type { DiskAlarm } from '../api.ts';
import { useConsoleText } from '../consoleText.ts';
import { formatBeijing } from '../time.ts';
import type { User } from '../types.ts';

const POLL_MS = 5000;

/** "1.2 GB", "350 MB". */
export function bytesText(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`;
}

export function DiskAlarmBanner({ user }: { user: User }) {
  const { c } = useConsoleText();
  const [alarms, setAlarms] = useState<DiskAlarm[]>([]);
  const enabled = user.role !== 'inspector';
  useEffect(() => {
    if (!enabled) return undefined;
    let stop = false;
    const poll = () => void api.openDiskAlarms().then((r) => !stop && setAlarms(r.alarms), () => undefined);
    poll();
    const h = setInterval(poll, POLL_MS);
    return () => {
      stop = true;
      clearInterval(h);
    };
  }, [enabled]);
  if (!enabled || alarms.length === 0) return null;
  return (
    <div data-testid="disk-alarm-banner" role="alert" style={{ position: 'sticky', top: 0, zIndex: 99, background: '#8c1d18', color: '#fff', padding: '6px 20px', fontSize: 13 }}>
      {alarms.map((a) => (
        <div key={a.id} data-testid={`disk-alarm-${a.kind}`} style={{ display: 'flex', gap: 10, alignItems: 'center', minHeight: 26 }}>
          <DatabaseOutlined />
          <span style={{ fontWeight: 600 }}>{a.kind === 'disk_full' ? c('diskFullAlarm') : c('diskPressureAlarm')}</span>
          <span>{c('diskFree', { free: bytesText(a.freeBytes) })}</span>
          <span className="xc-time" style={{ opacity: 0.9 }}>{c('diskSince', { at: formatBeijing(a.raisedAtMs) })}</span>
        </div>
      ))}
    </div>
  );
}
