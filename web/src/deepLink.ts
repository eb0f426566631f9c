// Deep links between pages (issue 14 item 5): `#/playback?cameraId=7&atMs=…` opens a camera's
// recording at a moment; `#/wall?cameraId=7` opens it live full screen.
import { useEffect, useState } from 'react';

export function hashParams(): URLSearchParams {
  const q = window.location.hash.split('?')[1] ?? '';
  return new URLSearchParams(q);
}

export const playbackLink = (cameraId: number, atMs: number) => `#/playback?cameraId=${cameraId}&atMs=${Math.round(atMs)}`;
export const liveLink = (cameraId: number) => `#/wall?cameraId=${cameraId}`;

/** A positive integer parameter of the current hash, or undefined. */
export function hashNumber(name: string): number | undefined {
  const v = Number(hashParams().get(name));
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * Counts hash changes that carry parameters. A page already open when one of its deep links is
 * clicked (the alarm banner's 实时 on 视频墙, its 回放 on 录像回放) is not mounted again, so it must
 * hear the link itself; 0 until such a change.
 */
export function useHashLinkSeq(): number {
  const [seq, setSeq] = useState(0);
  useEffect(() => {
    const onChange = () => {
      if (window.location.hash.includes('?')) setSeq((n) => n + 1);
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return seq;
}

/** Drops the parameters of a consumed link (no hashchange), so the same link clicked again is heard. */
export function clearHashParams(): void {
  const [route, query] = window.location.hash.split('?');
  if (query !== undefined) window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${route}`);
}
