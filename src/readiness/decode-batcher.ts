// Gathers the keyframe decodes of the probes running at once into one ffmpeg (`decodeMany`): a
// probe whose capture is done waits up to `maxWaitMs` for others, or less when `maxBatch` are
// waiting. One ffmpeg start-up is then shared by several cameras — most of a probe's CPU was that
// start-up (docs/benchmarks.md, readiness). The wait is small next to the capture (≈ 4 s of two GOPs).
import { decodeMany } from './decode.ts';
import type { Decoded, DecodeJob, DecodeOptions } from './decode.ts';

/** How long a finished capture waits for others to share its decoder, ms (see bench:readiness). */
export const DECODE_WAIT_MS = 1500;
/** Most cameras in one ffmpeg: 8 share the start-up to ≈ 1/8 and keep one run's wall time short. */
export const DECODE_MAX_BATCH = 8;

export interface KeyframeDecoder {
  decode(job: DecodeJob, opts: DecodeOptions): Promise<Decoded>;
}

interface Waiting {
  job: DecodeJob;
  opts: DecodeOptions;
  resolve(d: Decoded): void;
}

export class DecodeBatcher implements KeyframeDecoder {
  private queue: Waiting[] = [];
  private timer?: NodeJS.Timeout;
  /** Shared runs so far, the cameras in them and those decoded again alone (benchmarks, logs). */
  readonly stats = { runs: 0, jobs: 0, againAlone: 0 };

  constructor(private readonly cfg: { maxBatch: number; maxWaitMs: number }) {}

  decode(job: DecodeJob, opts: DecodeOptions): Promise<Decoded> {
    return new Promise((resolve) => {
      this.queue.push({ job, opts, resolve });
      if (this.queue.length >= this.cfg.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.cfg.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    this.stats.runs++;
    this.stats.jobs += batch.length;
    // The longest timeout asked for, plus 1 s per further camera: the run decodes them one after
    // the other in one thread, and on a loaded node that one process gets a core's share, not one
    // per camera (bench:readiness at load 20: 12-camera runs hit a plain 10 s). A camera not decoded
    // whole in time is decoded again alone.
    const timeoutMs = Math.max(...batch.map((w) => w.opts.timeoutMs)) + (batch.length - 1) * 1000;
    decodeMany(batch.map((w) => w.job), { timeoutMs, ffmpeg: batch[0].opts.ffmpeg, onAgainAlone: () => this.stats.againAlone++ }).then(
      (out) => batch.forEach((w, i) => w.resolve(out[i])),
      (err: unknown) => batch.forEach((w) => w.resolve({ frames: [], pts90k: [], error: `解码失败 (decode failed): ${String(err)}`.slice(0, 300) })),
    );
  }
}

/** No sharing: one ffmpeg per camera. */
export const decodeAlone: KeyframeDecoder = { decode: (job, opts) => decodeMany([job], opts).then((d) => d[0]) };
