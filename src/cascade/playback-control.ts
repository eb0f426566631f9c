// Pause, speed and seek state of one Playback/Download session this node sends (lower role),
// changed by MANSRTSP INFO from the upper while the sender's pacing loop sleeps on it.
import type { MansRtspCommand } from './mansrtsp.ts';

/** Pause, speed and seek of a recorded session, changed by MANSRTSP INFO while it is sent. */
export class PlaybackControl {
  paused = false;
  /** Absolute wall-clock ms to continue from, set by a PLAY with Range. */
  seekMs?: number;
  private wake?: () => void;

  constructor(
    public speed: number,
    readonly fromMs: number,
    readonly toMs: number,
  ) {}

  apply(cmd: MansRtspCommand): void {
    if (cmd.method === 'PAUSE') this.paused = true;
    else if (cmd.method === 'PLAY') {
      this.paused = false;
      if (cmd.scale !== undefined) this.speed = cmd.scale;
      if (cmd.rangeSec !== undefined) this.seekMs = Math.min(Math.max(this.fromMs, this.fromMs + cmd.rangeSec * 1000), this.toMs);
    }
    this.changed();
  }

  changed(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Sleeps up to `ms`; returns early when a command arrives (or on `changed()`). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
