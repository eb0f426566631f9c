// Picture rate of one live tile (issue 16, patrol overview). 'full' = every frame; 'key' = only
// keyframes (one picture per GOP, 0.5/s at the usual 2-s GOP): the overview tiles of a 25/36/64
// grid, which a browser on two cores cannot all decode at 25 fps (64 sub tiles: 40–47 % of the
// frames dropped, docs/benchmarks.md). Shared by the server (ws-session.ts) and the console
// (web/src/pages/wall/liveClient.ts) as the `rate` field of `sub` and of `{op:'rate', ch, rate}`.
export type LiveRate = 'full' | 'key';

/** A client's `rate`: absent → 'full'; undefined when malformed. */
export function parseRate(v: unknown): LiveRate | undefined {
  if (v === undefined) return 'full';
  return v === 'full' || v === 'key' ? v : undefined;
}

/** Why a client changed a channel's rate (logged by the server): see LiveClient.setRate. */
export type RateReason = 'overview' | 'degraded' | 'restored';

/** A client's `reason`: one of RateReason, else undefined (not logged as given). */
export function parseRateReason(v: unknown): RateReason | undefined {
  return v === 'overview' || v === 'degraded' || v === 'restored' ? v : undefined;
}
