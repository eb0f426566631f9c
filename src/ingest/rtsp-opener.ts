// Opens cameras over RTSP with the in-process client and turns RTP into frames. No decoding:
// frames carry the NAL units as they came (DESIGN: no decoding on the hot path).
import { EventEmitter } from 'node:events';
import { createDepacketizer } from '../media/rtp/depacketize/index.ts';
import { RtspClient, RtspClientError } from '../media/rtsp/client.ts';
import type { AudioParams, Depacketizer, VideoParams } from '../media/types.ts';
import type { CameraOpener, FrameSource, FrameSourceEvents, StreamSpec } from './source.ts';
import { OpenError } from './source.ts';

class RtspFrameSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  private readonly depacketizers: Array<Depacketizer | undefined>;
  private videoTrack = -1;

  constructor(private readonly client: RtspClient) {
    super();
    this.depacketizers = client.tracks.map((t, i) => {
      try {
        const d = createDepacketizer(t.media);
        if (t.media.type === 'video' && this.videoTrack < 0) this.videoTrack = i;
        return d;
      } catch {
        return undefined; // an unsupported extra track (e.g. metadata) is ignored
      }
    });
    client.on('rtp', (track, packet, receivedAtMs) => {
      const d = this.depacketizers[track];
      if (!d) return;
      for (const frame of d.push(packet, receivedAtMs)) this.emit('frame', frame);
    });
    client.on('sr', (track, sr) => {
      if (track === this.videoTrack) this.emit('clockOffset', Math.round(sr.ntpMs - sr.receivedAtMs));
    });
    client.once('close', (reason) => this.emit('close', reason));
  }

  get video(): VideoParams | undefined {
    return this.videoTrack >= 0 ? this.depacketizers[this.videoTrack]?.videoParams : undefined;
  }

  get audio(): AudioParams | undefined {
    for (const d of this.depacketizers) if (d?.audioParams) return d.audioParams;
    return undefined;
  }

  get droppedPackets(): number {
    let n = 0;
    for (const d of this.depacketizers) n += d?.droppedPackets ?? 0;
    return n;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

export class RtspCameraOpener implements CameraOpener {
  constructor(private readonly opts: { timeoutMs?: number; now?: () => number } = {}) {}

  async open(spec: StreamSpec): Promise<FrameSource> {
    const client = new RtspClient({
      url: spec.url,
      username: spec.username,
      password: spec.password,
      transport: spec.transport ?? 'tcp',
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      now: this.opts.now,
      userAgent: 'xuncha',
    });
    try {
      await client.start();
    } catch (err) {
      await client.stop();
      if (err instanceof RtspClientError) throw new OpenError(err.code, err.message);
      throw new OpenError('internal', (err as Error).message);
    }
    const source = new RtspFrameSource(client);
    if (source.video === undefined && !client.tracks.some((t) => t.media.type === 'video')) {
      await client.stop();
      throw new OpenError('unsupported', 'the camera offers no video track');
    }
    return source;
  }
}
