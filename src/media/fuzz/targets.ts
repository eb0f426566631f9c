// Fuzz target registry and a deterministic runner. A target takes bytes and must only throw on a
// bug: each target catches the error classes its parser declares. Other modules (depacketizers)
// add targets with registerFuzzTarget; `npm run fuzz` can then call runFuzz for hours.
import { performance } from 'node:perf_hooks';
import { parseSdp, resolveControlUrl, SdpError } from '../sdp/parse.ts';
import { RtspMessageParser, RtspParseError } from '../rtsp/message.ts';
import { parseWwwAuthenticate, verifyAuthorization } from '../rtsp/auth.ts';
import { parseSession, parseTransport } from '../rtsp/transport.ts';
import { backchannelLaw, findBackchannel } from '../rtsp/backchannel.ts';
import { parseRtpPacket, RtpError } from '../rtp/packet.ts';
import { parseRtcpCompound, RtcpError } from '../rtp/rtcp.ts';
import { hashBytes, Prng } from './prng.ts';
import { mutate } from './mutate.ts';
import { AUTH_SEEDS, RTCP_SEEDS, RTP_SEEDS, RTSP_SEEDS, SDP_SEEDS, TRANSPORT_SEEDS } from './samples.ts';

export type FuzzTarget = (input: Uint8Array) => void;

export const fuzzTargets: Record<string, FuzzTarget> = {};
export const fuzzSeeds: Record<string, Uint8Array[]> = {};

/** Thrown by targets when a parser breaks an invariant (e.g. buffers past its limit). */
export class FuzzInvariantError extends Error {
  override readonly name = 'FuzzInvariantError';
}

export function registerFuzzTarget(name: string, fn: FuzzTarget, seeds: Uint8Array[] = []): void {
  fuzzTargets[name] = fn;
  fuzzSeeds[name] = seeds;
}

export interface FuzzFailure {
  iteration: number;
  /** Input as base64, to replay with fuzzTargets[target](Buffer.from(x, 'base64')). */
  inputBase64: string;
  error: string;
}

export interface FuzzReport {
  target: string;
  iterations: number;
  failures: FuzzFailure[];
  slowestMs: number;
  totalMs: number;
}

export interface FuzzOptions {
  /** An input taking longer than this is a failure (hang guard). Default 250. */
  maxInputMs?: number;
  /** Stop collecting after this many failures. Default 10. */
  maxFailures?: number;
}

export function runFuzz(target: string, iterations: number, seed: number, opts: FuzzOptions = {}): FuzzReport {
  const fn = fuzzTargets[target];
  if (!fn) throw new Error(`unknown fuzz target "${target}" (have: ${Object.keys(fuzzTargets).join(', ')})`);
  const corpus = fuzzSeeds[target] ?? [];
  const maxInputMs = opts.maxInputMs ?? 250;
  const maxFailures = opts.maxFailures ?? 10;
  const rng = new Prng(seed);
  const report: FuzzReport = { target, iterations: 0, failures: [], slowestMs: 0, totalMs: 0 };
  const t0 = performance.now();
  for (let i = 0; i < iterations && report.failures.length < maxFailures; i++) {
    const input = corpus.length === 0 || rng.chance(0.15) ? rng.bytes(rng.int(2048)) : mutate(rng.pick(corpus), rng, corpus);
    const start = performance.now();
    try {
      fn(input);
    } catch (e) {
      report.failures.push({ iteration: i, inputBase64: Buffer.from(input).toString('base64'), error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
    let ms = performance.now() - start;
    if (ms > maxInputMs) {
      // Confirm on the same bytes before calling it a hang: on a loaded machine one slow
      // measurement is often the process being descheduled, not the parser looping.
      const again = performance.now();
      try {
        fn(input);
      } catch {
        // already recorded above
      }
      ms = Math.min(ms, performance.now() - again);
    }
    if (ms > report.slowestMs) report.slowestMs = ms;
    if (ms > maxInputMs) {
      report.failures.push({ iteration: i, inputBase64: Buffer.from(input).toString('base64'), error: `slow input: ${ms.toFixed(1)} ms` });
    }
    report.iterations++;
  }
  report.totalMs = performance.now() - t0;
  return report;
}

function expectOnly(fn: () => void, ...allowed: Array<abstract new (...args: never[]) => Error>): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw e;
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
const utf8 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');

registerFuzzTarget('rtsp-message', (input) => {
  // Feed in a chunking derived from the input itself, so every failure replays from the bytes alone.
  const rng = new Prng(hashBytes(input));
  const parser = new RtspMessageParser({
    onMessage: (m) => void m.headers.get('cseq'),
    onInterleaved: (_ch, data) => {
      if (data.length > 0xffff) throw new FuzzInvariantError(`frame of ${data.length} bytes`);
    },
  });
  const limit = parser.maxBufferedBytes + 0xffff;
  expectOnly(() => {
    for (let pos = 0; pos < input.length;) {
      const n = rng.chance(0.3) ? 1 + rng.int(4) : 1 + rng.int(1500);
      parser.push(input.subarray(pos, pos + n));
      pos += n;
      if (parser.bufferedBytes > limit) throw new FuzzInvariantError(`parser holds ${parser.bufferedBytes} bytes > ${limit}`);
    }
  }, RtspParseError);
}, RTSP_SEEDS);

registerFuzzTarget('sdp', (input) => {
  for (const text of [utf8(input), latin1(input)]) {
    expectOnly(() => {
      const sdp = parseSdp(text);
      for (const m of sdp.media) resolveControlUrl('rtsp://h/a/', m.control);
      // Back-channel selection (issue 15) must hold on whatever the parser lets through.
      const back = findBackchannel(sdp.media);
      if (back && back.direction !== 'sendonly') throw new FuzzInvariantError('back channel not sendonly');
      if (back) backchannelLaw(back);
    }, SdpError);
  }
}, SDP_SEEDS);

registerFuzzTarget('rtp', (input) => {
  expectOnly(() => {
    const p = parseRtpPacket(input);
    if (p.payload.length > input.length - 12) throw new FuzzInvariantError('payload longer than packet');
    if (p.timestamp < 0 || p.ssrc < 0 || p.sequence > 0xffff) throw new FuzzInvariantError('bad field range');
  }, RtpError);
}, RTP_SEEDS);

registerFuzzTarget('rtcp', (input) => {
  expectOnly(() => {
    for (const p of parseRtcpCompound(input)) {
      if (p.type === 'sr' && !Number.isFinite(p.ntpMs)) throw new FuzzInvariantError('non-finite ntpMs');
    }
  }, RtcpError);
}, RTCP_SEEDS);

registerFuzzTarget('auth', (input) => {
  const text = latin1(input);
  parseWwwAuthenticate(text);
  verifyAuthorization(text, 'DESCRIBE', { username: 'admin', password: 'x' }, 'cam', 'n');
}, AUTH_SEEDS);

registerFuzzTarget('rtsp-headers', (input) => {
  const text = latin1(input);
  parseTransport(text);
  parseSession(text);
}, TRANSPORT_SEEDS);
