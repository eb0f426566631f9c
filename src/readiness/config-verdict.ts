// The `config` probe (R-CITY-4): what the camera says it is configured to send (ONVIF GetProfiles:
// encoding, resolution, frame-rate limit, bitrate limit, GOV length) against what its stream
// delivered during the capture. A difference means the recorder is not pulling the stream people
// think (a sub stream, a second profile) or the encoder does not keep its settings (a frame rate
// it cannot reach in low light, a bitrate far above its limit, which the site's bandwidth budget
// is based on). Warn, not fail: the `profile` probe judges the delivered stream against the
// standard; this one says where a difference comes from. Pure.
import type { MediaProfile } from '../onvif/parse.ts';
import type { Judgement, StreamFacts } from './profile.ts';

export const CONFIG_RULE = '实测码流与摄像机 ONVIF 主码流配置一致：编码、分辨率相同，帧率 ±10%，码率 ≤ 上限 ×1.3，GOP 相同 (stream as configured)';
/** A VBR camera stays under its limit; CBR overshoots by a few % around keyframes. */
const BITRATE_TOLERANCE = 1.3;
const FPS_TOLERANCE = 0.1;

const describe = (p: MediaProfile) => `${p.encoding} ${p.width}×${p.height} ${p.fps ?? '?'} fps ≤${p.bitrateKbps ?? '?'} kbit/s GOP ${p.govLength ?? '?'}`;
const codecOf = (e: string) => (e === 'H264' ? 'h264' : e === 'H265' || e === 'HEVC' ? 'h265' : e.toLowerCase());

export function judgeConfig(profiles: readonly MediaProfile[], f: StreamFacts): Judgement {
  const main = profiles[0];
  const measured = `${f.codec?.toUpperCase() ?? '?'} ${f.width ?? '?'}×${f.height ?? '?'} ${f.fps?.toFixed(1) ?? '?'} fps ${f.bitrateKbps !== undefined ? Math.round(f.bitrateKbps) : '?'} kbit/s GOP ${f.gopFrames ?? '?'}`;
  if (!main) return { verdict: 'warn', value: `实测 ${measured}`, rule: CONFIG_RULE, reason: '摄像机未提供视频配置 (GetProfiles gave no video profile)' };
  // The delivered stream is the profile with its resolution; the first is the main stream.
  const idx = profiles.findIndex((p) => p.width === f.width && p.height === f.height);
  const p = idx >= 0 ? profiles[idx] : main;
  const value = `配置 ${describe(p)}；实测 ${measured}`.slice(0, 256);
  const diffs: string[] = [];
  if (idx < 0) diffs.push(`分辨率 ${f.width ?? '?'}×${f.height ?? '?'} 与摄像机的各码流配置均不符（主码流 ${main.width}×${main.height}）`);
  else if (idx > 0) diffs.push(`录取的是第 ${idx + 1} 码流「${p.name}」而非主码流「${main.name}」${main.width}×${main.height} (not the main stream)`);
  if (f.codec && codecOf(p.encoding) !== f.codec) diffs.push(`编码 ${f.codec.toUpperCase()} 与配置 ${p.encoding} 不符`);
  if (p.fps !== undefined && f.fps !== undefined && Math.abs(f.fps - p.fps) > p.fps * FPS_TOLERANCE) diffs.push(`帧率 ${f.fps.toFixed(1)} 与配置 ${p.fps} 相差超过 10%`);
  if (p.bitrateKbps !== undefined && f.bitrateKbps !== undefined && f.bitrateKbps > p.bitrateKbps * BITRATE_TOLERANCE) diffs.push(`码率 ${Math.round(f.bitrateKbps)} kbit/s 超过配置上限 ${p.bitrateKbps} 的 1.3 倍`);
  if (p.govLength !== undefined && f.gopFrames !== undefined && f.gopFrames !== p.govLength) diffs.push(`GOP ${f.gopFrames} 帧与配置 ${p.govLength} 不符`);
  return diffs.length ? { verdict: 'warn', value, rule: CONFIG_RULE, reason: diffs.join('；') } : { verdict: 'pass', value, rule: CONFIG_RULE, reason: null };
}
