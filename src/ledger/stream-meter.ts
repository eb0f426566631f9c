// Stream statistics of a camera between two health samples (issue 19 item 2): video bytes and
// frames, RTP packets lost, and the latest clock offset, counted from the recorder's own session
// (the supervisor's `frame` / `clockOffset` events; no second connection). One listener pair per
// camera; a camera whose session object changed (reconnected supervisor) is re-attached.

/** What the meter listens to (a CameraSupervisor, structurally: the ledger does not import ingest). */
export interface StreamLike {
  on(e: 'frame', fn: (f: FrameLike, note?: { lost: number }) => void): unknown;
  on(e: 'clockOffset', fn: (ms: number) => void): unknown;
  off(e: 'frame', fn: (f: FrameLike, note?: { lost: number }) => void): unknown;
  off(e: 'clockOffset', fn: (ms: number) => void): unknown;
}
export type FrameLike = { kind: 'video'; nalus: Uint8Array[] } | { kind: 'audio' };

export interface StreamReading {
  bitrateKbps: number;
  /** Video frames per second. */
  fps: number;
  lostPackets: number;
  /** Camera − node clock, ms, the latest seen (kept across readings: RTCP SRs are rare). */
  clockOffsetMs: number | null;
}

interface Attached {
  stream: StreamLike;
  bytes: number;
  frames: number;
  lost: number;
  clockOffsetMs: number | null;
  sinceMs: number;
  onFrame: (f: FrameLike, note?: { lost: number }) => void;
  onOffset: (ms: number) => void;
}

export class StreamMeter {
  private readonly cams = new Map<number, Attached>();

  /**
   * The figures since the previous reading of this camera, then restarts counting; null when the
   * meter only now started listening (nothing counted yet) or the camera has no session.
   */
  read(cameraId: number, stream: StreamLike | undefined, nowMs: number): StreamReading | null {
    const a = this.cams.get(cameraId);
    if (!stream) {
      if (a) this.detach(cameraId, a);
      return null;
    }
    if (!a || a.stream !== stream) {
      if (a) this.detach(cameraId, a);
      this.attach(cameraId, stream, nowMs);
      return null;
    }
    const seconds = Math.max(0.001, (nowMs - a.sinceMs) / 1000);
    const r: StreamReading = { bitrateKbps: (a.bytes * 8) / 1000 / seconds, fps: a.frames / seconds, lostPackets: a.lost, clockOffsetMs: a.clockOffsetMs };
    a.bytes = 0;
    a.frames = 0;
    a.lost = 0;
    a.sinceMs = nowMs;
    return r;
  }

  /** Stops listening to every camera, or to the ones not in `keep`. */
  detachAll(keep?: ReadonlySet<number>): void {
    for (const [id, a] of this.cams) if (!keep?.has(id)) this.detach(id, a);
  }

  private attach(cameraId: number, stream: StreamLike, nowMs: number): void {
    const a: Attached = {
      stream, bytes: 0, frames: 0, lost: 0, clockOffsetMs: null, sinceMs: nowMs,
      onFrame: (f, note) => {
        if (f.kind !== 'video') return;
        a.frames++;
        for (const n of f.nalus) a.bytes += n.byteLength;
        a.lost += note?.lost ?? 0;
      },
      onOffset: (ms) => {
        a.clockOffsetMs = ms;
      },
    };
    stream.on('frame', a.onFrame);
    stream.on('clockOffset', a.onOffset);
    this.cams.set(cameraId, a);
  }

  private detach(cameraId: number, a: Attached): void {
    a.stream.off('frame', a.onFrame);
    a.stream.off('clockOffset', a.onOffset);
    this.cams.delete(cameraId);
  }
}
