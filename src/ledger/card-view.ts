// The device card's health history (issue 19 item 2; R-SEC-2): health rows turned into points for
// the charts, online/offline spans, a summary, and the camera's latest readiness results. Pure
// (`healthHistory`) plus the scoped read (`readCard`). A period the node did not sample (node down)
// is an "unknown" span, never online.
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import type { HealthSampleRow } from '../store/repos/device-health-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { DeviceView, TicketView } from './schemas.ts';

export interface HealthPoint { atMs: number; spanMs: number; onlineRatio: number; recordingRatio: number; bitrateKbps: number | null; fps: number | null; lostPackets: number | null; clockOffsetMs: number | null }
export interface StatusSpan { fromMs: number; toMs: number; state: 'online' | 'offline' | 'unknown' }
export interface ReadinessLast { probe: string; verdict: string; value: string; reason: string | null; measuredAtMs: number }
export interface HealthHistory {
  fromMs: number;
  toMs: number;
  points: HealthPoint[];
  spans: StatusSpan[];
  /** Over the period's samples; null when nothing was sampled. */
  summary: { onlineRatio: number | null; recordingRatio: number | null; meanBitrateKbps: number | null; meanFps: number | null; lostPackets: number; lastClockOffsetMs: number | null; samples: number };
}
export interface DeviceCardView { device: DeviceView; tickets: TicketView[]; health: HealthHistory; readiness: ReadinessLast[]; limits: { cameraClockDriftMs: number } }

/** A gap between rows longer than this many row spans is a period nobody measured. */
const GAP_FACTOR = 2.5;

/** `camera`: false for a device that does not record (its recording share is not a figure: null). */
export function healthHistory(rows: readonly HealthSampleRow[], fromMs: number, toMs: number, camera = true): HealthHistory {
  const points: HealthPoint[] = rows.map((r) => ({ atMs: r.at_ms, spanMs: r.span_ms, onlineRatio: r.online_permille / 1000, recordingRatio: r.recording_permille / 1000, bitrateKbps: r.bitrate_kbps, fps: r.fps_x100 === null ? null : r.fps_x100 / 100, lostPackets: r.lost_packets, clockOffsetMs: r.clock_offset_ms }));
  const spans: StatusSpan[] = [];
  const push = (fromMs: number, toMs: number, state: StatusSpan['state']) => {
    const last = spans[spans.length - 1];
    if (last && last.state === state && last.toMs >= fromMs) last.toMs = Math.max(last.toMs, toMs);
    else spans.push({ fromMs, toMs, state });
  };
  let prevEnd: number | null = null;
  for (const p of points) {
    if (prevEnd !== null && p.atMs - prevEnd > p.spanMs * (GAP_FACTOR - 1)) push(prevEnd, p.atMs, 'unknown');
    // An hour row is online when the camera was online most of the hour (the ratio is on the point).
    push(prevEnd !== null && p.atMs - prevEnd <= p.spanMs * (GAP_FACTOR - 1) ? prevEnd : p.atMs, p.atMs + p.spanMs, p.onlineRatio >= 0.5 ? 'online' : 'offline');
    prevEnd = p.atMs + p.spanMs;
  }
  const weight = points.reduce((n, p) => n + p.spanMs, 0);
  const wmean = (f: (p: HealthPoint) => number | null) => {
    let sum = 0;
    let w = 0;
    for (const p of points) {
      const v = f(p);
      if (v === null) continue;
      sum += v * p.spanMs;
      w += p.spanMs;
    }
    return w === 0 ? null : sum / w;
  };
  const samples = rows.reduce((n, r) => n + r.samples, 0);
  const lastClock = [...points].reverse().find((p) => p.clockOffsetMs !== null)?.clockOffsetMs ?? null;
  return {
    fromMs, toMs, points, spans,
    summary: { onlineRatio: weight ? wmean((p) => p.onlineRatio) : null, recordingRatio: weight && camera ? wmean((p) => p.recordingRatio) : null, meanBitrateKbps: wmean((p) => p.bitrateKbps), meanFps: wmean((p) => p.fps), lostPackets: points.reduce((n, p) => n + (p.lostPackets ?? 0), 0), lastClockOffsetMs: lastClock, samples },
  };
}

/** Health rows and readiness results of a device the actor may read (the caller checked the device itself). */
export async function readHealth(store: Store, actor: Actor, device: DeviceView, fromMs: number, toMs: number): Promise<{ health: HealthHistory; readiness: ReadinessLast[] }> {
  const r = repos(store.db).deviceHealth;
  const rows = (await r.list(actor.scope, device.id, fromMs)).filter((x) => x.at_ms < toMs);
  const readiness = device.cameraId === null ? [] : (await r.lastReadiness(device.cameraId)).map((x) => ({ probe: x.probe, verdict: x.verdict, value: x.value, reason: x.reason, measuredAtMs: x.measured_at_ms }));
  return { health: healthHistory(rows, fromMs, toMs, device.cameraId !== null), readiness };
}
