// Requests of the 存储与证据 page, typed with the server's own view types (type-only imports: one
// source, nothing of the server bundled). Routes: src/api/routes/retention.ts, recordings.ts, exams.ts.
import { request } from '../../api.ts';
import type { BackupReport, BackupView } from '../../../../src/backup/views.ts';
import type { BackupVerifyResult } from '../../../../src/backup/verify.ts';
import type { WindowDefaults } from '../../../../src/exams/windows.ts';
import type { ScheduleView } from '../../../../src/recording/recording-service.ts';
import type { Forecast, HoldView, RetentionAlarmView, RetentionRunReport, RetentionSettings } from '../../../../src/retention/index.ts';
import type { OrgNode } from '../../types.ts';

export type { BackupReport, BackupView, BackupVerifyResult, Forecast, HoldView, RetentionAlarmView, RetentionSettings, ScheduleView, WindowDefaults };

export const storageApi = {
  holds: (all: boolean) => request<{ holds: HoldView[] }>('GET', `/api/evidence-holds?all=${all ? '1' : '0'}`),
  createHold: (b: { cameraId: number; fromMs: number; toMs: number; reason: string }) => request<HoldView>('POST', '/api/evidence-holds', b),
  releaseHold: (id: number, reason: string) => request<HoldView>('POST', `/api/evidence-holds/${id}/release`, { reason }),

  backups: () => request<{ backups: BackupView[] }>('GET', '/api/backups'),
  createBackup: (b: { examId?: number; sessionId?: number; cameraIds?: number[]; fromMs: number; toMs: number }) => request<BackupView>('POST', '/api/backups', b),
  backupReport: (id: number) => request<BackupReport>('GET', `/api/backups/${id}/report`),
  verifyBackup: (id: number) => request<BackupVerifyResult>('POST', `/api/backups/${id}/verify`, {}),

  settings: () => request<RetentionSettings>('GET', '/api/retention/settings'),
  saveSettings: (b: Partial<RetentionSettings>) => request<RetentionSettings>('PUT', '/api/retention/settings', b),
  forecast: () => request<Forecast>('GET', '/api/retention/forecast'),
  diskAlarms: () => request<{ alarms: RetentionAlarmView[] }>('GET', '/api/retention/alarms'),
  runRetention: () => request<RetentionRunReport>('POST', '/api/retention/run', {}),

  windowDefaults: (siteId: number) => request<WindowDefaults>('GET', `/api/exam-settings/${siteId}`),
  saveWindowDefaults: (siteId: number, b: WindowDefaults) => request<WindowDefaults>('PUT', `/api/exam-settings/${siteId}`, b),

  schedules: (cameraId: number) => request<{ schedules: ScheduleView[] }>('GET', `/api/cameras/${cameraId}/schedules`),
  addSchedule: (cameraId: number, b: { startMs: number; endMs: number; reason: string }) => request<{ id: number }>('POST', `/api/cameras/${cameraId}/schedules`, b),
  deleteSchedule: (cameraId: number, id: number) => request<{ ok: boolean }>('DELETE', `/api/cameras/${cameraId}/schedules/${id}`),
};

export interface CameraOption { value: number; label: string }

/** Cameras of the org tree as "考点 / 房间 / 摄像机" options and an id → name map (names shown instead of ids). */
export function cameraOptions(nodes: OrgNode[]): { options: CameraOption[]; names: Map<number, string>; sites: OrgNode[] } {
  const options: CameraOption[] = [];
  const names = new Map<number, string>();
  for (const n of nodes) {
    for (const r of n.rooms ?? []) {
      for (const c of r.cameras) {
        const label = `${n.name} / ${r.name} / ${c.name}`;
        options.push({ value: c.id, label });
        names.set(c.id, label);
      }
    }
  }
  return { options, names, sites: nodes.filter((n) => n.kind === 'site') };
}

/** Bytes as GB/MB with one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}
