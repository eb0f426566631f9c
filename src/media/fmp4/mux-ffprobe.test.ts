// End to end: ffmpeg-encoded streams -> RTP packets -> depacketizers -> fMP4 -> ffprobe.
// ffprobe must decode exactly the frames that were sent (R-REC-4) and see the right codec,
// size and duration, which is what recording (R-FN-1) relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adtsToAudioSpecificConfig, splitAdts } from '../aac/adts.ts';
import { groupH264AccessUnits } from '../h264/access-unit.ts';
import { splitAnnexB } from '../h264/annexb.ts';
import { groupH265AccessUnits } from '../h265/access-unit.ts';
import { createDepacketizer } from '../rtp/depacketize/index.ts';
import { aacAdtsArgs, alawArgs, decodeErrors, ffprobe, generate, h264Args, h265Args, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { packetizeAacHbr, packetizeG711, packetizeVideo } from '../rtp/depacketize/test-packetize.ts';
import { videoMedia } from '../rtp/depacketize/test-run.ts';
import type { RtpPacket } from '../types.ts';
import { muxToFile } from './test-mux.ts';

const tmp = makeTempDir('mux');
afterAll(() => tmp.cleanup());

let h264Packets: RtpPacket[];
beforeAll(() => {
  const es = generate(`${tmp.dir}/v.h264`, h264Args({ width: 1280, height: 720, fps: 25, seconds: 2, gop: 50 }));
  h264Packets = packetizeVideo('h264', groupH264AccessUnits(splitAnnexB(es)), { startSeq: 65000, startTs: 0xfffff000 });
});

function streamOf(path: string, type: string) {
  const s = ffprobe(path).streams.find((x) => x.codec_type === type);
  if (!s) throw new Error(`no ${type} stream`);
  return s;
}

describe('fMP4 mux checked by ffprobe', () => {
  it('R-FN-1 R-REC-4: H.264 + AAC, every frame sent is read back', () => {
    const adts = splitAdts(generate(`${tmp.dir}/a.aac`, aacAdtsArgs({ sampleRate: 16000, channels: 1, seconds: 2 })));
    const config = Buffer.from(adtsToAudioSpecificConfig(adts[0].header)).toString('hex');
    const aac = createDepacketizer({
      type: 'audio', port: 0, protocol: 'RTP/AVP', payloadType: 97, encoding: 'MPEG4-GENERIC', clockRate: 16000, channels: 1,
      fmtp: { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config, streamtype: '5' },
    });
    const path = `${tmp.dir}/h264-aac.mp4`;
    const run = muxToFile(
      path,
      { d: createDepacketizer(videoMedia('H264')), packets: h264Packets },
      { d: aac, packets: packetizeAacHbr(adts.map((f) => f.payload), { payloadType: 97, ausPerPacket: 2, startTs: 123456 }), sampleRate: 16000 },
    );
    expect(run.videoFrames).toBe(50);
    expect(run.audioFrames).toBe(adts.length);
    expect(run.builder.droppedFrames).toBe(0);
    const v = streamOf(path, 'video');
    expect(v).toMatchObject({ codec_name: 'h264', width: 1280, height: 720, nb_read_frames: '50', r_frame_rate: '25/1' });
    expect(Math.abs(Number(v.duration) - 2)).toBeLessThanOrEqual(0.04);
    const a = streamOf(path, 'audio');
    expect(a).toMatchObject({ codec_name: 'aac', sample_rate: '16000', channels: 1, nb_read_frames: String(adts.length) });
    expect(decodeErrors(path)).toBe('');
    expect(run.metas.map((m) => m.frameCount)).toEqual([25, 25]);
    expect(run.metas[0].keyframeOffsets).toEqual([0]);
  });

  it('R-FN-1 R-REC-4: H.264 + PCMA (alaw sample entry)', () => {
    const alaw = generate(`${tmp.dir}/a.alaw`, alawArgs({ seconds: 2 }));
    const path = `${tmp.dir}/h264-pcma.mp4`;
    const pcma = createDepacketizer({ type: 'audio', port: 0, protocol: 'RTP/AVP', payloadType: 8, encoding: 'PCMA', clockRate: 8000, fmtp: {} });
    const run = muxToFile(
      path,
      { d: createDepacketizer(videoMedia('H264')), packets: h264Packets },
      { d: pcma, packets: packetizeG711(alaw, { samplesPerPacket: 160 }), sampleRate: 8000 },
    );
    expect(run.audioFrames).toBe(100);
    expect(run.builder.droppedFrames).toBe(0);
    expect(streamOf(path, 'video')).toMatchObject({ codec_name: 'h264', nb_read_frames: '50' });
    const a = streamOf(path, 'audio');
    expect(a).toMatchObject({ codec_name: 'pcm_alaw', sample_rate: '8000', channels: 1, nb_read_frames: '100' });
    expect(Math.abs(Number(a.duration) - 2)).toBeLessThanOrEqual(0.04);
    expect(decodeErrors(path)).toBe('');
  });

  it('R-FN-1 R-REC-4: H.265 video', () => {
    const es = generate(`${tmp.dir}/v.h265`, h265Args({ width: 1280, height: 720, fps: 25, seconds: 2, gop: 25 }));
    const units = groupH265AccessUnits(splitAnnexB(es));
    expect(units).toHaveLength(50);
    const d = createDepacketizer(videoMedia('H265'));
    const path = `${tmp.dir}/h265.mp4`;
    const run = muxToFile(path, { d, packets: packetizeVideo('h265', units, { startSeq: 65530 }) }, undefined);
    expect(run.videoFrames).toBe(50);
    const v = streamOf(path, 'video');
    expect(v).toMatchObject({ codec_name: 'hevc', width: 1280, height: 720, profile: 'Main', nb_read_frames: '50' });
    expect(Math.abs(Number(v.duration) - 2)).toBeLessThanOrEqual(0.04);
    expect(d.videoParams?.rfc6381).toMatch(/^hvc1\.1\.6\.L93\.[0-9A-F]{1,2}$/); // x265 720p25: Main, level 3.1
    expect(decodeErrors(path)).toBe('');
    expect(run.metas.map((m) => m.keyframeOffsets)).toEqual([[0], [0]]);
  });

  it('R-REC-4: frames lost on the network are the only frames missing', () => {
    const lossy = h264Packets.filter((p, i) => !(p.timestamp === ((0xfffff000 + 10 * 3600) >>> 0) && i % 2 === 0));
    const path = `${tmp.dir}/lossy.mp4`;
    const d = createDepacketizer(videoMedia('H264'));
    const run = muxToFile(path, { d, packets: lossy }, undefined);
    // GOP is 50 frames, so everything after the damaged frame 10 waits for a keyframe that never comes.
    expect(run.videoFrames).toBe(10);
    expect(streamOf(path, 'video').nb_read_frames).toBe('10');
    expect(decodeErrors(path)).toBe('');
  });
});
