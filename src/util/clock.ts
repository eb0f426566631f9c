// The clock is injected everywhere time matters, so that recording, retention and alarms can be
// tested with simulated time (moonfire-nvr style).
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  constructor(private currentMs: number) {}
  nowMs(): number {
    return this.currentMs;
  }
  advance(deltaMs: number): void {
    this.currentMs += deltaMs;
  }
  set(ms: number): void {
    this.currentMs = ms;
  }
}
