// The gaps of the shown cameras over the day, as a list under the timeline (issue 14 item 7): a
// 26 s gap is a hairline on a day's axis, here it is a line with its camera, time, length and
// reason. Click = play from just before it (the player then shows the gap with its reason).
import { formatBeijing } from '../../time.ts';
import { durationLabel, reasonLabel } from './pbApi.ts';
import type { CameraTimeline } from './pbApi.ts';

/** More would be a wall of text; the timeline and 下一个中断 reach the rest. */
const MAX_SHOWN = 100;
const LEAD_MS = 3000;

interface Props {
  cameras: Array<{ id: number; name: string }>;
  data: CameraTimeline[];
  onPick: (ms: number) => void;
  lang: 'zh' | 'en';
}

export function GapList({ cameras, data, onPick, lang }: Props) {
  const name = new Map(cameras.map((c) => [c.id, c.name]));
  const gaps = data
    .filter((d) => name.has(d.cameraId))
    .flatMap((d) => d.gaps.map((g) => ({ ...g, cameraId: d.cameraId })))
    .sort((x, y) => x.startMs - y.startMs);
  if (gaps.length === 0) return <div className="pb-gaplist pb-gaplist-empty" data-testid="pb-gaplist">{lang === 'zh' ? '当天无录像中断' : 'No gaps this day'}</div>;
  return (
    <div className="pb-gaplist" data-testid="pb-gaplist">
      <div className="pb-gaplist-title">{lang === 'zh' ? `录像中断 ${gaps.length} 处` : `${gaps.length} gaps`}{gaps.length > MAX_SHOWN ? (lang === 'zh' ? `（显示前 ${MAX_SHOWN} 处）` : ` (first ${MAX_SHOWN})`) : ''}</div>
      {gaps.slice(0, MAX_SHOWN).map((g) => (
        <button type="button" key={`${g.cameraId}-${g.startMs}`} className="pb-gaplist-item" data-testid="pb-gap-item" data-start-ms={g.startMs} onClick={() => onPick(Math.max(g.startMs - LEAD_MS, 0))}>
          <span className="pb-gaplist-time">{formatBeijing(g.startMs).slice(11)}–{formatBeijing(g.endMs).slice(11)}</span>
          <span className="pb-gaplist-cam">{name.get(g.cameraId)}</span>
          <span className="pb-gaplist-len">{durationLabel(g.durationMs, lang)}</span>
          <span>{reasonLabel(g.reason, lang)}</span>
        </button>
      ))}
    </div>
  );
}
