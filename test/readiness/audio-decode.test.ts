// The sound of an AAC camera measured by the ffmpeg that decodes its keyframes (R-PRE-3: "sound"
// is checked before the exam). The level must be what ffmpeg's volumedetect says of the same AAC
// alone (the peer, measured here in the same run), silence must fail, and audio that cannot be
// decoded must never cost the camera its pictures.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { AudioParams } from '../../src/media/types.ts';
import { adtsStream, judgeAudio, measureAudioLevel } from '../../src/readiness/audio-level.ts';
import { decodeKeyframes, decodeMany } from '../../src/readiness/decode.ts';
import { encode } from './helpers/encode.ts';

const ff = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', ...args], { maxBuffer: 64 << 20 });

/** AAC-LC at 16 kHz from a lavfi source, as a camera's RTP would carry it: raw frames + its AudioSpecificConfig. */
function aac(source: string): { frames: Uint8Array[]; params: AudioParams; adts: Buffer } {
  const adts = ff(['-f', 'lavfi', '-i', source, '-t', '3', '-ar', '16000', '-ac', '1', '-c:a', 'aac', '-f', 'adts', 'pipe:1']);
  const frames: Uint8Array[] = [];
  let header = adts.subarray(0, 7);
  for (let off = 0; off + 7 <= adts.length;) {
    const len = ((adts[off + 3] & 0x03) << 11) | (adts[off + 4] << 3) | (adts[off + 5] >> 5);
    const headerLen = adts[off + 1] & 0x01 ? 7 : 9;
    header = adts.subarray(off, off + 7);
    frames.push(adts.subarray(off + headerLen, off + len));
    off += len;
  }
  const objectType = (header[2] >> 6) + 1;
  const freqIndex = (header[2] >> 2) & 0x0f;
  const channels = ((header[2] & 0x01) << 2) | (header[3] >> 6);
  const aacConfig = Uint8Array.from([(objectType << 3) | (freqIndex >> 1), ((freqIndex & 1) << 7) | (channels << 3)]);
  return { frames, params: { codec: 'aac', sampleRate: 16000, channels, aacConfig }, adts };
}

/** The peer: ffmpeg's volumedetect on the encoder's own ADTS file. */
function peerLevel(adts: Buffer): { meanDb: number; maxDb: number } {
  const log = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-f', 'aac', '-i', 'pipe:0', '-af', 'volumedetect', '-f', 'null', '-'], { input: adts }).stderr.toString();
  return { meanDb: Number(/mean_volume: (-?[\d.]+)/.exec(log)![1]), maxDb: Number(/max_volume: (-?[\d.]+)/.exec(log)![1]) };
}

describe('AAC sound level in the keyframe decoder (R-PRE-3)', () => {
  const pictures = encode('testsrc2', 2.2, '640x360');

  it('a tone: the level equals volumedetect on the same AAC, and the pictures decode as without sound', async () => {
    const tone = aac('sine=frequency=1000:sample_rate=16000');
    const peer = peerLevel(tone.adts);
    const both = await decodeKeyframes(pictures, 'h264', { timeoutMs: 30_000, aacAdts: adtsStream(tone.frames, tone.params) });
    const alone = await decodeKeyframes(pictures, 'h264', { timeoutMs: 30_000 });
    expect(both.frames.length).toBe(3);
    expect(both.frames.length).toBe(alone.frames.length);
    expect(Buffer.from(both.frames[2].data).equals(Buffer.from(alone.frames[2].data))).toBe(true);
    expect(both.jpeg?.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(both.audioLevel).toBeDefined();
    const level = both.audioLevel as { meanDb: number; maxDb: number };
    expect(Math.abs(level.meanDb - peer.meanDb)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(level.maxDb - peer.maxDb)).toBeLessThanOrEqual(0.1);
    // The separate measurement (used when there is no picture to decode) says the same.
    expect(await measureAudioLevel(tone.frames, tone.params, { timeoutMs: 30_000 })).toEqual(level);
    expect(judgeAudio(tone.frames.length, level, true).verdict).toBe('pass');
  }, 60_000);

  it('cameras sharing one ffmpeg each get their own level: a tone passes, silence fails, as alone', async () => {
    const tone = aac('sine=frequency=1000:sample_rate=16000');
    const silence = aac('anullsrc=r=16000:cl=mono');
    const [t, s, none] = await decodeMany([
      { frames: pictures, codec: 'h264', aacAdts: adtsStream(tone.frames, tone.params) },
      { frames: pictures, codec: 'h264', aacAdts: adtsStream(silence.frames, silence.params) },
      { frames: pictures, codec: 'h264' },
    ], { timeoutMs: 30_000 });
    expect(t.audioLevel).toEqual(peerLevel(tone.adts));
    expect(judgeAudio(tone.frames.length, t.audioLevel, true).verdict).toBe('pass');
    expect(judgeAudio(silence.frames.length, s.audioLevel, true).verdict).toBe('fail');
    expect(none.audioLevel).toBeUndefined();
    for (const d of [t, s, none]) expect(d.frames.length).toBe(3);
  }, 60_000);

  it('a dead microphone (digital silence) fails as silent', async () => {
    const silence = aac('anullsrc=r=16000:cl=mono');
    const d = await decodeKeyframes(pictures, 'h264', { timeoutMs: 30_000, aacAdts: adtsStream(silence.frames, silence.params) });
    const j = judgeAudio(silence.frames.length, d.audioLevel, true);
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('无声');
  }, 60_000);

  it('sound that does not decode is a reasoned audio fail, and the pictures still decode', async () => {
    const tone = aac('sine=frequency=440:sample_rate=16000');
    // Wrong AudioSpecificConfig (object type 31: escape, not a codec) around garbage frames.
    const bad: AudioParams = { ...tone.params, aacConfig: Uint8Array.from([0xf8, 0x88]) };
    const garbage = tone.frames.map((f, i) => Uint8Array.from(f, (b, k) => (b * 31 + k + i) & 0xff));
    const d = await decodeKeyframes(pictures, 'h264', { timeoutMs: 30_000, aacAdts: adtsStream(garbage, bad) });
    expect(d.frames.length).toBe(3);
    expect(d.error).toBeUndefined();
    expect(d.audioLevel && 'error' in d.audioLevel).toBe(true);
    const j = judgeAudio(garbage.length, d.audioLevel, true);
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('音频无法解码');
  }, 60_000);
});
