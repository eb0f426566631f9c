// Loads the simulator clips (assets/clips, see scripts/make-clips.sh) once per directory and
// pre-packetizes them into RTP packet templates shared by every camera and every viewer.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { splitAnnexB } from '../media/h264/annexb.ts';
import { adtsToAudioSpecificConfig, splitAdts } from '../media/aac/adts.ts';
import { packetizeAacHbr, packetizeG711, packetizeH264, packetizeH265, type RtpPayload } from '../media/rtp/packetize/index.ts';
import { buildTemplate, type PacketTemplate } from './rtp-template.ts';

export const DEFAULT_CLIPS_DIR = fileURLToPath(new URL('../../assets/clips/', import.meta.url));

export const VIDEO_PT = 96;
export const AAC_PT = 97;
export const PCMA_PT = 8;
export const MTU = 1400;

export interface VideoClip {
  name: string;
  codec: 'h264' | 'h265';
  width: number;
  height: number;
  fps: number;
  gop: number;
  bitrate: number;
  /** Ticks of the 90 kHz clock per frame. */
  ticksPerFrame: number;
  frameDurationMs: number;
  frames: PacketTemplate[];
  sps: Uint8Array;
  pps: Uint8Array;
  vps?: Uint8Array;
}

export interface AudioClip {
  name: string;
  codec: 'aac' | 'pcma';
  payloadType: number;
  sampleRate: number;
  channels: number;
  ticksPerFrame: number;
  frameDurationMs: number;
  frames: PacketTemplate[];
  /** AudioSpecificConfig for AAC. */
  config?: Uint8Array;
}

export interface ClipSet {
  dir: string;
  video: { main: VideoClip; sub: VideoClip; h265: VideoClip };
  audio: { aac: AudioClip; pcma: AudioClip };
}

interface ClipsJson {
  clips: Record<string, { width?: number; height?: number; fps?: number; gop?: number; bitrate?: number }>;
}

/** Groups NAL units into access units at each AUD (which is dropped: cameras do not send it over RTP). */
function groupByAud(nalus: Uint8Array[], codec: 'h264' | 'h265'): Uint8Array[][] {
  const aus: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  for (const nal of nalus) {
    const type = codec === 'h264' ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f;
    const isAud = codec === 'h264' ? type === 9 : type === 35;
    if (isAud) {
      if (cur.length > 0) aus.push(cur);
      cur = [];
    } else {
      cur.push(nal);
    }
  }
  if (cur.length > 0) aus.push(cur);
  return aus;
}

function nalType(codec: 'h264' | 'h265', nal: Uint8Array): number {
  return codec === 'h264' ? nal[0] & 0x1f : (nal[0] >> 1) & 0x3f;
}

export function loadVideo(name: string, codec: 'h264' | 'h265', data: Uint8Array, meta: ClipsJson['clips'][string] | undefined): VideoClip {
  const aus = groupByAud(splitAnnexB(data), codec);
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  let vps: Uint8Array | undefined;
  const frames: PacketTemplate[] = [];
  for (const au of aus) {
    let keyframe = false;
    for (const nal of au) {
      const t = nalType(codec, nal);
      if (codec === 'h264') {
        if (t === 7) sps ??= nal;
        else if (t === 8) pps ??= nal;
        else if (t === 5) keyframe = true;
      } else {
        if (t === 32) vps ??= nal;
        else if (t === 33) sps ??= nal;
        else if (t === 34) pps ??= nal;
        else if (t >= 16 && t <= 21) keyframe = true;
      }
    }
    const payloads: RtpPayload[] = codec === 'h264' ? packetizeH264(au, { mtu: MTU }) : packetizeH265(au, { mtu: MTU });
    frames.push(buildTemplate(payloads, VIDEO_PT, keyframe));
  }
  if (!sps || !pps || frames.length === 0 || !frames[0].keyframe) throw new Error(`clip ${name}: no parameter sets or does not start with a keyframe`);
  const fps = meta?.fps ?? 25;
  return {
    name,
    codec,
    width: meta?.width ?? 0,
    height: meta?.height ?? 0,
    fps,
    gop: meta?.gop ?? 50,
    bitrate: meta?.bitrate ?? 2_000_000,
    ticksPerFrame: 90000 / fps,
    frameDurationMs: 1000 / fps,
    frames,
    sps: Uint8Array.from(sps),
    pps: Uint8Array.from(pps),
    ...(vps ? { vps: Uint8Array.from(vps) } : {}),
  };
}

export function loadAdts(name: string, data: Uint8Array): AudioClip {
  const adts = splitAdts(data);
  if (adts.length === 0) throw new Error(`clip ${name}: no ADTS frames`);
  const h = adts[0].header;
  const frames = adts.map((f) => buildTemplate([{ payload: packetizeAacHbr(f.payload), marker: true }], AAC_PT, true));
  return {
    name,
    codec: 'aac',
    payloadType: AAC_PT,
    sampleRate: h.sampleRate,
    channels: h.channels,
    ticksPerFrame: 1024,
    frameDurationMs: (1024 * 1000) / h.sampleRate,
    frames,
    config: adtsToAudioSpecificConfig(h),
  };
}

export function loadAlaw(name: string, data: Uint8Array): AudioClip {
  // Drop a trailing partial packet so that every packet is exactly 20 ms.
  const frames = packetizeG711(data.subarray(0, data.length - (data.length % 160))).map((p) =>
    buildTemplate([{ payload: p, marker: false }], PCMA_PT, true),
  );
  if (frames.length === 0) throw new Error(`clip ${name}: empty`);
  return { name, codec: 'pcma', payloadType: PCMA_PT, sampleRate: 8000, channels: 1, ticksPerFrame: 160, frameDurationMs: 20, frames };
}

const cache = new Map<string, Promise<ClipSet>>();

async function load(dir: string): Promise<ClipSet> {
  const rd = (f: string) => readFile(path.join(dir, f));
  const [json, main, sub, h265, aac, alaw] = await Promise.all([
    rd('clips.json'),
    rd('main.h264'),
    rd('sub.h264'),
    rd('main.h265'),
    rd('audio.aac'),
    rd('audio.alaw'),
  ]);
  const meta = (JSON.parse(json.toString('utf8')) as ClipsJson).clips;
  return {
    dir,
    video: {
      main: loadVideo('main.h264', 'h264', main, meta['main.h264']),
      sub: loadVideo('sub.h264', 'h264', sub, meta['sub.h264']),
      h265: loadVideo('main.h265', 'h265', h265, meta['main.h265']),
    },
    audio: { aac: loadAdts('audio.aac', aac), pcma: loadAlaw('audio.alaw', alaw) },
  };
}

/** Loads (once per process and directory) and pre-packetizes the clips of `dir`. */
export function loadClips(dir: string = DEFAULT_CLIPS_DIR): Promise<ClipSet> {
  const key = path.resolve(dir);
  let p = cache.get(key);
  if (!p) {
    p = load(key);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
