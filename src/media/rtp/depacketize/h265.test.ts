// H.265 RTP depacketizer (RFC 7798) against real x265 output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitAnnexB } from '../../h264/annexb.ts';
import { groupH265AccessUnits } from '../../h265/access-unit.ts';
import { h265NalType } from '../../h265/nal.ts';
import { H265Depacketizer } from './h265.ts';
import { generate, h265Args, makeTempDir } from './test-ffmpeg.ts';
import { packetizeVideo } from './test-packetize.ts';
import { bytesOf, runVideo, videoMedia } from './test-run.ts';

const tmp = makeTempDir('h265rtp');
afterAll(() => tmp.cleanup());

let units: Uint8Array[][];
beforeAll(() => {
  units = groupH265AccessUnits(splitAnnexB(generate(`${tmp.dir}/a.h265`, h265Args({ width: 1280, height: 720, fps: 25, seconds: 1, gop: 10 }))));
});

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

describe('H265Depacketizer', () => {
  it('R-REC-4: reassembles single NAL, AP and FU packets into the original access units', () => {
    const packets = packetizeVideo('h265', units, { startSeq: 65530, startTs: 0xffffff00 });
    expect(packets.some((p) => ((p.payload[0] >> 1) & 0x3f) === 48)).toBe(true);
    expect(packets.some((p) => ((p.payload[0] >> 1) & 0x3f) === 49)).toBe(true);
    const d = new H265Depacketizer(videoMedia('H265'));
    const frames = runVideo(d, packets);
    expect(frames).toHaveLength(25);
    frames.forEach((f, i) => {
      expect(bytesOf(f.nalus)).toEqual(bytesOf(units[i]));
      expect(f.keyframe).toBe(i % 10 === 0); // IRAP pictures
      expect(f.pts90k).toBe(0xffffff00 + i * 3600);
    });
    expect(d.videoParams).toMatchObject({ codec: 'h265', width: 1280, height: 720, fps: 25 });
    expect(d.videoParams?.vps).toBeDefined();
  });

  it('knows params from sprop-vps/sps/pps', () => {
    const [vps, sps, pps] = units[0];
    const d = new H265Depacketizer(videoMedia('H265', { 'sprop-vps': b64(vps), 'sprop-sps': b64(sps), 'sprop-pps': b64(pps) }));
    expect(d.videoParams?.rfc6381).toMatch(/^hvc1\.1\.6\.L93/);
  });

  it('drops a frame with a lost FU and resumes at the next IRAP', () => {
    const packets = packetizeVideo('h265', units, { mtu: 400 });
    const victim = packets.findIndex((p) => p.timestamp === 3 * 3600 && ((p.payload[0] >> 1) & 0x3f) === 49 && (p.payload[2] & 0xc0) === 0);
    expect(victim).toBeGreaterThan(0);
    const d = new H265Depacketizer(videoMedia('H265'));
    const frames = runVideo(d, packets.filter((_, i) => i !== victim));
    expect(frames.map((f) => f.pts90k / 3600)).toEqual([0, 1, 2, ...Array.from({ length: 15 }, (_, i) => 10 + i)]);
    expect(d.droppedFrames).toBe(7);
  });

  it('counts PACI and malformed packets without throwing', () => {
    const d = new H265Depacketizer(videoMedia('H265'));
    const base = { payloadType: 96, ssrc: 1, marker: false, timestamp: 0 };
    d.push({ ...base, sequence: 1, payload: Uint8Array.of(50 << 1, 1, 0, 0) }, 0);
    d.push({ ...base, sequence: 2, payload: Uint8Array.of(48 << 1, 1, 0, 9, 1) }, 0);
    d.push({ ...base, sequence: 3, payload: Uint8Array.of(49 << 1, 1) }, 0);
    expect(d.unsupportedPackets).toBe(1);
    expect(d.droppedPackets).toBe(3);
    expect(h265NalType(Uint8Array.of(0x40, 1))).toBe(32);
  });
});
