// Fuzz targets of the ingest checks that read camera bytes (R-REC-4, issue 12; registered with the
// shared runner, src/media/fuzz/targets.ts): the video payload check of each codec and the RTP
// sequence tracker that tells loss from a stall. None may throw; their invariants must hold.
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { SequenceTracker } from '../media/rtp/unwrap.ts';
import { CHECK_WINDOW_PACKETS, StreamCheck } from './stream-check.ts';
import type { StreamVerdict } from './stream-check.ts';

const b = (...bytes: number[]) => Uint8Array.from(bytes);
/** Payloads a camera sends, length-prefixed (2 bytes) so one input is a packet sequence. */
function packets(...list: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const p of list) out.push(p.length >> 8, p.length & 0xff, ...p);
  return Uint8Array.from(out);
}

const H264_SEEDS = [
  packets(b(0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01), b(0x68, 0xce, 0x3c, 0x80), b(0x7c, 0x85, 0x88, 0x84), b(0x7c, 0x05, 0x11, 0x22), b(0x7c, 0x45, 0x33), b(0x41, 0x9a, 0x02)),
  packets(b(0x18, 0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f, 0x00, 0x03, 0x68, 0xce, 0x3c), b(0x65, 0x88, 0x84)),
];
const H265_SEEDS = [
  packets(b(0x40, 0x01, 0x0c, 0x01), b(0x42, 0x01, 0x01, 0x01), b(0x44, 0x01, 0xc1, 0x72), b(0x62, 0x01, 0x93, 0xaf, 0x01), b(0x62, 0x01, 0x53, 0x02), b(0x02, 0x01, 0xd0, 0x09)),
  packets(b(0x60, 0x01, 0x00, 0x04, 0x40, 0x01, 0x0c, 0x01, 0x00, 0x03, 0x42, 0x01, 0x01), b(0x26, 0x01, 0xaf, 0x06)),
];

/** Splits an input into packets by its 2-byte length prefixes (the rest is one last packet). */
function split(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o + 2 <= input.length) {
    const n = (input[o] << 8) | input[o + 1];
    out.push(input.subarray(o + 2, Math.min(input.length, o + 2 + n)));
    o += 2 + n;
  }
  if (o < input.length) out.push(input.subarray(o));
  return out;
}

function streamCheckTarget(codec: 'h264' | 'h265') {
  return (input: Uint8Array): void => {
    const check = new StreamCheck(codec);
    let bad = 0;
    let now = 0;
    const list = split(input);
    // Repeat the packets so that windows close (a verdict is only taken over CHECK_WINDOW_PACKETS).
    for (let round = 0; round < Math.ceil(CHECK_WINDOW_PACKETS / Math.max(1, list.length)) + 1; round++) {
      for (const p of list) {
        const r: { good: boolean; verdict?: StreamVerdict } = check.push(p, (now += 7));
        if (typeof r.good !== 'boolean') throw new FuzzInvariantError('no decision for a packet');
        if (!r.good) bad++;
        if (r.verdict !== undefined && !['ok', 'garbage', 'codec-mismatch'].includes(r.verdict)) throw new FuzzInvariantError(`verdict ${String(r.verdict)}`);
        if (r.verdict !== undefined && r.verdict !== 'ok' && bad === 0) throw new FuzzInvariantError('garbage verdict without a bad packet');
      }
    }
    if (check.badPackets !== bad) throw new FuzzInvariantError(`badPackets ${check.badPackets} != ${bad}`);
  };
}

registerFuzzTarget('stream-check-h264', streamCheckTarget('h264'), H264_SEEDS);
registerFuzzTarget('stream-check-h265', streamCheckTarget('h265'), H265_SEEDS);

const seqSeed = (...seqs: number[]) => Uint8Array.from(seqs.flatMap((s) => [(s >> 8) & 0xff, s & 0xff]));

/** Input: big-endian 16-bit sequence numbers as they arrive. */
registerFuzzTarget('rtp-sequence', (input) => {
  const t = new SequenceTracker();
  let pushes = 0;
  for (let o = 0; o + 2 <= input.length; o += 2) {
    const before = t.extendedHighest;
    const verdict = t.push((input[o] << 8) | input[o + 1]);
    pushes++;
    if (verdict !== 'restart' && verdict !== 'first' && t.extendedHighest < before) throw new FuzzInvariantError(`highest went back on ${verdict}`);
    if (t.received > pushes) throw new FuzzInvariantError('more received than pushed');
    if (t.lost < 0 || !Number.isInteger(t.lost)) throw new FuzzInvariantError(`lost ${t.lost}`);
    if (o % 16 === 0) {
      const f = t.takeFractionLost();
      if (!Number.isInteger(f) || f < 0 || f > 255) throw new FuzzInvariantError(`fraction lost ${f}`);
    }
  }
}, [seqSeed(1, 2, 3, 5, 4, 4, 6), seqSeed(65534, 65535, 0, 1, 3), seqSeed(10, 9000, 9001, 9002), seqSeed(500, 400, 501)]);
