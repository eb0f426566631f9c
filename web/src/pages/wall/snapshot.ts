// 抓图 (issue 14 item 8): the tile's current picture at its full decoded size, with a caption
// (room · camera · Beijing time) burnt in at the bottom, saved as a JPEG by the browser; the
// server records who took it (POST /api/live/snapshot, audited like the viewing).
import { request } from '../../api.ts';
import { formatBeijing } from '../../time.ts';

export function snapshotFileName(roomName: string, cameraName: string, atMs: number): string {
  const stamp = formatBeijing(atMs).replace(/[-: ]/g, '').replace(/^(\d{8})(\d{6})$/, '$1-$2');
  return `抓图_${roomName}_${cameraName}_${stamp}.jpg`.replace(/[\\/:*?"<>|]/g, '_');
}

/** Draws the frame and caption; undefined when the video has no picture yet. */
export function captureFrame(video: HTMLVideoElement, caption: string): Promise<Blob | undefined> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) return Promise.resolve(undefined);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.resolve(undefined);
  ctx.drawImage(video, 0, 0, w, h);
  const fontPx = Math.max(12, Math.round(h / 28));
  ctx.fillStyle = 'rgba(0,0,0,0.55)';
  ctx.fillRect(0, h - fontPx * 1.6, w, fontPx * 1.6);
  ctx.fillStyle = '#fff';
  ctx.font = `${fontPx}px sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.fillText(caption, fontPx * 0.5, h - fontPx * 0.8);
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b ?? undefined), 'image/jpeg', 0.92));
}

export async function saveSnapshot(video: HTMLVideoElement, cam: { id: number; name: string; roomName: string }): Promise<string | undefined> {
  const atMs = Date.now();
  const blob = await captureFrame(video, `${cam.roomName} · ${cam.name}  ${formatBeijing(atMs)}`);
  if (!blob) return undefined;
  await request('POST', '/api/live/snapshot', { cameraId: cam.id });
  const name = snapshotFileName(cam.roomName, cam.name, atMs);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  return name;
}
