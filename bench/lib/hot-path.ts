// The recorder's media hot path alone, in one process, measured in CPU time (so that other
// processes on a shared machine change it little): RTSP-interleaved bytes as a socket delivers
// them (fresh 64 KB chunks) → RtspParser → parseRtpPacket → H264Depacketizer → FragmentBuilder
// (1-s fragments, buffers released as after a disk write). The bundled 720p25 ~2 Mb/s clip, for
// N cameras × S seconds of media, as fast as the CPU allows.
//   node --import tsx bench/lib/hot-path.ts [cameras=50] [seconds=60]
// Prints CPU ms per camera-second of media and the GC time (PerformanceObserver 'gc').
import { PerformanceObserver } from 'node:perf_hooks';
import { FragmentBuilder } from '../../src/media/fmp4/fragment-builder.ts';
import { H264Depacketizer } from '../../src/media/rtp/depacketize/h264.ts';
import { parseRtpPacket, serializeRtpPacket } from '../../src/media/rtp/packet.ts';
import { packetizeH264 } from '../../src/media/rtp/packetize/index.ts';
import { RtspMessageParser } from '../../src/media/rtsp/message.ts';
import { loadMainClip } from '../../test/helpers/clip-frames.ts';

const cameras = Number(process.argv[2] ?? 50);
const seconds = Number(process.argv[3] ?? 60);
const clip = loadMainClip();
const sps = Buffer.from(clip.params.sps!).toString('base64');
const pps = Buffer.from(clip.params.pps!).toString('base64');

// One interleaved byte stream of the clip looped for `seconds`, packetized once like the simulator does.
const parts: Uint8Array[] = [];
let seq = 0;
const loops = Math.ceil(seconds / 10);
for (let loop = 0; loop < loops; loop++) {
  clip.units.forEach((au, i) => {
    for (const p of packetizeH264(au, { mtu: 1400 })) {
      const rtp = serializeRtpPacket({ payloadType: 96, sequence: seq++ & 0xffff, timestamp: (loop * clip.units.length + i) * 3600, ssrc: 1, marker: p.marker, payload: p.payload });
      parts.push(Uint8Array.of(0x24, 0, rtp.length >> 8, rtp.length & 0xff), rtp);
    }
  });
}
const stream = Buffer.concat(parts);

let gcMs = 0;
const obs = new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcMs += e.duration;
});
obs.observe({ entryTypes: ['gc'] });

const cams = Array.from({ length: cameras }, () => {
  const depack = new H264Depacketizer({ type: 'video', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding: 'H264', clockRate: 90000, fmtp: { 'sprop-parameter-sets': `${sps},${pps}` } });
  let builder: FragmentBuilder | undefined;
  let fragments = 0;
  let bytes = 0;
  let frames = 0;
  const parser = new RtspMessageParser({
    onMessage: () => undefined,
    onInterleaved: (_ch: number, data: Uint8Array) => {
      for (const f of depack.push(parseRtpPacket(data), 0)) {
        builder ??= new FragmentBuilder({ video: depack.videoParams, fragmentDurationMs: 1000 });
        frames++;
        const built = builder.push(f);
        if (built) {
          fragments++;
          bytes += built.bytes.length;
          builder.release(built.bytes);
        }
      }
    },
  } as unknown as ConstructorParameters<typeof RtspMessageParser>[0]);
  return { parser, stats: () => ({ fragments, bytes, frames }) };
});

const CHUNK = 64 * 1024;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let off = 0; off < stream.length; off += CHUNK) {
  for (const c of cams) {
    // A socket read: a fresh buffer each time.
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, stream.length - off));
    stream.copy(chunk, 0, off, off + chunk.length);
    c.parser.push(chunk);
  }
}
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, 50));
obs.disconnect();
const s = cams[0].stats();
const cpuMs = (cpu.user + cpu.system) / 1000;
const mediaCameraS = cameras * loops * 10;
console.log(JSON.stringify({ cameras, mediaSeconds: loops * 10, framesPerCamera: s.frames, fragmentsPerCamera: s.fragments, cpuMs: Math.round(cpuMs), wallMs: Math.round(wallMs), gcMs: Math.round(gcMs), cpuMsPerCameraSecond: Math.round((cpuMs / mediaCameraS) * 100) / 100, gcPct: Math.round((gcMs / wallMs) * 1000) / 10, load: (await import('node:os')).loadavg()[0] }));
