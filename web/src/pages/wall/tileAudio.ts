// Per-tile sound (issue 14 item 8): an audio-only WebRTC connection to POST /api/live/audio, which
// sends the camera's G.711 (AAC cameras transcoded on the server). MSE cannot play G.711, so the
// picture stays on the fMP4 socket and the sound comes beside it; lip sync is not attempted (both
// are ~0.2–0.5 s behind the camera). Muted by default; each tile opens its own while sound is on.
import { request } from '../../api.ts';
import { liveToken } from './liveClient.ts';

export interface TileAudio {
  codec: string;
  /** The element playing the sound (tests read its stream's stats). */
  element: HTMLAudioElement;
  pc: RTCPeerConnection;
  close(): void;
}

export async function openTileAudio(cameraId: number): Promise<TileAudio> {
  const token = await liveToken([cameraId], 'main');
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const element = document.createElement('audio');
  element.autoplay = true;
  pc.ontrack = (e) => {
    element.srcObject = new MediaStream([e.track]);
    void element.play().catch(() => undefined);
  };
  let id: string | undefined;
  const close = () => {
    pc.close();
    element.srcObject = null;
    if (id) void request('POST', `/api/live/webrtc/${id}/close`, {}).catch(() => undefined);
  };
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((res) => {
      if (pc.iceGatheringState === 'complete') return res();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && res();
      setTimeout(res, 1000);
    });
    const ans = await request<{ id: string; sdp: string; codec: string }>('POST', '/api/live/audio', { token, cameraId, sdp: pc.localDescription?.sdp ?? '' });
    id = ans.id;
    await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
    return { codec: ans.codec, element, pc, close };
  } catch (err) {
    close();
    throw err;
  }
}
