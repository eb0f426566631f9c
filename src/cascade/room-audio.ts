// The room's microphone for a two-way talk (GB/T 28181 INVITE s=Talk, this node as the lower):
// the camera's own audio as the recorder's session receives it. Only G.711 is offered up — it goes
// into the talk's RTP as it comes (re-encoded per byte when the upper took the other law); an AAC
// camera would need a decoder and keeps the talk one-way (voice-broadcast.ts).
import type { CameraSupervisor } from '../ingest/supervisor.ts';
import type { G711Law } from '../media/g711/level.ts';
import type { MediaFrame } from '../media/types.ts';

export interface RoomAudio {
  /** The law the camera sends. */
  law: G711Law;
  /** Calls `fn` with each audio payload from now on; returns the unsubscribe. */
  subscribe(fn: (payload: Uint8Array) => void): () => void;
}

/** The camera's G.711 audio, or undefined when it is not being received here or is not G.711. */
export function roomAudioOf(sup: CameraSupervisor | undefined): RoomAudio | undefined {
  const codec = sup?.audio?.codec;
  if (!sup || (codec !== 'pcma' && codec !== 'pcmu')) return undefined;
  return {
    law: codec,
    subscribe(fn) {
      const onFrame = (f: MediaFrame): void => {
        if (f.kind === 'audio') fn(f.data);
      };
      sup.on('frame', onFrame);
      return () => sup.off('frame', onFrame);
    },
  };
}
