// A camera's speaker reached over its ONVIF RTSP audio back channel (src/media/rtsp/backchannel.ts):
// the console's 喊话 (src/live/talk.ts) sends the operator's voice through it. A camera without a
// speaker answers the back-channel Require with 551: that refusal is kept apart (`noSpeaker`) so the
// console can say 该摄像机没有扬声器 instead of a generic failure. A lower platform's channel is
// opened as a speaker through the cascade instead (src/cascade/upper-broadcast.ts), same shape.
import { RtspClient } from '../media/rtsp/client.ts';
import { RtspClientError } from '../media/rtsp/errors.ts';
import type { G711Law } from '../media/g711/level.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { streamSpecOf } from '../recording/camera-spec.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';

/** How long the camera may take to open its back channel. */
const BACKCHANNEL_OPEN_MS = 5000;

export interface OpenSpeaker {
  /** The law the camera plays (what it announced); `send` re-encodes the other law. */
  law: G711Law;
  /** What the audit record of the talk adds about the path (a lower platform's channel: its cascade leg). */
  detail?: Record<string, string>;
  send(law: G711Law, payload: Uint8Array): boolean;
  onClose(fn: (reason: string) => void): void;
  close(): Promise<void>;
}

export class SpeakerError extends Error {
  constructor(
    /** no_speaker: the camera has none (551); busy: it plays another voice now; failed: anything else. */
    readonly kind: 'no_speaker' | 'busy' | 'failed',
    message: string,
    /** For `failed`: a Chinese headline saying more than 无法打开摄像机扬声器 (e.g. 下级平台不在线). */
    readonly zh?: string,
  ) {
    super(message);
  }

  get noSpeaker(): boolean {
    return this.kind === 'no_speaker';
  }
}

/** Opens the back channel of the camera's main stream; SpeakerError when it cannot. */
export async function openRtspSpeaker(camera: CameraRow, box: SecretBox): Promise<OpenSpeaker> {
  const spec = streamSpecOf(camera, box, 'main');
  if (!spec || !spec.url.startsWith('rtsp')) throw new SpeakerError('no_speaker', 'the camera is not reached over RTSP, so it has no back channel here');
  const client = new RtspClient({ url: spec.url, username: spec.username, password: spec.password, backchannel: 'only', timeoutMs: BACKCHANNEL_OPEN_MS, userAgent: 'xuncha' });
  try {
    await client.start();
  } catch (e) {
    // 551 (the Require tag refused) or an SDP without a usable sendonly G.711 track: no speaker.
    const none = e instanceof RtspClientError && e.code === 'unsupported';
    throw new SpeakerError(none ? 'no_speaker' : 'failed', (e as Error).message);
  }
  return {
    law: client.backchannel?.law ?? 'pcma',
    send: (law, payload) => client.sendAudio(law, payload),
    onClose: (fn) => client.once('close', (r) => fn(`camera back channel closed: ${r.message}`)),
    close: () => client.stop(),
  };
}
