// Frames of the bundled 720p25 clip (assets/clips/main.h264), as a camera session would deliver
// them, for recording tests with simulated time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { groupH264AccessUnits } from '../../src/media/h264/access-unit.ts';
import { splitAnnexB } from '../../src/media/h264/annexb.ts';
import { h264NalType } from '../../src/media/h264/nal.ts';
import { h264VideoParams } from '../../src/media/h264/params.ts';
import type { VideoFrame, VideoParams } from '../../src/media/types.ts';

export const CLIP_DIR = path.resolve(import.meta.dirname, '../../assets/clips');
export const FRAME_90K = 3600; // 25 fps

export interface Clip {
  params: VideoParams;
  /** Access units, NAL units without start codes. */
  units: Uint8Array[][];
  keyframe: boolean[];
}

export function loadMainClip(file = 'main.h264'): Clip {
  const units = groupH264AccessUnits(splitAnnexB(readFileSync(path.join(CLIP_DIR, file))));
  const all = units.flat();
  const sps = all.find((n) => h264NalType(n) === 7)!;
  const pps = all.find((n) => h264NalType(n) === 8)!;
  return { params: h264VideoParams(sps, pps), units, keyframe: units.map((u) => u.some((n) => h264NalType(n) === 5)) };
}

/** The clip looped: frame i of a session that started at pts0 and wall clock t0. */
export function clipFrame(clip: Clip, i: number, pts0: number, receivedAtMs: number, first: boolean): VideoFrame {
  const k = i % clip.units.length;
  return { kind: 'video', pts90k: pts0 + i * FRAME_90K, keyframe: clip.keyframe[k], nalus: clip.units[k], receivedAtMs, newParams: first ? clip.params : undefined };
}
