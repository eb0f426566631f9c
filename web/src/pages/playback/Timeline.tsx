// Zoomable timeline (a day down to 30 seconds): one row per camera with recorded spans and gaps
// (warning colour, reason on hover), bands from other modules, a cursor at the playback clock,
// a thumbnail of the keyframe under the pointer. Click = play from there. Gaps and bands are at
// least 3 px wide at any zoom (a 26 s gap on a day's axis would be a hairline); dragging on the
// ruler picks a range (the export's), shown across every row (issue 14 item 7).
import { useEffect, useRef, useState } from 'react';
import type { WheelEvent as ReactWheelEvent, MouseEvent as ReactMouseEvent } from 'react';
import { formatBeijing } from '../../time.ts';
import { durationLabel, pbApi, reasonLabel } from './pbApi.ts';
import type { Band, CameraTimeline } from './pbApi.ts';

export const MIN_SPAN_MS = 30_000;
export const MAX_SPAN_MS = 24 * 3600_000;
const STEPS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200].map((s) => s * 1000);

interface Props {
  cameras: Array<{ id: number; name: string }>;
  data: CameraTimeline[];
  bands: Band[];
  view: [number, number];
  onView: (v: [number, number]) => void;
  cursorMs?: number;
  onPick: (ms: number) => void;
  lang: 'zh' | 'en';
  /** The range picked on the ruler, if any. */
  selection?: [number, number];
  onSelect?: (range: [number, number] | undefined) => void;
}

/** A drag shorter than this is a click on the ruler: it clears the selection. */
const MIN_SELECTION_MS = 1000;

interface Hover { x: number; row: number; ms: number; gap?: CameraTimeline['gaps'][number] }

export function Timeline({ cameras, data, bands, view, onView, cursorMs, onPick, lang, selection, onSelect }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<[number, number] | undefined>();
  const [hover, setHover] = useState<Hover | undefined>();
  const [thumbMs, setThumbMs] = useState<number | undefined>();
  const thumbTimer = useRef<number | undefined>(undefined);
  const [a, b] = view;
  const span = b - a;
  const pct = (ms: number) => `${(((Math.min(Math.max(ms, a), b) - a) / span) * 100).toFixed(4)}%`;
  const width = (s: number, e: number) => `${((Math.max(0, Math.min(e, b) - Math.max(s, a)) / span) * 100).toFixed(4)}%`;
  const step = STEPS.find((s) => span / s <= 12) ?? 7200_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((a + 8 * 3600_000) / step) * step - 8 * 3600_000; t <= b; t += step) ticks.push(t);
  const label = (ms: number) => formatBeijing(ms).slice(11, step >= 60_000 ? 16 : 19);

  const msAt = (clientX: number) => {
    const r = ref.current!.getBoundingClientRect();
    return a + ((clientX - r.left) / r.width) * span;
  };
  const zoom = (factor: number, centerMs: number) => {
    const next = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span * factor));
    const left = centerMs - ((centerMs - a) / span) * next;
    onView([left, left + next]);
  };
  // Dragging on the ruler: followed on the window, so that leaving the ruler does not drop it.
  const dragging = drag !== undefined;
  useEffect(() => {
    if (!dragging) return undefined;
    const move = (e: MouseEvent) => setDrag((d) => (d ? [d[0], msAt(e.clientX)] : d));
    const up = (e: MouseEvent) => {
      setDrag((d) => {
        if (d) {
          const r: [number, number] = [Math.min(d[0], msAt(e.clientX)), Math.max(d[0], msAt(e.clientX))];
          onSelect?.(r[1] - r[0] >= MIN_SELECTION_MS ? [Math.round(r[0]), Math.round(r[1])] : undefined);
        }
        return undefined;
      });
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    return () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
    // msAt reads the current view through the ref and a/span, which do not change mid-drag.
  }, [dragging]);
  const shown = drag ? ([Math.min(...drag), Math.max(...drag)] as [number, number]) : selection;
  const selectionBox = shown && shown[1] > a && shown[0] < b ? <div className="pb-selection" data-testid="pb-selection" style={{ left: pct(shown[0]), width: width(shown[0], shown[1]) }} /> : null;
  const onWheel = (e: ReactWheelEvent) => zoom(e.deltaY > 0 ? 1.5 : 1 / 1.5, msAt(e.clientX));
  const onMove = (e: ReactMouseEvent, row: number) => {
    const ms = msAt(e.clientX);
    const cam = data.find((d) => d.cameraId === cameras[row]?.id);
    const gap = cam?.gaps.find((g) => ms >= g.startMs && ms < g.endMs);
    setHover({ x: e.clientX - ref.current!.getBoundingClientRect().left, row, ms, gap });
    window.clearTimeout(thumbTimer.current);
    setThumbMs(undefined);
    if (!gap && cam?.spans.some((s) => ms >= s.startMs && ms < s.endMs)) thumbTimer.current = window.setTimeout(() => setThumbMs(ms), 250);
  };

  return (
    <div className="pb-timeline" data-testid="pb-timeline" data-view-start={Math.round(a)} data-view-end={Math.round(b)}>
      <div className="pb-ruler">
        <div className="pb-label" />
        <div
          className="pb-track pb-ruler-track"
          ref={ref}
          onWheel={onWheel}
          onMouseDown={(e) => onSelect && setDrag([msAt(e.clientX), msAt(e.clientX)])}
          title={onSelect ? (lang === 'zh' ? '在刻度上拖动选择导出时段' : 'Drag on the ruler to pick the export range') : undefined}
          data-testid="pb-ruler"
        >
          {selectionBox}
          {ticks.map((t) => (
            <span key={t} className="pb-tick" style={{ left: pct(t) }}>{label(t)}</span>
          ))}
        </div>
      </div>
      {cameras.map((cam, row) => {
        const d = data.find((x) => x.cameraId === cam.id);
        return (
          <div className="pb-row" key={cam.id}>
            <div className="pb-label" title={cam.name}>{cam.name}</div>
            <div
              className="pb-track"
              data-testid={`pb-track-${cam.id}`}
              onWheel={onWheel}
              onMouseMove={(e) => onMove(e, row)}
              onMouseLeave={() => setHover(undefined)}
              onClick={(e) => onPick(msAt(e.clientX))}
            >
              {bands.filter((bd) => bd.cameraId === undefined || bd.cameraId === cam.id).map((bd, i) => (
                <div key={`b${i}`} className="pb-band" style={{ left: pct(bd.startMs), width: width(bd.startMs, bd.endMs) }} title={bd.label} />
              ))}
              {d?.spans.filter((s) => s.endMs > a && s.startMs < b).map((s) => (
                <div key={`s${s.startMs}`} className="pb-span" style={{ left: pct(s.startMs), width: width(s.startMs, s.endMs) }} />
              ))}
              {d?.gaps.filter((g) => g.endMs > a && g.startMs < b).map((g) => (
                <div key={`g${g.startMs}`} className="pb-gap" data-testid="pb-gap" style={{ left: pct(g.startMs), width: width(g.startMs, g.endMs) }} />
              ))}
              {selectionBox}
              {cursorMs !== undefined && cursorMs >= a && cursorMs <= b && <div className="pb-cursor" style={{ left: pct(cursorMs) }} />}
            </div>
          </div>
        );
      })}
      {hover && (
        <div className="pb-hover" style={{ left: `calc(120px + ${hover.x}px)`, top: 28 + hover.row * 34 }}>
          <div>{formatBeijing(hover.ms)}</div>
          {hover.gap && (
            <div className="pb-hover-gap">
              {lang === 'zh' ? '录像中断' : 'Gap'} {durationLabel(hover.gap.durationMs, lang)}：{reasonLabel(hover.gap.reason, lang)}
              {hover.gap.detail ? `（${hover.gap.detail}）` : ''}
            </div>
          )}
          {thumbMs !== undefined && cameras[hover.row] && <img alt="" src={pbApi.thumbUrl(cameras[hover.row].id, thumbMs)} width={200} />}
        </div>
      )}
    </div>
  );
}
