// H.264 RTP depacketizer against real x264 output packetized in the test (RFC 6184).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPacket } from '../../types.ts';
import { groupH264AccessUnits } from '../../h264/access-unit.ts';
import { splitAnnexB } from '../../h264/annexb.ts';
import { H264Depacketizer } from './h264.ts';
import { generate, h264Args, makeTempDir } from './test-ffmpeg.ts';
import { packetizeVideo } from './test-packetize.ts';
import { runVideo, videoMedia } from './test-run.ts';

const tmp = makeTempDir('h264rtp');
afterAll(() => tmp.cleanup());

let units720: Uint8Array[][];
let units360: Uint8Array[][];
beforeAll(() => {
  units720 = groupH264AccessUnits(splitAnnexB(generate(`${tmp.dir}/a.h264`, h264Args({ width: 1280, height: 720, fps: 25, seconds: 2, gop: 25 }))));
  units360 = groupH264AccessUnits(splitAnnexB(generate(`${tmp.dir}/b.h264`, h264Args({ width: 640, height: 360, fps: 25, seconds: 1, gop: 25 }))));
});

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

describe('H264Depacketizer', () => {
  it('R-REC-4: every frame comes out as sent (single NAL, STAP-A, FU-A; seq and timestamp wrap)', () => {
    const packets = packetizeVideo('h264', units720, { startSeq: 65500, startTs: 0xffffffff - 36000 });
    expect(packets.some((p) => (p.payload[0] & 0x1f) === 24)).toBe(true); // STAP-A used
    expect(packets.some((p) => (p.payload[0] & 0x1f) === 28)).toBe(true); // FU-A used
    const d = new H264Depacketizer(videoMedia('H264'));
    const frames = runVideo(d, packets);
    expect(frames).toHaveLength(50);
    expect(d.droppedPackets).toBe(0);
    frames.forEach((f, i) => {
      expect(f.nalus.map((n) => [...n])).toEqual(units720[i].map((n) => [...n]));
      expect(f.pts90k).toBe(0xffffffff - 36000 + i * 3600); // monotonic across the 32-bit wrap
      expect(f.keyframe).toBe(i % 25 === 0);
    });
    expect(d.videoParams).toMatchObject({ codec: 'h264', width: 1280, height: 720, fps: 25 });
    expect(frames[0].newParams).toBe(d.videoParams);
    expect(frames.slice(1).every((f) => f.newParams === undefined)).toBe(true);
    expect(d.paramsVersion).toBe(1);
  });

  it('uses sprop-parameter-sets before any packet arrives', () => {
    const [sps, pps] = units720[0];
    const d = new H264Depacketizer(videoMedia('H264', { 'sprop-parameter-sets': `${b64(sps)},${b64(pps)}` }));
    expect(d.videoParams).toMatchObject({ width: 1280, height: 720, rfc6381: expect.stringMatching(/^avc1\.64/) });
  });

  it('closes frames on timestamp change when the camera never sets the marker bit', () => {
    const packets = packetizeVideo('h264', units720).map((p) => ({ ...p, marker: false }));
    const frames = runVideo(new H264Depacketizer(videoMedia('H264')), packets);
    expect(frames).toHaveLength(49); // the last one waits for a next timestamp
  });

  it('drops a frame with a lost FU-A fragment and waits for the next IDR', () => {
    const packets = packetizeVideo('h264', units720, { mtu: 500 });
    // Lose a middle fragment of frame 10 (a P-frame).
    const victim = packets.findIndex((p, i) => p.timestamp === 36000 && (p.payload[1] & 0xc0) === 0 && i > 0 && (p.payload[0] & 0x1f) === 28);
    expect(victim).toBeGreaterThan(0);
    const lossy = packets.filter((_, i) => i !== victim);
    const d = new H264Depacketizer(videoMedia('H264'));
    const frames = runVideo(d, lossy);
    expect(frames.map((f) => f.pts90k / 3600)).toEqual([...Array(10).keys(), ...Array.from({ length: 25 }, (_, i) => 25 + i)]);
    expect(d.lostPackets).toBe(1);
    expect(d.droppedFrames).toBe(15);
  });

  it('keeps an IDR whose predecessor lost its last packet (loss lies before the new access unit)', () => {
    const packets = packetizeVideo('h264', units720);
    const lastOf24 = packets.findLastIndex((p) => p.timestamp === 24 * 3600);
    const frames = runVideo(new H264Depacketizer(videoMedia('H264')), packets.filter((_, i) => i !== lastOf24));
    expect(frames.map((f) => f.pts90k / 3600)).toEqual([...Array(24).keys(), ...Array.from({ length: 25 }, (_, i) => 25 + i)]);
  });

  it('signals new params on a mid-stream resolution change', () => {
    const units = [...units720.slice(0, 25), ...units360];
    const d = new H264Depacketizer(videoMedia('H264'));
    const frames = runVideo(d, packetizeVideo('h264', units));
    expect(frames).toHaveLength(50);
    const changes = frames.flatMap((f, i) => (f.newParams ? [[i, f.newParams.width, f.newParams.height]] : []));
    expect(changes).toEqual([[0, 1280, 720], [25, 640, 360]]);
    expect(d.paramsVersion).toBe(2);
    expect(d.videoParams).toMatchObject({ width: 640, height: 360 });
  });

  it('drops duplicates, reordered, wrong-PT and interleaved-mode packets with counts, never throws', () => {
    const packets = packetizeVideo('h264', units720.slice(0, 3));
    const d = new H264Depacketizer(videoMedia('H264'));
    const extra: RtpPacket[] = [
      packets[0],
      { ...packets[1], payloadType: 97 },
    ];
    const seq = (n: number): number => (packets.at(-1)!.sequence + n) & 0xffff;
    const ts = 3 * 3600;
    const odd: RtpPacket[] = [
      { ...packets[0], sequence: seq(1), timestamp: ts, payload: Uint8Array.of(25, 0, 1) }, // STAP-B
      { ...packets[0], sequence: seq(2), timestamp: ts, payload: Uint8Array.of(26, 0) }, // MTAP16
      { ...packets[0], sequence: seq(3), timestamp: ts, payload: Uint8Array.of(29, 0x85, 1) }, // FU-B
      { ...packets[0], sequence: seq(4), timestamp: ts, payload: Uint8Array.of(24, 0, 9, 1) }, // truncated STAP-A
      { ...packets[0], sequence: seq(5), timestamp: ts, payload: Uint8Array.of(28) }, // short FU-A
      { ...packets[0], sequence: seq(6), timestamp: ts, payload: new Uint8Array(0) },
    ];
    const frames = runVideo(d, [...packets, ...extra, ...odd]);
    expect(frames).toHaveLength(3);
    expect(d.unsupportedPackets).toBe(3);
    expect(d.droppedPackets).toBe(2 + 6);
  });
});
