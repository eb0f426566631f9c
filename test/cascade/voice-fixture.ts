// The set-up the voice e2e tests of the lower role share (voice-broadcast.e2e.test.ts): simulated
// cameras (some with a speaker), a raw SIP upper, and a site registered to it over UDP or TCP with
// those cameras added (and recorded, when the room's microphone is wanted: two-way talk).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { SipDestination } from '../../src/gb28181/index.ts';
import { encodeG711 } from '../../src/media/g711/encode.ts';
import type { G711Law } from '../../src/media/g711/level.ts';
import { toneSamples } from '../../src/media/g711/tone.ts';
import { serializeRtpPacket } from '../../src/media/rtp/packet.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { SimCameraConfig, Simulator } from '../../src/sim/index.ts';
import { RawUpper } from './raw-upper.ts';
import { addSimCameras, PASSWORD, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

export interface VoiceSite {
  sim: Simulator;
  upper: RawUpper;
  site: Level;
  cams: Record<string, { id: number; gb: string }>;
  /** The site's SIP address on the link's transport (where the upper sends). */
  dest: SipDestination;
  close(): Promise<void>;
}

/**
 * Starts the simulator, the raw upper (`configure` sets its INVITE answer before the site can
 * call), and the site registered to it; resolves once both sides see the registration.
 */
export async function startVoiceSite(opts: { upperId: string; cameras: SimCameraConfig[]; transport?: 'udp' | 'tcp'; recorder?: boolean; configure?: (upper: RawUpper) => void }): Promise<VoiceSite> {
  const transport = opts.transport ?? 'udp';
  let sim: Simulator | undefined;
  let upper: RawUpper | undefined;
  let site: Level | undefined;
  const close = async (): Promise<void> => {
    await stopLevels([site]);
    await upper?.close();
    await sim?.close();
  };
  try {
    sim = await startSimulator({ cameras: opts.cameras });
    upper = await RawUpper.start(opts.upperId);
    opts.configure?.(upper);
    const port = transport === 'tcp' ? upper.node.transport.tcpPort! : upper.port;
    site = await startLevel(SITE, undefined, {
      recorder: opts.recorder,
      sip: { upper: { id: opts.upperId, host: '127.0.0.1', port, password: PASSWORD, transport, keepaliveS: 30, expiresS: 3600 } },
    });
    const cams = await addSimCameras(site, sim.port, opts.cameras.map((c) => c.id));
    if (opts.recorder) await site.t.app.recorder.start();
    await site.cascade.start();
    const t = site.cascade.node!.transport;
    const dest: SipDestination = { host: '127.0.0.1', port: (transport === 'tcp' ? t.tcpPort : t.udpPort)!, transport };
    const u = upper;
    await until('site registered', () => u.registered && site!.cascade.link!.registered);
    return { sim, upper, site, cams, dest, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Sends `packets` × 20 ms of a tone as G.711 RTP from a fresh UDP socket, paced as a real sender; returns the socket (closed by the caller). */
export async function sendTone(to: { host: string; port: number }, tone: { hz: number; peakDbfs: number; packets: number; ssrc: number; law?: G711Law; firstSeq?: number }): Promise<Socket> {
  const law = tone.law ?? 'pcma';
  const udp = createSocket('udp4');
  for (let i = 0; i < tone.packets; i++) {
    const payload = encodeG711(law, toneSamples(tone.hz, tone.peakDbfs, 160, 8000, i * 160));
    udp.send(serializeRtpPacket({ payloadType: law === 'pcma' ? 8 : 0, sequence: (tone.firstSeq ?? 0) + i, timestamp: i * 160, ssrc: tone.ssrc, marker: i === 0, payload }), to.port, to.host);
    await sleep(20);
  }
  return udp;
}

/** The upper sends Broadcast (SourceID → TargetID) to `toId` at `dest`; resolves with the lower's Response body. */
export async function sendBroadcast(upper: RawUpper, dest: SipDestination, toId: string, sourceId: string, targetGb: string, timeoutMs?: number): Promise<string> {
  const sn = upper.node.nextSn();
  const before = upper.received.length;
  const notify = `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Broadcast</CmdType>\r\n<SN>${sn}</SN>\r\n<SourceID>${sourceId}</SourceID>\r\n<TargetID>${targetGb}</TargetID>\r\n</Notify>\r\n`;
  const sent = await upper.node.message(dest, toId, notify);
  if (sent.status !== 200) throw new Error(`Broadcast MESSAGE answered ${sent.status}`);
  await until('answer to Broadcast', () => upper.received.slice(before).some((r) => r.msg?.sn === sn), timeoutMs);
  return Buffer.from(upper.received.slice(before).find((r) => r.msg?.sn === sn)!.req.body).toString('latin1');
}
