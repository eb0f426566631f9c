// Warm main-stream hubs (docs/design/live.md "Sources"): a recorded main stream keeps its hub
// attached to the recorder's supervisor, so the first viewer starts at the last keyframe at once
// instead of waiting up to a GOP for the next one; streams no longer named are released.
import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../../src/live/hub.ts';
import { LiveSources } from '../../src/live/sources.ts';
import { CameraSupervisor } from '../../src/ingest/supervisor.ts';
import type { CameraOpener, StreamSpec } from '../../src/ingest/source.ts';
import { h264VideoParams } from '../../src/media/h264/params.ts';
import type { VideoFrame } from '../../src/media/types.ts';
import { loadClips } from '../../src/sim/index.ts';
import { systemClock } from '../../src/util/clock.ts';

const clip = (await loadClips()).video.sub;
const params = h264VideoParams(clip.sps, clip.pps);
const spec: StreamSpec = { cameraId: 7, stream: 'main', url: 'rtsp://127.0.0.1:1/cam/x/main' };
const neverOpens = { open: () => new Promise(() => undefined) } as unknown as CameraOpener;

function frame(i: number): VideoFrame {
  const key = i % 50 === 0;
  const nalus = key ? [clip.sps, clip.pps, new Uint8Array([0x65, i])] : [new Uint8Array([0x41, i])];
  return { kind: 'video', pts90k: i * 3600, keyframe: key, nalus, receivedAtMs: 1000 + i * 40 };
}

describe('LiveSources.keepWarm (first viewer starts at once)', () => {
  it('holds the GOP of a recorded main stream before anyone watches, and lets go when told', () => {
    const sup = new CameraSupervisor(spec, neverOpens, systemClock); // the recorder's (not started here)
    const sources = new LiveSources({ clock: systemClock, opener: neverOpens, recorderSupervisor: (id) => (id === 7 ? sup : undefined), lingerMs: 50 });
    expect(sources.keepWarm([spec, { ...spec, cameraId: 8 }], 10)).toBe(1); // camera 8: not recorded
    sup.emit('session-start', { video: params } as never);
    for (let i = 0; i < 60; i++) sup.emit('frame', frame(i));
    const lease = sources.acquire(spec);
    const items: QueueItem[] = [];
    const q = lease.hub.addViewer(() => undefined);
    for (let it = q.take(); it; it = q.take()) items.push(it);
    expect(items[0].kind).toBe('init');
    expect(items.filter((x) => x.kind === 'frame')).toHaveLength(10); // frames 50..59, at once
    expect(sources.ownConnections()).toBe(0); // the recorder's connection, never a second one
    lease.hub.removeViewer(q);
    lease.release();
    expect(sources.hubs()).toHaveLength(1); // stays warm without viewers
    expect(sources.keepWarm([], 10)).toBe(0);
    expect(sources.hubs()).toHaveLength(0);
    expect(sup.listenerCount('frame')).toBe(0);
  });
});
