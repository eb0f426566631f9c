// The wall's duty panel (issue 18 item 8, R-DIS-1/R-DIS-3): who is checked in per monitoring room
// and whether the two-person rule is met, and the alone-watch alarms (`duty.alarm`) of this node and
// every level below as they arrive over the node-to-node channel — so a city's wall shows a site
// where only one person is left — and the overdue custody reviews (`duty.review`, overdue: the
// secrecy room's footage not replayed and signed in time) of this node and every level below. Polls every 5 s (the polls carry the workstation cookie, which is
// also the console's activity for the idle check-out). On a workstation during a window, the 确认在岗
// countdown and prompt of each person checked in here (PresencePrompt). The server decides; this only shows.
import { useEffect, useState } from 'react';
import { Space, Tag, Tooltip } from 'antd';
import { request } from '../../api.ts';
import type { UplinkItemView } from '../../../../src/uplink/index.ts';
import type { DutyAlarmBody } from '../../../../src/duty/duty-service.ts';
import type { ReviewItemBody } from '../../../../src/duty/review-service.ts';
import { dutyApi } from './dutyApi.ts';
import type { DutyStatus } from './dutyApi.ts';
import { useDutyText } from './dutyText.ts';
import { formatBeijing } from '../../time.ts';
import { PresencePrompt } from './PresencePrompt.tsx';

const POLL_MS = 5000;
// Lower nodes may run an older version: every field may be missing.
type AlarmBody = Partial<DutyAlarmBody>;
type ReviewBody = Partial<ReviewItemBody>;
const items = (topic: string) => request<{ items: UplinkItemView[] }>('GET', `/api/uplink/items?topic=${topic}`).then((r) => r.items, () => [] as UplinkItemView[]);

export function WallDutyPanel() {
  const t = useDutyText();
  const [status, setStatus] = useState<DutyStatus>();
  const [receivedAtMs, setReceivedAtMs] = useState(0);
  const [reload, setReload] = useState(0);
  const [alarms, setAlarms] = useState<UplinkItemView[]>([]);
  const [reviews, setReviews] = useState<UplinkItemView[]>([]);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const [s, a, rv] = await Promise.all([dutyApi.status().catch(() => undefined), items('duty.alarm'), items('duty.review')]);
      if (stop) return;
      setStatus(s);
      setReceivedAtMs(Date.now());
      setAlarms(a.filter((i) => (i.body as AlarmBody | null)?.alone === true));
      setReviews(rv.filter((i) => (i.body as ReviewBody | null)?.overdue === true));
    };
    void load();
    const id = window.setInterval(() => void load(), POLL_MS);
    return () => {
      stop = true;
      window.clearInterval(id);
    };
  }, [reload]);
  if (!status) return null;
  return (
    <div className="xc-wall-duty" data-testid="wall-duty">
      <Space size={6} wrap>
        <strong>{t('panelTitle')}</strong>
        {status.rooms.length === 0 && <span data-testid="wall-duty-none">{t('panelNoRooms')}</span>}
        {status.rooms.map((r) => (
          <Tooltip key={r.roomId} title={r.onDuty.map((p) => `${p.name} ${formatBeijing(p.sinceMs).slice(11, 16)}`).join('、') || t('none')}>
            <Tag color={r.meetsTwoPerson ? 'green' : 'red'} data-testid={`wall-duty-room-${r.roomId}`}>
              {r.roomName}：{r.onDuty.map((p) => p.name).join('、') || t('none')}（{t('panelPeople', { n: String(r.onDuty.length) })}，{t('meets')}{r.meetsTwoPerson ? t('yes') : t('no')}）
            </Tag>
          </Tooltip>
        ))}
        {alarms.length + reviews.length > 0 && <strong style={{ color: '#cf1322' }}>{t('panelAlarms')}</strong>}
        {alarms.map((a) => {
          const b = a.body as AlarmBody;
          return (
            <Tag key={`${a.originCode}/${a.key}`} color="volcano" data-testid="wall-duty-alarm">
              {b.message ?? b.roomName}{b.atMs ? `（${formatBeijing(b.atMs).slice(11, 16)}）` : ''}{a.stale ? ' ⚠' : ''}
            </Tag>
          );
        })}
        {reviews.map((a) => {
          const b = a.body as ReviewBody;
          const hm = (ms?: number) => (ms ? formatBeijing(ms).slice(5, 16) : '?');
          return (
            <Tag key={`${a.originCode}/${a.key}`} color="volcano" data-testid="wall-duty-review">
              {t('panelReview', { room: b.roomName ?? '', from: hm(b.periodFromMs), to: hm(b.periodToMs) })}{a.stale ? ' ⚠' : ''}
            </Tag>
          );
        })}
      </Space>
      <PresencePrompt t={t} status={status} receivedAtMs={receivedAtMs} onChanged={() => setReload((n) => n + 1)} />
    </div>
  );
}
