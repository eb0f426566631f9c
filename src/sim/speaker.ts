// A simulated camera's speaker: what arrived on its ONVIF audio back channel (RTSP track 3, PCMA
// 8000, TCP interleaved). Tests read it to prove that audio sent from a browser or a GB/T 28181
// upper crossed every hop intact: packet and byte counts, sequence gaps, packets it could not play
// (malformed RTP, a payload type other than the one it announced), and the level (dBFS) and pitch
// of the last second it heard.
import { parseRtpPacket } from '../media/rtp/packet.ts';
import { decodeG711 } from '../media/g711/level.ts';
import { toneFrequencyHz } from '../media/g711/tone.ts';

/** Payload type the simulated back channel announces (PCMA, RFC 3551 static). */
export const SPEAKER_PAYLOAD_TYPE = 8;
const SAMPLE_RATE = 8000;
/** Samples kept for the level and pitch: the last 4 s. */
const KEEP_SAMPLES = 4 * SAMPLE_RATE;

export interface SpeakerReport {
  /** Whether the camera has a speaker (answers the back-channel Require; else 551). */
  speaker: boolean;
  /** Back-channel sessions set up now. */
  sessions: number;
  /** Back-channel sessions ever set up. */
  sessionsTotal: number;
  packets: number;
  /** G.711 payload bytes (= samples). */
  bytes: number;
  /** Packets missing by RTP sequence number (per sender SSRC). */
  lost: number;
  malformed: number;
  /** Packets with a payload type other than PCMA (not played). */
  wrongPayloadType: number;
  /** Wall ms of the first / last packet played. */
  firstAtMs?: number;
  lastAtMs?: number;
  /** Level (volumedetect's definition) and tone frequency of the last `windowMs` heard. */
  windowMs: number;
  meanDb?: number;
  maxDb?: number;
  toneHz?: number;
}

export class SpeakerLog {
  sessions = 0;
  sessionsTotal = 0;
  private packets = 0;
  private bytes = 0;
  private lost = 0;
  private malformed = 0;
  private wrongPayloadType = 0;
  private firstAtMs: number | undefined;
  private lastAtMs: number | undefined;
  private lastSsrc = -1;
  private lastSeq = -1;
  private readonly samples = new Int16Array(KEEP_SAMPLES);
  private write = 0;
  private filled = 0;

  constructor(readonly speaker: boolean) {}

  /** One interleaved RTP packet from a client on the back channel. */
  receive(data: Uint8Array, nowMs: number): void {
    let p;
    try {
      p = parseRtpPacket(data);
    } catch {
      this.malformed++;
      return;
    }
    if (p.payloadType !== SPEAKER_PAYLOAD_TYPE) {
      this.wrongPayloadType++;
      return;
    }
    if (p.ssrc === this.lastSsrc && this.lastSeq >= 0) {
      const gap = (p.sequence - this.lastSeq - 1) & 0xffff;
      if (gap > 0 && gap < 0x8000) this.lost += gap; // larger "gaps" are reordering: not counted
    }
    this.lastSsrc = p.ssrc;
    this.lastSeq = p.sequence;
    this.packets++;
    this.bytes += p.payload.length;
    this.firstAtMs ??= nowMs;
    this.lastAtMs = nowMs;
    const pcm = decodeG711('pcma', p.payload);
    for (let i = 0; i < pcm.length; i++) {
      this.samples[this.write] = pcm[i];
      this.write = (this.write + 1) % KEEP_SAMPLES;
    }
    this.filled = Math.min(KEEP_SAMPLES, this.filled + pcm.length);
  }

  report(windowMs = 1000): SpeakerReport {
    const n = Math.min(this.filled, Math.max(1, Math.round((windowMs * SAMPLE_RATE) / 1000)));
    const out: SpeakerReport = {
      speaker: this.speaker, sessions: this.sessions, sessionsTotal: this.sessionsTotal, packets: this.packets, bytes: this.bytes,
      lost: this.lost, malformed: this.malformed, wrongPayloadType: this.wrongPayloadType, windowMs,
    };
    if (this.firstAtMs !== undefined) out.firstAtMs = this.firstAtMs;
    if (this.lastAtMs !== undefined) out.lastAtMs = this.lastAtMs;
    if (n > 0 && this.filled > 0) {
      const recent = new Int16Array(n);
      for (let i = 0; i < n; i++) recent[i] = this.samples[(this.write - n + i + KEEP_SAMPLES) % KEEP_SAMPLES];
      // Same definition as g711Level (volumedetect), on the decoded samples kept.
      const level = levelOfLinear(recent);
      out.meanDb = level.meanDb;
      out.maxDb = level.maxDb;
      const hz = toneFrequencyHz(recent, SAMPLE_RATE);
      if (hz !== undefined) out.toneHz = Math.round(hz * 10) / 10;
    }
    return out;
  }
}

function levelOfLinear(samples: Int16Array): { meanDb: number; maxDb: number } {
  let sum = 0;
  let peak = 0;
  for (const s of samples) {
    sum += s * s;
    peak = Math.max(peak, Math.abs(s));
  }
  const db = (p: number) => (p > 0 ? 10 * Math.log10(p / (0x8000 * 0x8000)) : -91);
  return { meanDb: Math.round(db(sum / samples.length) * 100) / 100, maxDb: Math.round(db(peak * peak) * 100) / 100 };
}
