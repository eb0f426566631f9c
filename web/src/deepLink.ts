// Deep links between pages (issue 14 item 5): `#/playback?cameraId=7&atMs=…` opens a camera's
// recording at a moment; `#/wall?cameraId=7` opens it live full screen.
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
