// The broadcast/talk audio receiver (issue 15): plain G.711 RTP over UDP and over TCP with RFC 4571
// framing (the upper connects); other payload types and junk are counted, not forwarded.
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { frameRfc4571 } from '../media/ps/index.ts';
import { serializeRtpPacket } from '../media/rtp/packet.ts';
import { G711RtpReceiver } from './audio-in.ts';

const rtp = (pt: number, seq: number, fill: number) => serializeRtpPacket({ payloadType: pt, sequence: seq, timestamp: seq * 160, ssrc: 1, marker: false, payload: new Uint8Array(160).fill(fill) });

describe('G711RtpReceiver', () => {
  it('UDP: PCMA and PCMU packets come out with their law; another payload type and junk are dropped', async () => {
    const { receiver, port } = await G711RtpReceiver.listen('udp', '127.0.0.1');
    const got: string[] = [];
    receiver.on('audio', (law, p) => got.push(`${law}:${p.length}:${p[0]}`));
    const udp = createSocket('udp4');
    for (const b of [rtp(8, 1, 0xd5), rtp(0, 2, 0xff), rtp(96, 3, 1), Buffer.from('junk')]) udp.send(b, port, '127.0.0.1');
    const end = Date.now() + 3000;
    while (receiver.packets + receiver.dropped < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    udp.close();
    expect(got).toEqual(['pcma:160:213', 'pcmu:160:255']);
    expect(receiver.dropped).toBe(2);
    receiver.close('test over');
  });

  it('TCP: RFC 4571-framed packets split across writes are reassembled; the sender closing ends the leg', async () => {
    const { receiver, port } = await G711RtpReceiver.listen('tcp', '127.0.0.1');
    let bytes = 0;
    receiver.on('audio', (_law, p) => (bytes += p.length));
    const closed = once(receiver, 'close');
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    const stream = Buffer.concat([frameRfc4571(rtp(8, 1, 0xd5)), frameRfc4571(rtp(8, 2, 0xd5))]);
    sock.write(stream.subarray(0, 100));
    await new Promise((r) => setTimeout(r, 20));
    sock.end(stream.subarray(100));
    const [reason] = await closed;
    expect(bytes).toBe(320);
    expect(reason).toBe('the upper closed the audio connection');
  });

  it('ends a leg that stays silent for stallMs', async () => {
    const { receiver } = await G711RtpReceiver.listen('udp', '127.0.0.1', 200);
    const [reason] = await once(receiver, 'close');
    expect(reason).toBe('no audio for 200 ms');
  });
});
