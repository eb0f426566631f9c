// Test-only: runs real encoder output through packetizer -> depacketizer -> FragmentBuilder
// and writes an fMP4 file, interleaving audio and video by media time like a live camera.

import { writeFileSync } from 'node:fs';
import type { Depacketizer, MediaFrame, RtpPacket } from '../types.ts';
import type { FragmentMeta } from './fragment-builder.ts';
import { FragmentBuilder } from './fragment-builder.ts';

export interface MuxRun {
  videoFrames: number;
  audioFrames: number;
  metas: FragmentMeta[];
  bytes: Uint8Array;
  builder: FragmentBuilder;
}

export function muxToFile(
  path: string,
  video: { d: Depacketizer; packets: RtpPacket[] } | undefined,
  audio: { d: Depacketizer; packets: RtpPacket[]; sampleRate: number } | undefined,
  fragmentDurationMs = 1000,
): MuxRun {
  const t0 = 1_700_000_000_000;
  type Ev = { tMs: number; order: number; push: () => MediaFrame[] };
  const events: Ev[] = [];
  let order = 0;
  const v0 = video?.packets[0]?.timestamp ?? 0;
  for (const p of video?.packets ?? []) {
    const tMs = (((p.timestamp - v0) >>> 0) / 90);
    events.push({ tMs, order: order++, push: () => video!.d.push(p, t0 + tMs) });
  }
  const a0 = audio?.packets[0]?.timestamp ?? 0;
  for (const p of audio?.packets ?? []) {
    // Audio is sent after the video of the same instant, so the file can start on the keyframe.
    const tMs = (((p.timestamp - a0) >>> 0) / audio!.sampleRate) * 1000 + 0.001;
    events.push({ tMs, order: order++, push: () => audio!.d.push(p, t0 + tMs) });
  }
  events.sort((a, b) => a.tMs - b.tMs || a.order - b.order);

  let builder: FragmentBuilder | undefined;
  const parts: Uint8Array[] = [];
  const metas: FragmentMeta[] = [];
  let videoFrames = 0;
  let audioFrames = 0;
  const feed = (f: MediaFrame): void => {
    const built = builder!.push(f);
    if (built) {
      parts.push(built.bytes);
      metas.push(built.meta);
    }
  };
  for (const ev of events) {
    for (const f of ev.push()) {
      if (f.kind === 'video') videoFrames++;
      else audioFrames++;
      if (!builder) {
        // Depacketizers emit the first video frame only once params are known.
        builder = new FragmentBuilder({ video: video?.d.videoParams, audio: audio?.d.audioParams, fragmentDurationMs });
        parts.push(builder.initSegment());
      }
      feed(f);
    }
  }
  const last = builder!.flush();
  if (last) {
    parts.push(last.bytes);
    metas.push(last.meta);
  }
  const bytes = Buffer.concat(parts);
  writeFileSync(path, bytes);
  return { videoFrames, audioFrames, metas, bytes: new Uint8Array(bytes), builder: builder! };
}
