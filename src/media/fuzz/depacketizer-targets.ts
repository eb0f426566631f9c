// Fuzz targets for the media bitstream code: every depacketizer (fed packet streams that
// are mutated, reordered and duplicated), the SPS/ASC parsers (only BitstreamError allowed),
// Annex-B/ADTS splitters and the fMP4 box walker (never throw). Importing this module
// registers the targets with the shared registry in targets.ts.

import type { Depacketizer, MediaFrame, RtpPacket, SdpMedia } from '../types.ts';
import { parseAdtsHeader, splitAdts } from '../aac/adts.ts';
import { parseAacAudioSpecificConfig } from '../aac/audio-specific-config.ts';
import { FragmentBuilder } from '../fmp4/fragment-builder.ts';
import { parseBoxes } from '../fmp4/parse-boxes.ts';
import { groupH264AccessUnits } from '../h264/access-unit.ts';
import { splitAnnexB } from '../h264/annexb.ts';
import { buildAvcDecoderConfigurationRecord } from '../h264/avcc.ts';
import { BitstreamError } from '../h264/bit-reader.ts';
import { h264CodecString } from '../h264/codec-string.ts';
import { parseH264Sps } from '../h264/sps.ts';
import { h265CodecString } from '../h265/codec-string.ts';
import { buildHevcDecoderConfigurationRecord } from '../h265/hvcc.ts';
import { parseH265Sps } from '../h265/sps.ts';
import { AacDepacketizer } from '../rtp/depacketize/aac.ts';
import { MAX_REASSEMBLY_BYTES } from '../rtp/depacketize/fragment-buffer.ts';
import { G711Depacketizer } from '../rtp/depacketize/g711.ts';
import { H264Depacketizer } from '../rtp/depacketize/h264.ts';
import { H265Depacketizer } from '../rtp/depacketize/h265.ts';
import {
  H264_PARAM_SETS, H265_PARAM_SETS, aacSeeds, decodePacketStream, g711Seeds, h264Seeds, h265Seeds,
} from './depacketizer-seeds.ts';
import { Prng, hashBytes } from './prng.ts';
import { FuzzInvariantError, registerFuzzTarget } from './targets.ts';

const media = (encoding: string, payloadType: number, clockRate: number, fmtp: Record<string, string> = {}): SdpMedia => ({
  type: encoding === 'PCMA' || encoding === 'MPEG4-GENERIC' ? 'audio' : 'video', port: 0, protocol: 'RTP/AVP', payloadType, encoding, clockRate, fmtp,
});

/** Derives reorders/duplicates from the input bytes so each failure replays from the input alone. */
function shuffle(packets: RtpPacket[], input: Uint8Array): RtpPacket[] {
  const rng = new Prng(hashBytes(input));
  const out: RtpPacket[] = [];
  for (let i = 0; i < packets.length; i++) {
    if (i + 1 < packets.length && rng.chance(0.03)) {
      out.push(packets[i + 1], packets[i]); // reorder
      i++;
    } else {
      out.push(packets[i]);
      if (rng.chance(0.02)) out.push(packets[i]); // duplicate
    }
  }
  return out;
}

type Buffered = Depacketizer & { readonly bufferedBytes?: number };

function driveDepacketizer(d: Buffered, packets: RtpPacket[], inputLength: number): MediaFrame[] {
  const frames: MediaFrame[] = [];
  let outBytes = 0;
  for (const p of packets) {
    for (const f of d.push(p, 1_700_000_000_000)) {
      if (!Number.isFinite(f.kind === 'video' ? f.pts90k : f.pts)) throw new FuzzInvariantError('non-finite pts');
      if (f.kind === 'video') {
        if (f.nalus.length === 0 || f.nalus.some((n) => n.length === 0)) throw new FuzzInvariantError('empty NAL in frame');
        for (const n of f.nalus) outBytes += n.length;
      } else {
        if (f.data.length === 0 || f.samples <= 0) throw new FuzzInvariantError('empty audio frame');
        outBytes += f.data.length;
      }
      frames.push(f);
    }
    if ((d.bufferedBytes ?? 0) > MAX_REASSEMBLY_BYTES) throw new FuzzInvariantError(`reassembly holds ${d.bufferedBytes} bytes`);
  }
  // Depacketizing never creates data: reassembled NAL headers replace larger FU headers.
  if (outBytes > inputLength) throw new FuzzInvariantError(`output ${outBytes} bytes > input ${inputLength}`);
  return frames;
}

/** Muxes what came out, so the fMP4 writer sees odd frames too; its output must walk cleanly. */
function muxFrames(d: Depacketizer, frames: MediaFrame[]): void {
  if (!d.videoParams && !d.audioParams) return;
  const b = new FragmentBuilder({ video: d.videoParams, audio: d.videoParams ? undefined : d.audioParams, fragmentDurationMs: 100 });
  const parts = [b.initSegment()];
  for (const f of frames) {
    const out = b.push(f);
    if (out) parts.push(out.bytes);
  }
  const last = b.flush();
  if (last) parts.push(last.bytes);
  for (const part of parts) {
    if (parseBoxes(part).truncated) throw new FuzzInvariantError('muxer wrote a malformed box');
  }
}

function videoTarget(make: () => Depacketizer) {
  return (input: Uint8Array): void => {
    const d = make();
    const frames = driveDepacketizer(d, shuffle(decodePacketStream(input, 96, 3600), input), input.length);
    muxFrames(d, frames);
  };
}

const spropH264 = `${Buffer.from(H264_PARAM_SETS[0][0]).toString('base64')},${Buffer.from(H264_PARAM_SETS[0][1]).toString('base64')}`;
registerFuzzTarget('depacketize-h264', videoTarget(() => new H264Depacketizer(media('H264', 96, 90000))), h264Seeds());
registerFuzzTarget(
  'depacketize-h264-sprop',
  videoTarget(() => new H264Depacketizer(media('H264', 96, 90000, { 'sprop-parameter-sets': spropH264 }))),
  h264Seeds(),
);
registerFuzzTarget('depacketize-h265', videoTarget(() => new H265Depacketizer(media('H265', 96, 90000))), h265Seeds());

const aacFmtp = { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config: '1408' };
registerFuzzTarget('depacketize-aac', (input) => {
  const d = new AacDepacketizer(media('MPEG4-GENERIC', 97, 16000, aacFmtp));
  muxFrames(d, driveDepacketizer(d, shuffle(decodePacketStream(input, 97, 1024), input), input.length));
}, aacSeeds());

registerFuzzTarget('depacketize-g711', (input) => {
  const d = new G711Depacketizer(media('PCMA', 8, 8000));
  muxFrames(d, driveDepacketizer(d, shuffle(decodePacketStream(input, 8, 160), input), input.length));
}, g711Seeds());

function onlyBitstreamErrors(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof BitstreamError)) throw err;
  }
}

registerFuzzTarget('h264-sps', (input) => {
  onlyBitstreamErrors(() => {
    const sps = parseH264Sps(input);
    if (!(sps.width > 0 && sps.height > 0 && sps.width <= 8192 && sps.height <= 16384)) throw new FuzzInvariantError('bad size');
    h264CodecString(input);
    buildAvcDecoderConfigurationRecord([input], [H264_PARAM_SETS[0][1]]);
  });
}, H264_PARAM_SETS.map(([sps]) => sps));

registerFuzzTarget('h265-sps', (input) => {
  onlyBitstreamErrors(() => {
    const sps = parseH265Sps(input);
    if (!(sps.width > 0 && sps.height > 0)) throw new FuzzInvariantError('bad size');
    h265CodecString(sps.ptl);
    buildHevcDecoderConfigurationRecord([H265_PARAM_SETS[0]], [input], [H265_PARAM_SETS[2]]);
  });
}, [H265_PARAM_SETS[1]]);

registerFuzzTarget('aac-config', (input) => {
  onlyBitstreamErrors(() => {
    const c = parseAacAudioSpecificConfig(input);
    if (!(c.sampleRate > 0)) throw new FuzzInvariantError('bad sample rate');
  });
}, [Uint8Array.of(0x14, 0x08), Uint8Array.of(0x11, 0x90), Uint8Array.of(0x2b, 0x11, 0x88, 0x00), Uint8Array.of(0xf8, 0x80, 0, 0, 0)]);

registerFuzzTarget('bitstream-splitters', (input) => {
  // Annex-B, access units, ADTS and the fMP4 walker must accept any bytes.
  groupH264AccessUnits(splitAnnexB(input));
  for (const f of splitAdts(input)) if (f.payload.length > f.header.frameLength) throw new FuzzInvariantError('ADTS payload too long');
  parseAdtsHeader(input, 0);
  const walk = parseBoxes(input);
  if (walk.completeEnd > input.length) throw new FuzzInvariantError('box walk past end');
}, [Uint8Array.of(0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x65, 0x88), Uint8Array.of(0xff, 0xf1, 0x60, 0x40, 0x01, 0x3f, 0xfc, 0xaa, 0xbb)]);
