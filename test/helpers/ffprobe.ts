// What ffprobe (an independent reader) sees in a file.
import { execFileSync } from 'node:child_process';

export interface Probe {
  codec: string;
  width: number;
  height: number;
  frames: number;
  durationS: number;
  audioCodec?: string;
}

export function ffprobe(file: string): Probe {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out) as { streams: Array<Record<string, string | number>>; format: { duration?: string } };
  const v = j.streams.find((s) => s.codec_type === 'video')!;
  const a = j.streams.find((s) => s.codec_type === 'audio');
  return {
    codec: String(v.codec_name),
    width: Number(v.width),
    height: Number(v.height),
    frames: Number(v.nb_read_frames),
    durationS: Number(j.format.duration ?? v.duration),
    audioCodec: a ? String(a.codec_name) : undefined,
  };
}
