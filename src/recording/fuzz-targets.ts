// Fuzz target of the fMP4 reader that start-up recovery and `verify-recordings` run on damaged
// recording files (src/recording/fragment-scan.ts; R-REC-4, issue 12). Inputs are recording files
// as xuncha writes them (H.264 and H.265, several fragments), mutated: torn tails, flipped bits,
// lying box sizes and sample counts. The scan must answer with a reasoned result — never throw,
// never hang — and its answer must be self-consistent, because recovery cuts files to it.
import { FragmentBuilder } from '../media/fmp4/fragment-builder.ts';
import { hashBytes } from '../media/fuzz/prng.ts';
import { FuzzInvariantError, registerFuzzTarget } from '../media/fuzz/targets.ts';
import { h264VideoParams } from '../media/h264/params.ts';
import { h265VideoParams } from '../media/h265/params.ts';
import type { VideoParams } from '../media/types.ts';
import { scanRecordingBytes } from './fragment-scan.ts';
import type { FileScan } from './fragment-scan.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// Parameter sets of the bundled clips (assets/clips/main.h264, main.h265).
const H264 = h264VideoParams(hex('674d401fd9005005bb011000000300100000030320f1832480'), hex('68ebccb2'));
const H265 = h265VideoParams(
  hex('40010c01ffff01600000030090000003000003005d928090'),
  hex('42010101600000030090000003000003005da00280802d16592a4932bc05a02000000300200000030321'),
  hex('4401c172b46240'),
);

/** A small recording file: init segment and 200 ms fragments of tiny frames, a keyframe every 5. */
export function sampleRecording(params: VideoParams, frames: number, idr: Uint8Array, p: Uint8Array): Uint8Array {
  const builder = new FragmentBuilder({ video: params, fragmentDurationMs: 200 });
  const parts = [builder.initSegment()];
  for (let i = 0; i < frames; i++) {
    const key = i % 5 === 0;
    const built = builder.push({ kind: 'video', pts90k: i * 3600, keyframe: key, nalus: [key ? idr : p], receivedAtMs: 1_700_000_000_000 + i * 40, newParams: i === 0 ? params : undefined });
    if (built) parts.push(Uint8Array.from(built.bytes));
  }
  const last = builder.flush();
  if (last) parts.push(Uint8Array.from(last.bytes));
  return Buffer.concat(parts);
}

export const FRAGMENT_SCAN_SEEDS = [
  sampleRecording(H264, 16, hex('6588840ffffef6ecbe05'), hex('419a0204')),
  sampleRecording(H265, 11, hex('2801af08460d196a5189'), hex('0201d00911')),
];

function fail(what: string): never {
  throw new FuzzInvariantError(what);
}

function check(scan: FileScan, limit: number): void {
  if (scan.completeEnd > limit) fail(`completeEnd ${scan.completeEnd} past the scanned ${limit} bytes`);
  if (scan.initProblem !== undefined && scan.fragments.length > 0) fail('fragments of a file whose init segment is unusable');
  if (scan.initProblem === undefined && scan.trailing === undefined && scan.completeEnd !== limit) fail(`no reason for the ${limit - scan.completeEnd} bytes after completeEnd`);
  let at = scan.initBytes;
  for (const f of scan.fragments) {
    if (f.fileOffset !== at) fail(`fragment at ${f.fileOffset}, expected ${at}`);
    at += f.byteLength;
    if (f.frameCount !== f.sampleDurations90k.length || f.frameCount !== f.keyframes.length) fail('frame count disagrees with the samples');
    if (!Number.isFinite(f.duration90k) || f.duration90k < 0) fail(`duration ${f.duration90k}`);
  }
  if (at !== scan.completeEnd) fail(`fragments end at ${at}, completeEnd ${scan.completeEnd}`);
}

registerFuzzTarget('fragment-scan', (input) => {
  const checkSamples = (input.length & 1) === 0;
  const full = scanRecordingBytes(input, { checkSamples });
  check(full, input.length);
  // A torn copy (what a crash leaves) scans as a prefix of the whole: recovery relies on it.
  const limit = hashBytes(input) % (input.length + 1);
  const torn = scanRecordingBytes(input, { checkSamples, limitBytes: limit });
  check(torn, limit);
  const whole = full.fragments.filter((f) => f.fileOffset + f.byteLength <= limit);
  if (torn.initProblem === undefined && torn.fragments.length !== whole.length) fail(`torn at ${limit}: ${torn.fragments.length} fragments, the whole file has ${whole.length} before it`);
}, FRAGMENT_SCAN_SEEDS);
