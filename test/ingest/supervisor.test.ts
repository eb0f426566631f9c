// The camera supervisor across a stall (R-REC-4): once a session has been ended for silence, what
// it still delivers (frames it was parsing when it was stopped) must not reach the consumers of the
// next session. Before the guard, the recorder put those frames, with the old session's timestamps,
// into the new session's file and the process died on a negative fragment offset.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { RtspCameraOpener } from '../../src/ingest/rtsp-opener.ts';
import { CameraSupervisor } from '../../src/ingest/supervisor.ts';
import type { CameraOpener, FrameSource, FrameSourceEvents, SessionEnd } from '../../src/ingest/source.ts';
import type { MediaFrame } from '../../src/media/types.ts';
import { systemClock } from '../../src/util/clock.ts';

class FakeSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  droppedPackets = 0;
  stopped = false;
  constructor(readonly name: string) {
    super();
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.resolve();
  }
  frame(pts90k: number): void {
    this.emit('frame', { kind: 'video', pts90k, keyframe: true, nalus: [], receivedAtMs: Date.now() } as MediaFrame);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CameraSupervisor (R-REC-4)', () => {
  it('ends a silent session as stall, reconnects, and drops what the ended session still delivers', async () => {
    const opened: FakeSource[] = [];
    const opener: CameraOpener = {
      open: () => {
        const s = new FakeSource(`session ${opened.length + 1}`);
        opened.push(s);
        return Promise.resolve(s);
      },
    };
    const sup = new CameraSupervisor({ cameraId: 1, stream: 'main', url: 'rtsp://x/y' }, opener, systemClock, { stallTimeoutMs: 150, backoffMinMs: 20, backoffMaxMs: 20 });
    const got: number[] = [];
    const ends: SessionEnd[] = [];
    sup.on('frame', (f) => got.push(f.kind === 'video' ? f.pts90k : -1));
    sup.on('session-end', (e) => ends.push(e));
    sup.start();
    try {
      await sleep(20);
      opened[0].frame(1_000_000);
      opened[0].frame(1_003_600);
      // Silence: the supervisor ends session 1 and opens session 2.
      for (let i = 0; i < 100 && opened.length < 2; i++) await sleep(20);
      expect(opened).toHaveLength(2);
      expect(opened[0].stopped).toBe(true);
      expect(ends).toEqual([{ code: 'stall', message: 'no frame for 150 ms' }]);
      opened[1].frame(5_000);
      opened[0].frame(1_007_200); // late: session 1 was still parsing
      opened[0].emit('close', { code: 'stopped', message: 'stopped' });
      opened[1].frame(8_600);
      expect(got).toEqual([1_000_000, 1_003_600, 5_000, 8_600]);
      expect(sup.status.state).toBe('online');
      expect(ends).toHaveLength(1); // the late close of session 1 is not a second end
    } finally {
      await sup.stop();
    }
  });

  // A camera that accepts the connection and never answers (hung firmware) held stop() — and the
  // node's shutdown or a camera's removal — until the RTSP timeout. stop() now aborts the attempt.
  it('stop() closes a connection attempt still waiting for the camera, instead of waiting for its timeout', async () => {
    const sockets: net.Socket[] = [];
    const closedAtMs: number[] = [];
    const server = net.createServer((sock) => {
      sockets.push(sock);
      sock.on('close', () => closedAtMs.push(Date.now()));
      sock.on('error', () => undefined);
      sock.resume(); // read (and drop) the OPTIONS: a paused socket never sees the client's FIN
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const sup = new CameraSupervisor({ cameraId: 2, stream: 'main', url: `rtsp://127.0.0.1:${port}/hung` }, new RtspCameraOpener({ timeoutMs: 60_000 }), systemClock, { backoffMinMs: 20, backoffMaxMs: 20 });
    try {
      sup.start();
      for (let i = 0; i < 200 && sockets.length === 0; i++) await sleep(10);
      expect(sockets).toHaveLength(1);
      expect(sup.status.state).toBe('connecting');
      const stoppedAtMs = Date.now();
      await sup.stop();
      for (let i = 0; i < 300 && closedAtMs.length === 0; i++) await sleep(10);
      expect(closedAtMs).toHaveLength(1);
      expect(closedAtMs[0] - stoppedAtMs).toBeLessThan(5_000); // not the 60 s timeout
      await sleep(100);
      expect(sockets).toHaveLength(1); // no reconnect after stop
      expect(sup.status.state).toBe('stopped'); // the aborted attempt is not reported as an error
    } finally {
      await sup.stop();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
