// What the ingest layer hands to consumers: frames of one camera stream, whatever the protocol.
// Cameras are opened through an injected CameraOpener, so tests can feed a bundled clip with
// simulated time instead of a network camera (moonfire-nvr style).
import type { EventEmitter } from 'node:events';
import type { AudioParams, MediaFrame, VideoParams } from '../media/types.ts';
import type { StatedClock } from '../media/rtsp/date-clock.ts';

export interface StreamSpec {
  cameraId: number;
  stream: 'main' | 'sub';
  /** rtsp://host:port/path, without credentials. */
  url: string;
  username?: string;
  password?: string;
  transport?: 'tcp' | 'udp';
}

export interface SessionEnd {
  /** eof, timeout, stall, garbage, codec-mismatch, refused, auth, protocol, network, rtsp-status, unsupported, stopped, internal; end-of-file (a GB/T 28181 Playback/Download sent completely: MediaStatus 121). */
  code: string;
  message: string;
}

export interface FrameSourceEvents {
  frame: [MediaFrame];
  /** Camera clock minus server clock, ms, each time an RTCP sender report arrives. */
  clockOffset: [number];
  close: [SessionEnd];
}

/** One open session with a camera. Emits 'close' exactly once. */
export interface FrameSource extends EventEmitter<FrameSourceEvents> {
  readonly video?: VideoParams;
  readonly audio?: AudioParams;
  /**
   * RTP packets dropped as malformed (or not of the SDP's codec), plus bytes that were neither RTSP
   * nor RTP, so far: tells a garbage-sending camera from a silent one.
   */
  readonly droppedPackets: number;
  /** RTP packets that never arrived (sequence gaps) so far, when the protocol knows; tells loss from a stall. */
  readonly lostPackets?: number;
  /** The camera's clock as the protocol's own replies state it (RTSP Date headers), when they do. */
  readonly statedClock?: StatedClock;
  /**
   * Asks the camera for a keyframe now (RTSP: RTCP PLI + FIR on the video track's RTCP channel).
   * Returns how the request went out, or undefined when this session has no way to ask.
   */
  requestKeyframe?(): string | undefined;
  stop(): Promise<void>;
}

export interface CameraOpener {
  /**
   * Opens a session; rejects with a SessionEnd-shaped error when the camera cannot be reached.
   * `signal` aborts an attempt still in progress (the supervisor was stopped): the attempt closes
   * its connection and rejects with code 'stopped' instead of waiting for its timeout.
   */
  open(spec: StreamSpec, signal?: AbortSignal): Promise<FrameSource>;
}

export class OpenError extends Error implements SessionEnd {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OpenError';
  }
}
