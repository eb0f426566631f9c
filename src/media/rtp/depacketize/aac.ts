// AAC over RTP as mpeg4-generic (RFC 3640), AAC-hbr/AAC-lbr modes: an AU-header section
// (sizes, indices, optional CTS/DTS/RAP/stream-state fields per fmtp) followed by the
// concatenated access units. One AU larger than a packet is fragmented across packets
// with the same timestamp and reassembled here. The AU header parser is generic over
// the fmtp field lengths, so AAC-lbr (sizelength=6) works too.

import type { AudioFrame, AudioParams, Depacketizer, MediaFrame, RtpPacket, SdpMedia } from '../../types.ts';
import { BitReader, BitstreamError } from '../../h264/bit-reader.ts';
import {
  aacCodecString,
  buildAacAudioSpecificConfig,
  parseAacAudioSpecificConfig,
  parseHexConfig,
} from '../../aac/audio-specific-config.ts';
import { FragmentBuffer } from './fragment-buffer.ts';
import { RtpTimestampUnwrapper, seqDelta } from './timestamp.ts';
import { NO_FRAMES } from './video-base.ts';

interface AuHeaderLayout {
  sizeLength: number;
  indexLength: number;
  indexDeltaLength: number;
  ctsDeltaLength: number;
  dtsDeltaLength: number;
  randomAccessIndication: boolean;
  streamStateIndication: number;
  auxiliaryDataSizeLength: number;
}

export class AacDepacketizer implements Depacketizer {
  readonly audioParams: AudioParams;
  droppedPackets = 0;
  lostPackets = 0;
  /** True when fmtp config= was missing or unparsable and params were guessed from rtpmap. */
  readonly configGuessed: boolean;
  private readonly layout: AuHeaderLayout;
  private readonly frameLength: number;
  private readonly unwrapper = new RtpTimestampUnwrapper();
  private readonly fragment = new FragmentBuffer();
  private fragmentSize = 0;
  private fragmentTs = 0;
  private lastSeq = -1;
  private readonly sizes: number[] = [];

  constructor(private readonly media: SdpMedia) {
    const f = media.fmtp;
    const num = (key: string, fallback = 0): number => {
      const v = Number.parseInt(f[key] ?? '', 10);
      return Number.isFinite(v) && v >= 0 && v <= 32 ? v : fallback;
    };
    this.layout = {
      sizeLength: num('sizelength', 13),
      indexLength: num('indexlength', 3),
      indexDeltaLength: num('indexdeltalength', 3),
      ctsDeltaLength: num('ctsdeltalength'),
      dtsDeltaLength: num('dtsdeltalength'),
      randomAccessIndication: f['randomaccessindication'] === '1',
      streamStateIndication: num('streamstateindication'),
      auxiliaryDataSizeLength: num('auxiliarydatasizelength'),
    };
    if (this.layout.sizeLength === 0) throw new Error('mpeg4-generic with sizelength=0 (constant-size AUs) is not supported');
    const config = parseHexConfig(f['config']);
    let params: AudioParams | undefined;
    let frameLength = 1024;
    if (config) {
      try {
        const c = parseAacAudioSpecificConfig(config);
        params = { codec: 'aac', sampleRate: c.sampleRate, channels: c.channels || media.channels || 1, aacConfig: config, rfc6381: aacCodecString(c.objectType) };
        frameLength = c.frameLength;
      } catch (err) {
        if (!(err instanceof BitstreamError)) throw err;
      }
    }
    this.configGuessed = params === undefined;
    if (!params) {
      // Best effort: AAC-LC at the RTP clock rate.
      const sampleRate = media.clockRate || 8000;
      const channels = media.channels || 1;
      let aacConfig: Uint8Array | undefined;
      try {
        aacConfig = buildAacAudioSpecificConfig({ objectType: 2, sampleRate, channels });
      } catch {
        aacConfig = undefined;
      }
      params = { codec: 'aac', sampleRate, channels, aacConfig, rfc6381: aacCodecString(2) };
    }
    this.audioParams = params;
    this.frameLength = frameLength;
  }

  /** Bytes held in AU reassembly (bounded by MAX_REASSEMBLY_BYTES). */
  get bufferedBytes(): number {
    return this.fragment.size;
  }

  push(packet: RtpPacket, receivedAtMs: number): MediaFrame[] {
    const p = packet.payload;
    if (packet.payloadType !== this.media.payloadType || p.length < 2) {
      this.droppedPackets++;
      return NO_FRAMES;
    }
    const seq = packet.sequence & 0xffff;
    if (this.lastSeq >= 0) {
      const d = seqDelta(this.lastSeq, seq);
      if (d <= 0) {
        this.droppedPackets++;
        return NO_FRAMES;
      }
      if (d > 1) {
        this.lostPackets += d - 1;
        this.fragment.reset(); // a fragmented AU lost a piece
      }
    }
    this.lastSeq = seq;
    try {
      return this.parse(packet, receivedAtMs);
    } catch (err) {
      // BitReader overrun = malformed AU-header section.
      if (!(err instanceof BitstreamError)) throw err;
      this.droppedPackets++;
      this.fragment.reset();
      return NO_FRAMES;
    }
  }

  private parse(packet: RtpPacket, receivedAtMs: number): MediaFrame[] {
    const p = packet.payload;
    const L = this.layout;
    const headersBits = (p[0] << 8) | p[1];
    const headersBytes = (headersBits + 7) >> 3;
    if (headersBits === 0 || 2 + headersBytes > p.length) throw new BitstreamError('bad AU-headers-length');
    const r = new BitReader(p.subarray(2, 2 + headersBytes));
    const sizes = this.sizes;
    sizes.length = 0;
    while (r.position < headersBits) {
      sizes.push(r.readBits(L.sizeLength));
      r.skipBits(sizes.length === 1 ? L.indexLength : L.indexDeltaLength);
      if (L.ctsDeltaLength > 0 && r.readFlag()) r.skipBits(L.ctsDeltaLength);
      if (L.dtsDeltaLength > 0 && r.readFlag()) r.skipBits(L.dtsDeltaLength);
      if (L.randomAccessIndication) r.skipBits(1);
      r.skipBits(L.streamStateIndication);
    }
    let o = 2 + headersBytes;
    if (L.auxiliaryDataSizeLength > 0) {
      if (o + 4 > p.length) throw new BitstreamError('truncated auxiliary section');
      const aux = new BitReader(p.subarray(o, Math.min(p.length, o + 8)));
      const auxBits = aux.readBits(L.auxiliaryDataSizeLength);
      o += (L.auxiliaryDataSizeLength + auxBits + 7) >> 3;
    }
    const ts = packet.timestamp >>> 0;
    const data = p.subarray(Math.min(o, p.length));

    // Continuation of a fragmented AU (RFC 3640 3.2.3: same timestamp, AU-size = whole AU).
    if (this.fragment.active) {
      if (ts !== this.fragmentTs || sizes.length !== 1 || sizes[0] !== this.fragmentSize) {
        this.fragment.reset();
      } else {
        // More data than the declared AU size means the fragments do not belong together.
        if (!this.fragment.append(data) || this.fragment.size > this.fragmentSize) {
          this.fragment.reset();
          this.droppedPackets++;
          return NO_FRAMES;
        }
        if (!packet.marker) return NO_FRAMES;
        const au = this.fragment.finish();
        if (!au || au.length !== this.fragmentSize) {
          this.droppedPackets++;
          return NO_FRAMES;
        }
        return [this.frame(this.unwrapper.unwrap(ts), au, receivedAtMs)];
      }
    }
    if (sizes.length === 1 && sizes[0] > data.length) {
      // First fragment of a large AU.
      this.fragment.start(new Uint8Array(0));
      this.fragmentSize = sizes[0];
      this.fragmentTs = ts;
      if (!this.fragment.append(data)) this.fragment.reset();
      return NO_FRAMES;
    }
    const base = this.unwrapper.unwrap(ts);
    const out: MediaFrame[] = [];
    let d = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i];
      if (size === 0 || d + size > data.length) {
        this.droppedPackets++;
        break; // keep the AUs before the damage
      }
      out.push(this.frame(base + i * this.frameLength, data.subarray(d, d + size), receivedAtMs));
      d += size;
    }
    return out;
  }

  private frame(pts: number, data: Uint8Array, receivedAtMs: number): AudioFrame {
    return { kind: 'audio', pts, samples: this.frameLength, data, receivedAtMs };
  }
}
