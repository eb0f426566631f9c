// 喊话 from a wall tile (issue 15): the operator's microphone, sent over WebRTC to POST
// /api/live/talk, which forwards it to the camera's speaker. Only G.711 is offered (PCMA first,
// then PCMU): the server passes it through to the camera's back channel without transcoding.
// Echo cancellation and noise suppression stay on (a duty room is not quiet).
import { request } from '../../api.ts';
import { liveToken } from './liveClient.ts';

export interface TileTalk {
  codec: string;
  pc: RTCPeerConnection;
  close(): void;
  /** Called when the connection ends without the operator stopping it. */
  onEnded?: () => void;
}

export async function openTileTalk(cameraId: number): Promise<TileTalk> {
  const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, channelCount: 1 } });
  const pc = new RTCPeerConnection({ iceServers: [] });
  const track = mic.getAudioTracks()[0];
  const tx = pc.addTransceiver(track, { direction: 'sendonly', streams: [mic] });
  const codecs = RTCRtpSender.getCapabilities?.('audio')?.codecs ?? [];
  const g711 = ['audio/PCMA', 'audio/PCMU'].flatMap((m) => codecs.filter((c) => c.mimeType.toLowerCase() === m.toLowerCase()));
  if (g711.length > 0 && tx.setCodecPreferences) tx.setCodecPreferences(g711);
  let id: string | undefined;
  let closed = false;
  const talk: TileTalk = {
    codec: '',
    pc,
    close: () => {
      if (closed) return;
      closed = true;
      for (const t of mic.getTracks()) t.stop();
      pc.close();
      if (id) void request('POST', `/api/live/talk/${id}/close`, {}).catch(() => undefined);
    },
  };
  pc.onconnectionstatechange = () => {
    if (!closed && (pc.connectionState === 'failed' || pc.connectionState === 'disconnected' || pc.connectionState === 'closed')) {
      talk.close();
      talk.onEnded?.();
    }
  };
  try {
    const token = await liveToken([cameraId], 'main');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((res) => {
      if (pc.iceGatheringState === 'complete') return res();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && res();
      setTimeout(res, 1000);
    });
    const ans = await request<{ id: string; sdp: string; codec: string }>('POST', '/api/live/talk', { token, cameraId, sdp: pc.localDescription?.sdp ?? '' });
    id = ans.id;
    talk.codec = ans.codec;
    await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
    return talk;
  } catch (err) {
    talk.close();
    throw err;
  }
}
