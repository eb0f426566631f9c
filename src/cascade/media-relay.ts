// Relay of a lower platform's channel to our upper (province ← city ← site): the upper INVITEs a
// channel this node only knows from a lower's catalog, so this node INVITEs the lower with the
// same session (Play, Playback or Download, same range, transport and download speed), and sends
// on every frame it receives, video and audio (re-muxed to RTP/PS by the upper leg's sender). MANSRTSP from
// the upper (pause, speed, seek) goes down in the lower dialog; the lower's end of file
// (MediaStatus 121, which closes the source with 'end-of-file') is reported to the caller, which
// passes 121 up. Either side hanging up ends the other.
import type { MansRtspRequest } from './mansrtsp.ts';
import type { RtpPsSender } from './media-out.ts';
import type { GbFrameSource } from './media-in.ts';
import type { OpenLiveOptions, UpperCalls } from './upper-calls.ts';

export interface RemoteRelay {
  /** Hangs up the lower leg (our session ended). */
  stop(): void;
  /** Passes MANSRTSP down; resolves with the lower's RTSP status, rejects when it cannot be sent. */
  control(cmd: MansRtspRequest): Promise<number>;
}

/**
 * Opens `channelId` at its lower and relays its frames into `sender`. `onEnd(reason, fileEnd)`:
 * the lower leg ended by itself — `fileEnd` when the lower sent the whole file (MediaStatus 121).
 */
export function relayRemote(calls: UpperCalls, channelId: string, opts: OpenLiveOptions, sender: RtpPsSender, onEnd: (reason: string, fileEnd: boolean) => void): RemoteRelay {
  let stopped = false;
  const opening: Promise<GbFrameSource> = calls.openLive(channelId, opts);
  opening.then((src) => {
    if (stopped) return void src.stop();
    src.on('frame', (f) => {
      // No backpressure towards the lower: a TCP upper leg buffers what it cannot take yet.
      if (f.kind === 'video') sender.send(f);
      else sender.sendAudio(f, src.audio);
    });
    src.once('close', (e) => {
      if (!stopped) onEnd(e.code === 'end-of-file' ? 'end of recording' : `lower ended the stream: ${e.message}`, e.code === 'end-of-file');
    });
  }, (err: unknown) => {
    if (!stopped) onEnd(`lower refused: ${(err as Error).message}`, false);
  });
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      void opening.then((src) => src.stop(), () => undefined);
    },
    control: async (cmd) => {
      const src = await opening;
      return calls.control(src, cmd);
    },
  };
}
