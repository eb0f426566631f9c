// Exam status of the wall's cameras (考试中 / 已封门 / 空闲, issue 14 item 8): one request for every
// tile on the page, repeated every 30 s, shared by the tiles through a small subscription store.
import { useEffect, useState } from 'react';
import { request } from '../../api.ts';
import type { RoomExamStatus } from '../../../../src/exams/room-status.ts';

export type { RoomExamStatus } from '../../../../src/exams/room-status.ts';

const REFRESH_MS = 30_000;
const watchers = new Map<number, Set<(s: RoomExamStatus | undefined) => void>>();
const latest = new Map<number, RoomExamStatus>();
let timer: number | undefined;
let pending: number | undefined;

async function refresh(): Promise<void> {
  const ids = [...watchers.keys()].slice(0, 64);
  if (!ids.length) return;
  try {
    const { statuses } = await request<{ statuses: RoomExamStatus[] }>('GET', `/api/live/exam-status?cameraIds=${ids.join(',')}`);
    for (const s of statuses) latest.set(s.cameraId, s);
    for (const id of ids) for (const fn of watchers.get(id) ?? []) fn(latest.get(id));
  } catch {
    /* the next round tries again; tiles keep what they showed */
  }
}

/** Soon after tiles change (one request for a whole wall being filled). */
function schedule(): void {
  window.clearTimeout(pending);
  pending = window.setTimeout(() => void refresh(), 150);
  if (timer === undefined) timer = window.setInterval(() => void refresh(), REFRESH_MS);
}

export function useExamStatus(cameraId: number | undefined): RoomExamStatus | undefined {
  const [status, setStatus] = useState<RoomExamStatus | undefined>(cameraId === undefined ? undefined : latest.get(cameraId));
  useEffect(() => {
    if (cameraId === undefined) {
      setStatus(undefined);
      return;
    }
    setStatus(latest.get(cameraId));
    const set = watchers.get(cameraId) ?? new Set();
    set.add(setStatus);
    watchers.set(cameraId, set);
    schedule();
    return () => {
      set.delete(setStatus);
      if (set.size === 0) watchers.delete(cameraId);
      if (watchers.size === 0) {
        window.clearInterval(timer);
        timer = undefined;
      }
    };
  }, [cameraId]);
  return status;
}
