// Picture-fault clips of the simulator (scripts/make-fault-clips.sh): what a camera shows when it is
// capped, covered, out of focus, frozen or turned away, and a dead microphone (silence). Same structure as main.h264, so a camera
// switches to one at a keyframe. Optional: a clips directory without them simply has no picture
// faults (the fault API says so).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAdts, loadAlaw, loadVideo, type AudioClip, type VideoClip } from './clips.ts';

export const PICTURE_FAULTS = ['black', 'covered', 'blur', 'frozen', 'moved'] as const;
export type PictureFault = (typeof PICTURE_FAULTS)[number];
export type FaultClips = Partial<Record<PictureFault, VideoClip>> & { silence?: { aac?: AudioClip; pcma?: AudioClip } };

const cache = new Map<string, Promise<FaultClips>>();

async function load(dir: string): Promise<FaultClips> {
  const out: FaultClips = {};
  for (const kind of PICTURE_FAULTS) {
    const file = path.join(dir, `fault-${kind}.h264`);
    if (!existsSync(file)) continue;
    out[kind] = loadVideo(`fault-${kind}.h264`, 'h264', await readFile(file), { width: 1280, height: 720, fps: 25, gop: 50, bitrate: 1_000_000 });
  }
  const aac = path.join(dir, 'fault-silence.aac');
  const alaw = path.join(dir, 'fault-silence.alaw');
  out.silence = {
    ...(existsSync(aac) ? { aac: loadAdts('fault-silence.aac', await readFile(aac)) } : {}),
    ...(existsSync(alaw) ? { pcma: loadAlaw('fault-silence.alaw', await readFile(alaw)) } : {}),
  };
  return out;
}

/** Loads (once per process and directory) and pre-packetizes the picture-fault clips found in `dir`. */
export function loadFaultClips(dir: string): Promise<FaultClips> {
  const key = path.resolve(dir);
  let p = cache.get(key);
  if (!p) {
    p = load(key);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
