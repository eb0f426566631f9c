// The standard profile cameras are judged against (R-CITY-4, R-PRE-3): codec, resolution, frame
// rate, bitrate range, GOP and audio. Copied into each campaign when it opens, so later edits do
// not change old verdicts. Pure: no I/O.
import { z } from 'zod';
import type { ReadinessVerdict, RoomKind } from '../store/schema.ts';

export const profileSchema = z
  .object({
    codecs: z.array(z.enum(['h264', 'h265'])).min(1),
    minWidth: z.number().int().min(16).max(8192),
    minHeight: z.number().int().min(16).max(8192),
    minFps: z.number().min(1).max(120),
    maxFps: z.number().min(1).max(120),
    minBitrateKbps: z.number().int().min(1).max(100_000),
    maxBitrateKbps: z.number().int().min(1).max(100_000),
    /** Longest keyframe interval, frames. */
    maxGopFrames: z.number().int().min(1).max(1000),
    /** Rooms whose cameras must carry sound. */
    audioRoomKinds: z.array(z.enum(['exam', 'lab', 'affairs', 'secrecy', 'monitoring', 'other'])),
  })
  .strict();
export type StandardProfile = z.infer<typeof profileSchema>;

export const DEFAULT_PROFILE: StandardProfile = {
  codecs: ['h264', 'h265'],
  minWidth: 1280,
  minHeight: 720,
  minFps: 20,
  maxFps: 30,
  minBitrateKbps: 512,
  maxBitrateKbps: 8192,
  maxGopFrames: 100,
  audioRoomKinds: ['exam', 'lab'],
};

/** What a capture measured about a stream. */
export interface StreamFacts {
  codec?: 'h264' | 'h265';
  width?: number;
  height?: number;
  /** From pts spacing of the captured frames. */
  fps?: number;
  /** Payload bytes over the captured duration, kbit/s. */
  bitrateKbps?: number;
  /** Frames between the two keyframes seen; undefined when only one keyframe came. */
  gopFrames?: number;
  /** Audio frames arrived during the capture. */
  audio: boolean;
}

export interface Judgement {
  verdict: ReadinessVerdict;
  value: string;
  rule: string;
  reason: string | null;
}

export function profileRule(p: StandardProfile, audioNeeded: boolean): string {
  return `${p.codecs.map((c) => c.toUpperCase()).join('/')} ≥${p.minWidth}×${p.minHeight} ${p.minFps}–${p.maxFps} fps ${p.minBitrateKbps}–${p.maxBitrateKbps} kbit/s GOP≤${p.maxGopFrames}${audioNeeded ? ' 有音频 (audio)' : ''}`;
}

export function describeFacts(f: StreamFacts): string {
  const parts = [f.codec?.toUpperCase() ?? '?', f.width && f.height ? `${f.width}×${f.height}` : '?×?', f.fps !== undefined ? `${f.fps.toFixed(1)} fps` : '? fps', f.bitrateKbps !== undefined ? `${Math.round(f.bitrateKbps)} kbit/s` : '? kbit/s', f.gopFrames !== undefined ? `GOP ${f.gopFrames}` : 'GOP ?', f.audio ? '有音频' : '无音频'];
  return parts.join(' ');
}

/**
 * Every profile item judged separately; the reason lists each failing item with its value. An
 * unmeasured GOP (one keyframe in the window) is a warn, not a pass.
 */
export function judgeProfile(p: StandardProfile, f: StreamFacts, roomKind: RoomKind): Judgement {
  const audioNeeded = p.audioRoomKinds.includes(roomKind);
  const fails: string[] = [];
  const warns: string[] = [];
  if (!f.codec || !p.codecs.includes(f.codec)) fails.push(`编码 ${f.codec ?? '未知'} 不在 ${p.codecs.join('/')} (codec)`);
  if (f.width === undefined || f.height === undefined) fails.push('分辨率未知 (resolution unknown)');
  else if (f.width < p.minWidth || f.height < p.minHeight) fails.push(`分辨率 ${f.width}×${f.height} 低于 ${p.minWidth}×${p.minHeight} (resolution)`);
  if (f.fps === undefined) fails.push('帧率未知 (frame rate unknown)');
  else if (f.fps < p.minFps - 0.5 || f.fps > p.maxFps + 0.5) fails.push(`帧率 ${f.fps.toFixed(1)} 不在 ${p.minFps}–${p.maxFps} (fps)`);
  if (f.bitrateKbps === undefined) fails.push('码率未知 (bitrate unknown)');
  else if (f.bitrateKbps < p.minBitrateKbps || f.bitrateKbps > p.maxBitrateKbps) fails.push(`码率 ${Math.round(f.bitrateKbps)} kbit/s 不在 ${p.minBitrateKbps}–${p.maxBitrateKbps} (bitrate)`);
  if (f.gopFrames === undefined) warns.push('GOP 未测得 (only one keyframe seen)');
  else if (f.gopFrames > p.maxGopFrames) fails.push(`GOP ${f.gopFrames} 帧超过 ${p.maxGopFrames} (GOP)`);
  if (audioNeeded && !f.audio) fails.push('要求音频但无音频 (audio required, none)');
  const verdict: ReadinessVerdict = fails.length ? 'fail' : warns.length ? 'warn' : 'pass';
  return { verdict, value: describeFacts(f), rule: profileRule(p, audioNeeded), reason: fails.length || warns.length ? [...fails, ...warns].join('; ') : null };
}
