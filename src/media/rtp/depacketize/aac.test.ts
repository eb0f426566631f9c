// RFC 3640 AAC-hbr depacketizer against real ffmpeg AAC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SdpMedia } from '../../types.ts';
import type { AdtsFrame } from '../../aac/adts.ts';
import { adtsToAudioSpecificConfig, splitAdts } from '../../aac/adts.ts';
import { AacDepacketizer } from './aac.ts';
import { aacAdtsArgs, generate, makeTempDir } from './test-ffmpeg.ts';
import { packetizeAacHbr } from './test-packetize.ts';
import { runAudio } from './test-run.ts';

const tmp = makeTempDir('aacrtp');
afterAll(() => tmp.cleanup());

let adts: AdtsFrame[];
let media: SdpMedia;
beforeAll(() => {
  adts = splitAdts(generate(`${tmp.dir}/a.aac`, aacAdtsArgs({ sampleRate: 48000, channels: 2, seconds: 1 })));
  media = {
    type: 'audio', port: 0, protocol: 'RTP/AVP', payloadType: 97, encoding: 'MPEG4-GENERIC', clockRate: 48000, channels: 2,
    fmtp: { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config: Buffer.from(adtsToAudioSpecificConfig(adts[0].header)).toString('hex') },
  };
});

describe('AacDepacketizer', () => {
  it('R-REC-4: splits several AUs per packet with pts stepping 1024', () => {
    const d = new AacDepacketizer(media);
    expect(d.audioParams).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2, rfc6381: 'mp4a.40.2' });
    const frames = runAudio(d, packetizeAacHbr(adts.map((f) => f.payload), { payloadType: 97, ausPerPacket: 4, startTs: 0xfffffc00, startSeq: 65535 }));
    expect(frames).toHaveLength(adts.length);
    frames.forEach((f, i) => {
      expect([...f.data]).toEqual([...adts[i].payload]);
      expect(f.pts).toBe(0xfffffc00 + i * 1024);
      expect(f.samples).toBe(1024);
    });
  });

  it('reassembles an AU fragmented across packets', () => {
    const d = new AacDepacketizer(media);
    const aus = adts.map((f) => f.payload);
    const packets = packetizeAacHbr(aus, { payloadType: 97, mtu: 100 });
    expect(packets.length).toBeGreaterThan(aus.length);
    const frames = runAudio(d, packets);
    expect(frames.map((f) => [...f.data])).toEqual(aus.map((a) => [...a]));
  });

  it('drops a fragmented AU that lost a piece, keeps the rest', () => {
    const d = new AacDepacketizer(media);
    const packets = packetizeAacHbr(adts.map((f) => f.payload), { payloadType: 97, mtu: 100 });
    const victim = packets.findIndex((p, i) => i > 0 && p.timestamp === packets[i - 1].timestamp && !p.marker);
    const frames = runAudio(d, packets.filter((_, i) => i !== victim));
    expect(frames).toHaveLength(adts.length - 1);
    expect(d.lostPackets).toBe(1);
  });

  it('guesses AAC-LC params from rtpmap when config is missing, and survives junk', () => {
    const d = new AacDepacketizer({ ...media, fmtp: { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3' } });
    expect(d.configGuessed).toBe(true);
    expect(d.audioParams).toMatchObject({ sampleRate: 48000, channels: 2 });
    const junk = [Uint8Array.of(0, 16), Uint8Array.of(0, 0, 1), Uint8Array.of(0xff, 0xff, 1, 2), Uint8Array.of(0, 32, 0x00, 0x10, 0x00, 0x10, 1)];
    junk.forEach((payload, i) => d.push({ payloadType: 97, sequence: i, timestamp: 0, ssrc: 1, marker: true, payload }, 0));
    expect(d.droppedPackets).toBe(4);
  });
});
