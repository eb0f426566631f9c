// Verdicts on decoded pictures (R-PRE-3: image not dark, blurred or blocked; R-PRE-3 reference
// snapshot). Thresholds and the reasons for them: docs/design/readiness.md. Pure.
import type { GrayFrame } from './picture-metrics.ts';
import { downscale, meanAbsDiff, pictureStats, sceneDistance } from './picture-metrics.ts';
import type { Judgement } from './profile.ts';

export const PICTURE_THRESHOLDS = {
  darkFail: 25,
  darkWarn: 45,
  brightFail: 235,
  brightWarn: 215,
  clippedFail: 0.5,
  clippedWarn: 0.25,
  uniformFail: 6,
  uniformWarn: 12,
  blurFail: 5,
  blurWarn: 8,
  /** Largest consecutive-frame difference at or below which pictures count as frozen. */
  frozenMaxDiff: 0.05,
  /** Frozen is only judged over at least this span of decoded pictures, ms. */
  frozenMinSpanMs: 1500,
  movedFail: 0.5,
  movedWarn: 0.3,
} as const;

const T = PICTURE_THRESHOLDS;
export const PICTURE_RULE = `亮度 ${T.darkWarn}–${T.brightWarn}, 标准差 ≥${T.uniformWarn}, 清晰度 ≥${T.blurWarn}, 过曝 ≤${T.clippedWarn * 100}%, 画面须变化 (not frozen)`;
export const MOVED_RULE = `与签字参考画面差异 ≤${T.movedWarn} (1−NCC, 64×36)`;

/**
 * Judges decoded frames (in time order, `spanMs` between the first and last). The worst finding
 * decides the verdict; every finding is listed in the reason.
 */
export function judgePicture(frames: readonly GrayFrame[], spanMs: number): Judgement {
  if (frames.length === 0) return { verdict: 'fail', value: '无画面 (no picture decoded)', rule: PICTURE_RULE, reason: '未能解码出画面 (no picture could be decoded)' };
  const stats = frames.map(pictureStats);
  const avg = (k: 'meanLuma' | 'stdLuma' | 'clippedShare' | 'sharpness') => stats.reduce((s, x) => s + x[k], 0) / stats.length;
  const mean = avg('meanLuma');
  const std = avg('stdLuma');
  const clipped = avg('clippedShare');
  const sharp = avg('sharpness');
  let maxDiff = 0;
  for (let i = 1; i < frames.length; i++) maxDiff = Math.max(maxDiff, meanAbsDiff(frames[i - 1], frames[i]));
  const fails: string[] = [];
  const warns: string[] = [];
  const flag = (bad: boolean, worse: boolean, text: string) => {
    if (worse) fails.push(text);
    else if (bad) warns.push(text);
  };
  flag(mean < T.darkWarn, mean < T.darkFail, `画面过暗 亮度 ${mean.toFixed(0)} (too dark)`);
  flag(mean > T.brightWarn, mean > T.brightFail, `画面过曝 亮度 ${mean.toFixed(0)} (overexposed)`);
  flag(clipped > T.clippedWarn, clipped > T.clippedFail, `过曝像素 ${(clipped * 100).toFixed(0)}% (clipped)`);
  const uniform = std < T.uniformWarn;
  flag(uniform, std < T.uniformFail, `画面单一/被遮挡 标准差 ${std.toFixed(1)} (uniform or covered)`);
  // A flat picture has no edges: call it covered, not also blurred.
  if (!uniform) flag(sharp < T.blurWarn, sharp < T.blurFail, `画面模糊 清晰度 ${sharp.toFixed(1)} (out of focus)`);
  if (frames.length >= 2 && spanMs >= T.frozenMinSpanMs && maxDiff <= T.frozenMaxDiff) fails.push(`画面冻结 ${(spanMs / 1000).toFixed(1)} 秒无变化 (frozen)`);
  const value = `亮度 ${mean.toFixed(0)} 标准差 ${std.toFixed(1)} 清晰度 ${sharp.toFixed(1)} 过曝 ${(clipped * 100).toFixed(0)}% 帧间差 ${maxDiff.toFixed(2)} (${frames.length} 帧/${(spanMs / 1000).toFixed(1)} 秒)`;
  return { verdict: fails.length ? 'fail' : warns.length ? 'warn' : 'pass', value, rule: PICTURE_RULE, reason: fails.length || warns.length ? [...fails, ...warns].join('; ') : null };
}

export const THUMB_W = 64;
export const THUMB_H = 36;

export function thumbnail(f: GrayFrame): GrayFrame {
  return downscale(f, THUMB_W, THUMB_H);
}

/** Current picture against the signed reference thumbnail; no reference or a stale one is a warn. */
export function judgeMoved(current: GrayFrame | undefined, reference: { thumb: GrayFrame; stale: boolean } | undefined): Judgement {
  if (!reference) return { verdict: 'warn', value: '无参考画面 (no reference)', rule: MOVED_RULE, reason: '参考画面尚未签字 (reference snapshot not signed)' };
  if (!current) return { verdict: 'fail', value: '无画面 (no picture)', rule: MOVED_RULE, reason: '无法与参考画面比对 (no picture to compare)' };
  const d = sceneDistance(thumbnail(current), reference.thumb);
  const value = `差异 ${d.toFixed(2)}`;
  if (d > T.movedFail) return { verdict: 'fail', value, rule: MOVED_RULE, reason: `画面与签字参考不符，摄像机可能被移动 (scene differs from the signed reference: ${d.toFixed(2)})` };
  if (d > T.movedWarn) return { verdict: 'warn', value, rule: MOVED_RULE, reason: `画面与参考有差异 (scene differs somewhat: ${d.toFixed(2)})` };
  if (reference.stale) return { verdict: 'warn', value, rule: MOVED_RULE, reason: '摄像机签字后已更改，需重新签字 (camera changed since signing: re-sign needed)' };
  return { verdict: 'pass', value, rule: MOVED_RULE, reason: null };
}
