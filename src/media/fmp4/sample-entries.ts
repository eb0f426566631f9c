// Sample entries for the 'stsd' box: avc1+avcC, hvc1+hvcC (ISO/IEC 14496-15),
// mp4a+esds (ISO/IEC 14496-14 / 14496-1 descriptors) and alaw/ulaw G.711 entries.

import type { AudioParams, VideoParams } from '../types.ts';
import { buildAacAudioSpecificConfig } from '../aac/audio-specific-config.ts';
import { buildAvcDecoderConfigurationRecord } from '../h264/avcc.ts';
import { buildHevcDecoderConfigurationRecord } from '../h265/hvcc.ts';
import type { BoxWriter } from './box-writer.ts';

export function writeVideoSampleEntry(w: BoxWriter, video: VideoParams): void {
  const h265 = video.codec === 'h265';
  w.box(h265 ? 'hvc1' : 'avc1', (b) => {
    b.zeros(6).u16(1); // reserved, data_reference_index
    b.u16(0).u16(0).zeros(12); // pre_defined, reserved, pre_defined[3]
    b.u16(video.width).u16(video.height);
    b.u32(0x00480000).u32(0x00480000); // 72 dpi
    b.u32(0).u16(1); // reserved, frame_count
    b.zeros(32); // compressorname
    b.u16(0x0018).u16(0xffff); // depth, pre_defined = -1
    if (h265) {
      if (!video.vps) throw new Error('H.265 VideoParams without VPS');
      const record = buildHevcDecoderConfigurationRecord([video.vps], [video.sps], [video.pps]);
      b.box('hvcC', (c) => c.bytes(record));
    } else {
      const record = buildAvcDecoderConfigurationRecord([video.sps], [video.pps]);
      b.box('avcC', (c) => c.bytes(record));
    }
  });
}

export function writeAudioSampleEntry(w: BoxWriter, audio: AudioParams): void {
  const type = audio.codec === 'aac' ? 'mp4a' : audio.codec === 'pcma' ? 'alaw' : 'ulaw';
  const channels = audio.codec === 'aac' ? audio.channels : 1;
  w.box(type, (b) => {
    b.zeros(6).u16(1); // reserved, data_reference_index
    b.zeros(8); // reserved (version 0 SoundSampleEntry)
    b.u16(channels).u16(16); // channelcount, samplesize
    b.u16(0).u16(0); // pre_defined, reserved
    b.u32(Math.min(audio.sampleRate, 0xffff) * 0x10000); // samplerate 16.16
    if (audio.codec === 'aac') writeEsds(b, audio);
  });
}

// esds: ES_Descriptor(3) { DecoderConfigDescriptor(4) { DecoderSpecificInfo(5) = ASC }, SLConfig(6) }.
function writeEsds(w: BoxWriter, audio: AudioParams): void {
  const asc = audio.aacConfig ?? buildAacAudioSpecificConfig({ objectType: 2, sampleRate: audio.sampleRate, channels: audio.channels });
  const dsiLen = asc.length;
  const dcdLen = 13 + 2 + dsiLen;
  const esLen = 3 + 2 + dcdLen + 3;
  w.fullBox('esds', 0, 0, (b) => {
    b.u8(3).u8(esLen).u16(0).u8(0); // ES_ID 0, no stream dependence/URL/OCR
    b.u8(4).u8(dcdLen);
    b.u8(0x40); // objectTypeIndication: MPEG-4 Audio
    b.u8((0x05 << 2) | 1); // streamType audio, upStream 0, reserved 1
    b.u24(0).u32(0).u32(0); // bufferSizeDB, maxBitrate, avgBitrate
    b.u8(5).u8(dsiLen).bytes(asc);
    b.u8(6).u8(1).u8(2); // SLConfigDescriptor predefined = 2 (MP4)
  });
}
