// Camera lists for a whole simulated exam site: every exam room (考场) has a front and a rear
// camera; audio alternates like a mixed Hikvision (G.711) / Dahua (AAC) estate.
import type { SimAudio, SimCameraConfig } from './simulator.ts';

export interface SimSiteOptions {
  rooms: number;
  /** Cameras per room (default 2: front, rear). */
  camerasPerRoom?: number;
  /** Prefix of camera ids (default 'site1'). */
  siteId?: string;
  /** Audio of every camera, or 'mixed' (default): front cameras PCMA, rear cameras AAC, others none. */
  audio?: SimAudio | 'mixed';
  /** Clock offsets (ms) to apply to specific camera ids (R-PRE-6). */
  clockOffsets?: Record<string, number>;
}

export interface SimSiteCamera extends SimCameraConfig {
  room: number;
  /** 'front' | 'rear' | 'cam3'... */
  position: string;
}

const POSITIONS = ['front', 'rear'];

export function simulateSite(opts: SimSiteOptions): SimSiteCamera[] {
  const per = opts.camerasPerRoom ?? 2;
  if (!Number.isInteger(opts.rooms) || opts.rooms < 0) throw new RangeError('rooms must be a non-negative integer');
  if (!Number.isInteger(per) || per < 1) throw new RangeError('camerasPerRoom must be a positive integer');
  const site = opts.siteId ?? 'site1';
  const width = Math.max(3, String(opts.rooms).length);
  const out: SimSiteCamera[] = [];
  for (let r = 1; r <= opts.rooms; r++) {
    for (let c = 0; c < per; c++) {
      const position = POSITIONS[c] ?? `cam${c + 1}`;
      const id = `${site}-r${String(r).padStart(width, '0')}-${position}`;
      const audio: SimAudio = !opts.audio || opts.audio === 'mixed' ? (c === 0 ? 'pcma' : c === 1 ? 'aac' : 'none') : opts.audio;
      const cam: SimSiteCamera = { id, room: r, position, audio };
      const off = opts.clockOffsets?.[id];
      if (off !== undefined) cam.clockOffsetMs = off;
      out.push(cam);
    }
  }
  return out;
}
