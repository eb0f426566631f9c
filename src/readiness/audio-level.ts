// Sound level of captured audio (R-PRE-3: "sound" checked before the exam), in dBFS as ffmpeg's
// volumedetect filter defines it. G.711 is decoded and measured here (src/media/g711/level.ts, no
// process per camera); AAC is decoded to 16-bit PCM by ffmpeg (wrapped in ADTS headers built from
// the AudioSpecificConfig) and measured here the same way. Digital silence reads about −91 dBFS; the simulator's tone
// −31.5 dBFS; a room microphone in a quiet exam room typically −50…−35 dBFS.
import { spawn } from 'node:child_process';
import { g711Level, s16leLevel } from '../media/g711/level.ts';
import type { AudioParams } from '../media/types.ts';
import type { Judgement } from './profile.ts';

export const AUDIO_THRESHOLDS = {
  /** At or below: no sound at all (dead or unplugged microphone). */
  silentFailDb: -70,
  /** At or below: very quiet; a person should listen. */
  quietWarnDb: -60,
  /** Peaks at or above: clipping. */
  clippingWarnDb: -0.5,
} as const;
const T = AUDIO_THRESHOLDS;
export const AUDIO_LEVEL_RULE = `平均电平 > ${T.silentFailDb} dBFS 合格 (> ${T.quietWarnDb} 无警告)，峰值 < ${T.clippingWarnDb} dBFS`;

export interface AudioLevel {
  meanDb: number;
  maxDb: number;
}

/** ADTS header (7 bytes, no CRC) for one raw AAC frame of `len` bytes. */
export function adtsHeader(config: Uint8Array, len: number): Buffer {
  const objectType = config[0] >> 3;
  const freqIndex = ((config[0] & 0x07) << 1) | (config[1] >> 7);
  const channels = (config[1] >> 3) & 0x0f;
  const full = len + 7;
  return Buffer.from([
    0xff,
    0xf1,
    (((objectType - 1) & 0x03) << 6) | (freqIndex << 2) | (channels >> 2),
    ((channels & 0x03) << 6) | (full >> 11),
    (full >> 3) & 0xff,
    ((full & 0x07) << 5) | 0x1f,
    0xfc,
  ]);
}

/** AAC frames as an ADTS stream ffmpeg reads from a pipe; undefined without an AudioSpecificConfig. */
export function adtsStream(frames: readonly Uint8Array[], p: AudioParams): Buffer | undefined {
  const cfg = p.aacConfig;
  if (!cfg || cfg.length < 2) return undefined;
  return Buffer.concat(frames.flatMap((f) => [adtsHeader(cfg, f.length), Buffer.from(f)]));
}

/** Decodes and measures; undefined when the frames cannot be measured (reason in `error`). */
export function measureAudioLevel(frames: readonly Uint8Array[], p: AudioParams, opts: { timeoutMs: number; ffmpeg?: string }): Promise<AudioLevel | { error: string }> {
  if (p.codec !== 'aac') return Promise.resolve(g711Level(p.codec, frames) ?? { error: '无可解码的音频 (no decodable audio)' });
  const data = adtsStream(frames, p);
  if (!data || data.length === 0) return Promise.resolve({ error: '无可解码的音频 (no decodable audio)' });
  // Decoded to 16-bit PCM and measured here, as the keyframe decoder does (src/readiness/decode.ts).
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'aac', '-i', 'pipe:0', '-c:a', 'pcm_s16le', '-f', 's16le', 'pipe:1'];
  const proc = spawn(opts.ffmpeg ?? process.env.XUNCHA_FFMPEG ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const pcm: Buffer[] = [];
  proc.stdout.on('data', (b: Buffer) => pcm.push(b));
  proc.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-8000);
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs);
    proc.on('error', (err) => resolve({ error: `spawn: ${err.message}` }));
    proc.on('close', () => {
      clearTimeout(timer);
      resolve(s16leLevel(Buffer.concat(pcm)) ?? { error: `音频无法解码 (audio does not decode): ${stderr.trim().split('\n').pop() ?? ''}`.slice(0, 300) });
    });
    proc.stdin.on('error', () => undefined);
    proc.stdin.end(data);
  });
}

/** The audio verdict: presence, then level, where the room needs sound (profile.audioRoomKinds). */
export function judgeAudio(frameCount: number, level: AudioLevel | { error: string } | undefined, audioNeeded: boolean): Judgement {
  const rule = audioNeeded ? `本房间须有声音：${AUDIO_LEVEL_RULE}` : '本房间不要求音频';
  if (frameCount === 0) return { verdict: audioNeeded ? 'fail' : 'pass', value: '无音频 (no audio)', rule, reason: audioNeeded ? '要求音频但未收到音频 (no sound)' : null };
  if (!level || 'error' in level) return { verdict: audioNeeded ? 'fail' : 'warn', value: `音频帧 ${frameCount}`, rule, reason: level && 'error' in level ? level.error : '未测得电平 (level not measured)' };
  const value = `平均 ${level.meanDb.toFixed(1)} dBFS，峰值 ${level.maxDb.toFixed(1)} dBFS (${frameCount} 帧)`;
  if (!audioNeeded) return { verdict: 'pass', value, rule, reason: null };
  if (level.meanDb <= T.silentFailDb) return { verdict: 'fail', value, rule, reason: '无声：麦克风无信号 (silent: microphone dead or unplugged)' };
  if (level.meanDb <= T.quietWarnDb) return { verdict: 'warn', value, rule, reason: '声音很低，请人工试听 (very quiet: listen to it)' };
  if (level.maxDb >= T.clippingWarnDb) return { verdict: 'warn', value, rule, reason: '声音削波失真 (clipping)' };
  return { verdict: 'pass', value, rule, reason: null };
}
