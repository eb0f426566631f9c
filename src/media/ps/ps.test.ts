import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitAnnexB } from '../h264/annexb.ts';
import { groupH264AccessUnits } from '../h264/access-unit.ts';
import { groupH265AccessUnits } from '../h265/access-unit.ts';
import { h264NalType } from '../h264/nal.ts';
import { isH265Irap, h265NalType } from '../h265/nal.ts';
import { splitAdts } from '../aac/adts.ts';
import { concatBytes as concat } from '../bytes.ts';
import { PsMuxer } from './mux.ts';
import { PsDemuxer } from './demux.ts';
import { buildPesPackets, parsePes } from './pes.ts';
import type { MediaFrame, VideoFrame, AudioFrame } from '../types.ts';

const clip = (name: string): Uint8Array => readFileSync(new URL(`../../../assets/clips/${name}`, import.meta.url));

function h264Frames(name = 'main.h264'): VideoFrame[] {
  return groupH264AccessUnits(splitAnnexB(clip(name))).map((nalus, i) => ({
    kind: 'video', pts90k: 90000 + i * 3600, keyframe: nalus.some((n) => h264NalType(n) === 5), nalus, receivedAtMs: 0,
  }));
}

const strip = (f: MediaFrame): unknown => (f.kind === 'video'
  ? { pts90k: f.pts90k, keyframe: f.keyframe, nalus: f.nalus.map((n) => Buffer.from(n).toString('hex')) }
  : { pts: f.pts, samples: f.samples, data: Buffer.from(f.data).toString('hex') });

describe('MPEG-PS muxer/demuxer (R-FN-3)', () => {
  it('R-FN-3: ffprobe reads the muxed H.264 clip with the right codec, size and frame count', () => {
    const frames = h264Frames();
    expect(frames).toHaveLength(250);
    const mux = new PsMuxer({ video: 'h264' });
    const dir = mkdtempSync(join(tmpdir(), 'ps-'));
    try {
      const file = join(dir, 'main.ps');
      writeFileSync(file, concat(frames.map((f) => mux.muxVideo(f))));
      const out = execFileSync('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' });
      const s = (JSON.parse(out) as { streams: Array<Record<string, unknown>> }).streams[0];
      expect(s).toMatchObject({ codec_name: 'h264', width: 1280, height: 720, nb_read_frames: '250' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('R-FN-3: demux(mux(x)) == x for H.264 in arbitrary chunking, learning params from the PSM', () => {
    const frames = h264Frames('sub.h264');
    const mux = new PsMuxer({ video: 'h264' });
    const ps = concat(frames.map((f) => mux.muxVideo(f)));
    const demux = new PsDemuxer();
    const got: MediaFrame[] = [];
    for (let o = 0, n = 1; o < ps.length; o += n, n = (n * 7 + 13) % 5000 + 1) got.push(...demux.push(ps.subarray(o, o + n), 5));
    got.push(...demux.flush(5));
    expect(got.map(strip)).toEqual(frames.map(strip));
    expect(demux.streamTypes.get(0xe0)).toBe(0x1b);
    expect((got[0] as VideoFrame).newParams).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(got.filter((f) => f.kind === 'video' && f.newParams)).toHaveLength(1);
    expect(demux.droppedBytes).toBe(0);
  });

  it('R-FN-3: H.265 (stream_type 0x24) round-trips; ffprobe sees hevc', () => {
    const aus = groupH265AccessUnits(splitAnnexB(clip('main.h265'))).slice(0, 60);
    const frames: VideoFrame[] = aus.map((nalus, i) => ({ kind: 'video', pts90k: i * 3600, keyframe: nalus.some((n) => isH265Irap(h265NalType(n))), nalus, receivedAtMs: 0 }));
    const mux = new PsMuxer({ video: 'h265' });
    const ps = concat(frames.map((f) => mux.muxVideo(f)));
    const demux = new PsDemuxer();
    const got = [...demux.push(ps, 0), ...demux.flush(0)];
    expect(got.map(strip)).toEqual(frames.map(strip));
    expect(demux.streamTypes.get(0xe0)).toBe(0x24);
    expect((got[0] as VideoFrame).newParams).toMatchObject({ codec: 'h265', width: 1280, height: 720 });
    const dir = mkdtempSync(join(tmpdir(), 'ps-'));
    try {
      writeFileSync(join(dir, 'a.ps'), ps);
      const out = execFileSync('ffprobe', ['-v', 'error', '-f', 'mpeg', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', join(dir, 'a.ps')], { encoding: 'utf8' });
      expect(out.trim()).toBe('hevc');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('R-FN-3: muxes AAC (ADTS-wrapped, 0x0F) and G.711 A-law (0x90) with video; audio pts in sample ticks', () => {
    const aac = splitAdts(clip('audio.aac')).slice(0, 20);
    const aacFrames: AudioFrame[] = aac.map((f, i) => ({ kind: 'audio', pts: i * 1024, samples: 1024, data: f.payload, receivedAtMs: 0 }));
    const video = h264Frames('sub.h264').slice(0, 10);
    const mux = new PsMuxer({ video: 'h264', audio: { codec: 'aac', sampleRate: 16000, channels: 1 } });
    const units = [...video.map((f) => mux.muxVideo(f)), ...aacFrames.map((f) => mux.muxAudio(f))];
    const demux = new PsDemuxer();
    const got = units.flatMap((u) => [...demux.push(u, 0), ...demux.flush(0)]);
    expect(got.filter((f) => f.kind === 'audio').map(strip)).toEqual(aacFrames.map(strip));
    expect(demux.streamTypes.get(0xc0)).toBe(0x0f);

    const alaw = clip('audio.alaw');
    const g711: AudioFrame[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'audio', pts: i * 320, samples: 320, data: alaw.subarray(i * 320, i * 320 + 320), receivedAtMs: 0 }));
    const mux2 = new PsMuxer({ audio: { codec: 'pcma', sampleRate: 8000, channels: 1 } });
    const d2 = new PsDemuxer();
    const got2 = g711.flatMap((f) => [...d2.push(mux2.muxAudio(f), 0), ...d2.flush(0)]);
    expect(got2.map(strip)).toEqual(g711.map(strip));
    expect(d2.streamTypes.get(0xc0)).toBe(0x90);
  });

  it('splits PES payloads over 65535 bytes; only the first PES has PTS/DTS', () => {
    const payload = new Uint8Array(150_000).map((_, i) => (i * 31) & 0xff);
    const pes = buildPesPackets(0xe0, payload, 2 ** 33 - 10, 2 ** 33 - 3610);
    expect(pes).toHaveLength(3);
    for (const p of pes) expect(p.length).toBeLessThanOrEqual(6 + 0xffff);
    const parsed = pes.map((p) => parsePes(p));
    expect(parsed[0]).toMatchObject({ pts90k: 2 ** 33 - 10, dts90k: 2 ** 33 - 3610 });
    expect(parsed[1]?.pts90k).toBeUndefined();
    expect(Buffer.concat(parsed.map((p) => p?.payload ?? new Uint8Array(0)))).toEqual(Buffer.from(payload));
  });

  it('unwraps 33-bit PTS across the wrap and skips garbage between packs', () => {
    const frames = h264Frames('sub.h264').slice(0, 5).map((f, i) => ({ ...f, pts90k: 2 ** 33 - 7200 + i * 3600 }));
    const mux = new PsMuxer({ video: 'h264', maxPesPayloadBytes: 1000 });
    const junk = Uint8Array.of(1, 2, 3, 0, 0, 1, 0xe0, 0, 0);
    const demux = new PsDemuxer();
    const got = frames.flatMap((f) => demux.push(concat([junk, mux.muxVideo(f)]), 0));
    got.push(...demux.flush(0));
    expect(got.map((f) => (f as VideoFrame).pts90k)).toEqual(frames.map((f) => f.pts90k));
    expect(demux.droppedBytes).toBeGreaterThan(0);
  });
});
