// The cascade's RTP/PS sender carries the camera's sound with the pictures (R-PRE-2, R-PRE-3: an
// upper's readiness probe measures the level of what it receives): every audio frame after the
// first keyframe arrives at the receiver, on the video's time line, and the receiver learns the
// audio's codec and rate from the stream itself.
import { describe, expect, it } from 'vitest';
import { loadClips } from '../sim/index.ts';
import type { AudioFrame, AudioParams, MediaFrame } from '../media/types.ts';
import { GbFrameSource } from './media-in.ts';
import { psAudioOf, RtpPsSender } from './media-out.ts';

const clip = (await loadClips()).video.sub;
const SSRC = 1234;

async function roundTrip(audio: AudioParams, audioFrame: (i: number) => Uint8Array, samplesPerFrame: number): Promise<{ frames: MediaFrame[]; params?: AudioParams; sent: number }> {
  const { source, port } = await GbFrameSource.listen({ transport: 'udp', bindHost: '127.0.0.1', ssrc: SSRC });
  const frames: MediaFrame[] = [];
  source.on('frame', (f) => frames.push(f));
  const { sender } = await RtpPsSender.open({ ip: '127.0.0.1', port, transport: 'udp' }, SSRC, '127.0.0.1');
  // 2 s: video at 25 fps (keyframe every second), audio frames every 20 ms on their own clock
  // (a base far from the video's, as a camera's two RTP clocks are).
  const t0 = 1_000_000;
  let audioPts = 77_777;
  let a = 0;
  for (let v = 0; v < 50; v++) {
    const atMs = t0 + v * 40;
    const key = v % 25 === 0;
    const nal = new Uint8Array(200).fill(v);
    nal[0] = key ? 0x65 : 0x41;
    sender.send({ kind: 'video', pts90k: 5_000_000 + v * 3600, keyframe: key, nalus: key ? [clip.sps, clip.pps, nal] : [nal], receivedAtMs: atMs });
    for (; t0 + a * 20 < atMs + 40; a++) {
      const f: AudioFrame = { kind: 'audio', pts: audioPts, samples: samplesPerFrame, data: audioFrame(a), receivedAtMs: t0 + a * 20 };
      audioPts += samplesPerFrame;
      sender.sendAudio(f, audio);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 300));
  const params = source.audio;
  sender.close();
  await source.stop();
  return { frames, params, sent: sender.audioFramesSent };
}

describe('RTP/PS sender: sound through the cascade (R-PRE-2, R-PRE-3)', () => {
  it('G.711: every frame after the first keyframe arrives, in order, on the video time line', async () => {
    const { frames, params, sent } = await roundTrip({ codec: 'pcma', sampleRate: 8000, channels: 1 }, (i) => new Uint8Array(160).fill(0xd5 ^ (i & 1)), 160);
    expect(params).toEqual({ codec: 'pcma', sampleRate: 8000, channels: 1 });
    const audio = frames.filter((f): f is AudioFrame => f.kind === 'audio');
    // 100 frames in 2 s, all sent (a keyframe came first); the receiver holds the last until the next PTS.
    expect(sent).toBe(100);
    expect(audio.length).toBeGreaterThanOrEqual(sent - 1);
    expect(audio.every((f) => f.data.length === 160)).toBe(true);
    const steps = audio.slice(1).map((f, i) => f.pts - audio[i].pts);
    expect(new Set(steps)).toEqual(new Set([160]));
    // Placed on the video's clock (5,000,000 / 90 kHz ≈ 55.6 s), not the camera's audio clock.
    const firstVideo = frames.find((f) => f.kind === 'video')!;
    expect(Math.abs((audio[0].pts * 90_000) / 8000 - (firstVideo.kind === 'video' ? firstVideo.pts90k : 0))).toBeLessThan(90 * 100);
  });

  it('AAC: carried in ADTS, the receiver rebuilds the AudioSpecificConfig a level measurement needs', async () => {
    const cfg = Uint8Array.of(0x14, 0x08); // AAC-LC, 16 kHz, mono
    const { frames, params } = await roundTrip({ codec: 'aac', sampleRate: 16000, channels: 1, aacConfig: cfg }, (i) => new Uint8Array(50).fill(i & 0xff), 1024);
    expect(params).toMatchObject({ codec: 'aac', sampleRate: 16000, channels: 1, aacConfig: cfg });
    expect(frames.filter((f) => f.kind === 'audio').length).toBeGreaterThan(25);
  });

  it('audio it cannot put in a PS (AAC without a config) is not sent; video goes on', () => {
    expect(psAudioOf({ codec: 'aac', sampleRate: 16000, channels: 1 })).toBeUndefined();
    expect(psAudioOf(undefined)).toBeUndefined();
    expect(psAudioOf({ codec: 'pcmu', sampleRate: 8000, channels: 1 })).toEqual({ codec: 'pcmu', sampleRate: 8000, channels: 1 });
  });
});
