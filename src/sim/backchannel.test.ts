// ONVIF audio back channel end to end between our RTSP client and the camera simulator (issue 15,
// R-FN-3): a tone sent to a camera's speaker arrives with its packets, level and pitch intact; a
// camera without a speaker refuses the Require tag with 551 and the client says so clearly; junk
// on the back channel is counted, not played.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './simulator.ts';
import { RawRtspClient } from './testing.ts';
import { RtspClient, RtspClientError } from '../media/rtsp/client.ts';
import { encodeG711 } from '../media/g711/encode.ts';
import { toneSamples } from '../media/g711/tone.ts';
import { serializeRtpPacket } from '../media/rtp/packet.ts';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    controlPort: 0,
    cameras: [
      { id: 'room1', audio: 'pcma', speaker: true },
      { id: 'room2', audio: 'aac', speaker: true },
      { id: 'mute', audio: 'pcma' },
    ],
  });
});
afterAll(async () => {
  await sim?.close();
});

async function until<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One second of a tone as 50 payloads of 20 ms in `law`. */
function tone(law: 'pcma' | 'pcmu', hz: number, peakDbfs: number): Uint8Array[] {
  return Array.from({ length: 50 }, (_, i) => encodeG711(law, toneSamples(hz, peakDbfs, 160, 8000, i * 160)));
}

describe('RTSP back channel (ONVIF Streaming §5.3) against the simulator', () => {
  it('a 1 kHz tone sent to the speaker arrives complete: 50 packets, 8000 bytes, 1000 Hz, level −15 dBFS', async () => {
    const client = new RtspClient({ url: sim.url('room1'), backchannel: 'only' });
    await client.start();
    expect(client.tracks).toHaveLength(1);
    expect(client.backchannel).toMatchObject({ law: 'pcma', payloadType: 8 });
    for (const p of tone('pcma', 1000, -12)) expect(client.sendAudio('pcma', p)).toBe(true);
    const heard = await until(() => { const r = sim.speaker('room1'); return r && r.packets >= 50 ? r : undefined; });
    expect(heard).toMatchObject({ speaker: true, sessions: 1, packets: 50, bytes: 8000, lost: 0, malformed: 0, wrongPayloadType: 0 });
    expect(heard.toneHz).toBeGreaterThan(999);
    expect(heard.toneHz).toBeLessThan(1001);
    // A sine's mean power is 3 dB under its peak.
    expect(heard.meanDb).toBeGreaterThan(-15.5);
    expect(heard.meanDb).toBeLessThan(-14.5);
    expect(client.backchannel).toMatchObject({ packetsSent: 50, bytesSent: 8000 });
    await client.stop();
    await until(() => (sim.speaker('room1')!.sessions === 0 ? true : undefined));
  });

  it('μ-law audio is re-encoded for an A-law speaker; video and audio still play alongside', async () => {
    const client = new RtspClient({ url: sim.url('room2'), backchannel: 'with-media' });
    let rtp = 0;
    client.on('rtp', () => rtp++);
    await client.start();
    expect(client.tracks.map((t) => t.media.encoding)).toEqual(['H264', 'MPEG4-GENERIC', 'PCMA']);
    for (const p of tone('pcmu', 440, -6)) client.sendAudio('pcmu', p);
    const heard = await until(() => { const r = sim.speaker('room2'); return r && r.packets >= 50 ? r : undefined; });
    expect(heard.toneHz).toBeCloseTo(440, 0);
    expect(heard.maxDb).toBeCloseTo(-6, 0);
    await until(() => (rtp > 10 ? true : undefined));
    await client.stop();
  });

  it('a camera without a speaker answers 551 and the client reports that it has no back channel', async () => {
    const client = new RtspClient({ url: sim.url('mute'), backchannel: 'only', timeoutMs: 3000 });
    const err = await client.start().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RtspClientError);
    expect(err).toMatchObject({ code: 'unsupported', statusCode: 551 });
    expect((err as Error).message).toContain('no audio back channel');
    const raw = await RawRtspClient.connect(sim.url('mute'));
    const r = await raw.request('DESCRIBE', sim.url('mute'), { Require: 'www.onvif.org/ver20/backchannel' });
    expect(r.status).toBe(551);
    expect(r.headers.get('unsupported')).toBe('www.onvif.org/ver20/backchannel');
    // Without the tag the camera plays as before, and its SDP has no back channel.
    const plain = await raw.request('DESCRIBE', sim.url('mute'));
    expect(plain.status).toBe(200);
    expect(plain.body).not.toContain('sendonly');
    await raw.close();
  });

  it('junk and a wrong payload type on the back channel are counted, not played; the control API reports it', async () => {
    const before = sim.speaker('room1')!;
    const raw = await RawRtspClient.connect(sim.url('room1'));
    const url = sim.url('room1');
    const d = await raw.request('DESCRIBE', url, { Require: 'www.onvif.org/ver20/backchannel' });
    expect(d.body).toContain("a=rtpmap:8 PCMA/8000\r\na=sendonly\r\na=control:trackID=3");
    // The track does not exist for a client that did not ask for it.
    expect((await raw.request('SETUP', `${url}/trackID=3`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' })).status).toBe(404);
    const s = await raw.request('SETUP', `${url}/trackID=3`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=4-5', Require: 'www.onvif.org/ver20/backchannel' });
    expect(s.status).toBe(200);
    const session = (s.headers.get('session') ?? '').split(';')[0];
    expect((await raw.request('PLAY', `${url}/`, { Session: session, Require: 'www.onvif.org/ver20/backchannel' })).status).toBe(200);
    raw.sendInterleaved(4, Buffer.from('not an rtp packet'));
    raw.sendInterleaved(4, serializeRtpPacket({ payloadType: 0, sequence: 1, timestamp: 0, ssrc: 7, marker: false, payload: new Uint8Array(160) }));
    await until(() => { const r = sim.speaker('room1')!; return r.malformed > before.malformed && r.wrongPayloadType > before.wrongPayloadType ? true : undefined; });
    expect(sim.speaker('room1')!.packets).toBe(before.packets);
    const res = await fetch(`http://127.0.0.1:${sim.controlPort}/cameras/room1/speaker?windowMs=500`);
    expect(await res.json()).toMatchObject({ speaker: true, windowMs: 500, malformed: before.malformed + 1 });
    expect((await fetch(`http://127.0.0.1:${sim.controlPort}/cameras/room1/speaker?windowMs=abc`)).status).toBe(400);
    await raw.close();
  });

  it('the client refuses a back channel over UDP (this simulator and our sender use TCP interleaved)', async () => {
    const udp = new RtspClient({ url: sim.url('room1'), backchannel: 'only', transport: 'udp' });
    await expect(udp.start()).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('TCP') });
  });
});
