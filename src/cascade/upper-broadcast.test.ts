// The upper's half of a voice broadcast (issue 15, R-FN-3): the Broadcast Notify we send is what
// our lower half reads; the lower's Response (OK / ERROR with its Reason) is read back and its
// refusals worded for the console; our RTP sender meets our lower's receiver over UDP and TCP (either side connecting).
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildBroadcastNotify, parseManscdp, readBroadcast, readBroadcastAnswer } from '../gb28181/index.ts';
import type { OtherMessage } from '../gb28181/index.ts';
import { encodeG711, transcodeG711 } from '../media/g711/encode.ts';
import { Rfc4571Deframer } from '../media/ps/index.ts';
import { parseRtpPacket } from '../media/rtp/packet.ts';
import { G711RtpReceiver } from './audio-in.ts';
import { G711RtpSender } from './audio-out.ts';
import { responseXml } from './lower-commands.ts';
import { refusalOfLower } from './upper-broadcast.ts';
import { isBroadcast, NO_AUDIO_OUTPUT } from './voice.ts';

const SOURCE = '32010000001360000001';
const TARGET = '32010600001310000001';

describe('Broadcast as the upper: the Notify and the answer (R-FN-3)', () => {
  it('our Notify is a Broadcast our lower half reads: SourceID, TargetID, SN', () => {
    const msg = parseManscdp(buildBroadcastNotify({ sn: 17, sourceId: SOURCE, targetId: TARGET })) as OtherMessage;
    expect(isBroadcast(msg)).toBe(true);
    expect(msg.sn).toBe(17);
    expect(readBroadcast(msg.tree)).toEqual({ sourceId: SOURCE, targetId: TARGET });
  });

  it('the lower\'s Response: OK, ERROR with its Reason; other answers are not Broadcast answers', () => {
    const ok = parseManscdp(responseXml('Broadcast', 17, TARGET, [{ name: 'Result', text: 'OK' }]));
    expect(readBroadcastAnswer(ok)).toEqual({ ok: true });
    const err = parseManscdp(responseXml('Broadcast', 17, TARGET, [{ name: 'Result', text: 'ERROR' }, { name: 'Reason', text: 'busy now' }]));
    expect(readBroadcastAnswer(err)).toEqual({ ok: false, reason: 'busy now' });
    const bare = parseManscdp(responseXml('Broadcast', 17, TARGET, []));
    expect(readBroadcastAnswer(bare)).toEqual({ ok: false, reason: 'the answer has no Result' });
    expect(readBroadcastAnswer(parseManscdp(responseXml('PresetQuery', 17, TARGET, [{ name: 'Result', text: 'OK' }])))).toBeUndefined();
  });

  it('the lower\'s refusals as the console says them: its 551 is no speaker, a running broadcast is busy, the rest its reason', () => {
    // The reasons our own lower half gives (voice-broadcast.ts, voice.ts).
    expect(refusalOfLower('L', 'no audio output: the speaker of cam-mute could not be opened: the camera has no audio back channel (551 Option not supported)').kind).toBe('no_speaker');
    expect(refusalOfLower('L', NO_AUDIO_OUTPUT).kind).toBe('no_speaker');
    expect(refusalOfLower('L', `a broadcast to ${TARGET} is already in progress`).kind).toBe('busy');
    const unreachable = refusalOfLower('L', 'no audio output: the speaker of cam-a could not be opened: connect ECONNREFUSED 127.0.0.1:554');
    expect([unreachable.kind, unreachable.zh]).toEqual(['failed', '下级平台拒绝了广播']);
    expect(unreachable.message).toBe('lower platform L answered ERROR: no audio output: the speaker of cam-a could not be opened: connect ECONNREFUSED 127.0.0.1:554');
    expect(refusalOfLower('L', `unknown target ${TARGET}: not a camera of this node`).zh).toBe('下级平台没有该通道');
  });
});

describe('G711RtpSender (the upper\'s audio out) meets G711RtpReceiver (the lower\'s audio in)', () => {
  it('UDP: 20 ms packets in the law the lower took (PCMU re-encoded to PCMA), the SSRC it named, no gap', async () => {
    const { receiver, port } = await G711RtpReceiver.listen('udp', '127.0.0.1');
    const got: Uint8Array[] = [];
    receiver.on('audio', (law, p) => {
      if (law === 'pcma') got.push(p.slice());
    });
    // The wire, as seen by a socket standing in for the lower: SSRC and sequence.
    const tap = createSocket('udp4');
    await new Promise<void>((r) => tap.bind(0, '127.0.0.1', () => r()));
    const seen: Array<{ ssrc: number; seq: number; pt: number }> = [];
    tap.on('message', (buf) => {
      const p = parseRtpPacket(buf);
      seen.push({ ssrc: p.ssrc, seq: p.sequence, pt: p.payloadType });
    });
    const { sender: a } = await G711RtpSender.udp('127.0.0.1', { host: '127.0.0.1', port }, 'pcma', 100_000_002);
    const { sender: b } = await G711RtpSender.udp('127.0.0.1', { host: '127.0.0.1', port: tap.address().port }, 'pcma', 100_000_002);
    const tone = new Int16Array(320).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (let i = 0; i < 10; i++) {
      a.send('pcmu', encodeG711('pcmu', tone)); // 40 ms in: two packets out
      b.send('pcma', encodeG711('pcma', tone));
    }
    const end = Date.now() + 3000;
    while ((got.length < 20 || seen.length < 20) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(a.packets).toBe(20);
    expect(got.length).toBe(20);
    expect(got.every((p) => p.length === 160)).toBe(true);
    // Re-encoded, not passed through: the μ-law bytes became the A-law of the same samples.
    expect(Buffer.concat(got.slice(0, 2))).toEqual(Buffer.from(transcodeG711('pcmu', 'pcma', encodeG711('pcmu', tone))));
    expect(Buffer.concat(got.slice(0, 2))).not.toEqual(Buffer.from(encodeG711('pcmu', tone)));
    expect(seen.length).toBe(20);
    expect(seen.every((s, i) => s.ssrc === 100_000_002 && s.pt === 8 && s.seq === ((seen[0].seq + i) & 0xffff))).toBe(true);
    a.close('test over');
    b.close('test over');
    receiver.close('test over');
    tap.close();
  });

  it('TCP: we connect to where the lower listens (its a=setup:passive) and frame RFC 4571; its closing ends the sender', async () => {
    const { receiver, port } = await G711RtpReceiver.listen('tcp', '127.0.0.1');
    let packets = 0;
    receiver.on('audio', () => packets++);
    const { sender } = await G711RtpSender.tcp({ host: '127.0.0.1', port }, 'pcmu', 5);
    for (let i = 0; i < 25; i++) sender.send('pcmu', new Uint8Array(160).fill(0xff));
    const end = Date.now() + 3000;
    while (packets < 25 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(packets).toBe(25);
    const closed = new Promise<string>((r) => sender.once('close', r));
    receiver.close('lower hung up');
    expect(await closed).toBe('the lower platform closed the audio connection');
    expect(sender.send('pcmu', new Uint8Array(160))).toBe(false);
  });

  it('TCP: a lower that connects to us (its a=setup:active) gets RFC 4571 framed PCMA with its SSRC, no gap; what was sent before it connected is counted dropped', async () => {
    const { sender, port } = await G711RtpSender.tcpListen('127.0.0.1', 'pcma', 77);
    expect(sender.send('pcma', new Uint8Array(160))).toBe(true); // nobody connected yet
    expect([sender.packets, sender.dropped]).toEqual([0, 1]);
    const seen: Array<{ ssrc: number; seq: number; pt: number; bytes: number }> = [];
    const deframer = new Rfc4571Deframer();
    const lower = connect({ host: '127.0.0.1', port });
    lower.on('data', (chunk: Buffer) => {
      for (const p of deframer.push(chunk)) {
        const r = parseRtpPacket(p);
        seen.push({ ssrc: r.ssrc, seq: r.sequence, pt: r.payloadType, bytes: r.payload.length });
      }
    });
    await new Promise<void>((r) => lower.once('connect', () => r()));
    // A second connection is not a second receiver.
    const intruder = connect({ host: '127.0.0.1', port });
    intruder.on('error', () => undefined);
    const end0 = Date.now() + 3000;
    while (!sender.connected && Date.now() < end0) await new Promise((r) => setTimeout(r, 10));
    expect(sender.connected).toBe(true);
    for (let i = 0; i < 25; i++) sender.send('pcma', new Uint8Array(160).fill(0xd5));
    const end = Date.now() + 3000;
    while (seen.length < 25 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(seen.length).toBe(25);
    expect(seen.every((s, i) => s.ssrc === 77 && s.pt === 8 && s.bytes === 160 && s.seq === ((seen[0].seq + i) & 0xffff))).toBe(true);
    const closed = new Promise<string>((r) => sender.once('close', r));
    lower.destroy();
    intruder.destroy();
    expect(await closed).toBe('the lower platform closed the audio connection');
  });

  it('TCP: a lower that never connects to our port closes the sender with the reason, not a hang', async () => {
    const { sender } = await G711RtpSender.tcpListen('127.0.0.1', 'pcmu', 1, 200);
    const reason = await new Promise<string>((r) => sender.once('close', r));
    expect(reason).toBe('the lower platform did not connect to our TCP audio port within 200 ms');
    expect(sender.send('pcmu', new Uint8Array(160))).toBe(false);
  });

  it('TCP: a lower that does not listen is a failure to open, not a hang', async () => {
    const server = createServer((s: Socket) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    const freePort = typeof addr === 'object' && addr ? addr.port : 0;
    await new Promise<void>((r) => server.close(() => r()));
    await expect(G711RtpSender.tcp({ host: '127.0.0.1', port: freePort }, 'pcma', 1)).rejects.toThrow(/ECONNREFUSED/);
  });
});
