import { describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import { simulateSite } from './site.ts';
import { RawRtspClient } from './testing.ts';

describe('xuncha sim CLI', () => {
  it('starts a site, prints URLs, serves DESCRIBE and stops on abort', async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    let ready: { port: number; controlPort: number | undefined; cameras: string[] } | undefined;
    const done = main(['--port', '0', '--rooms', '3', '--auth', 'admin:pw', '--digest'], {
      log: (l) => lines.push(l),
      signal: ac.signal,
      onReady: (i) => (ready = i),
    });
    while (!ready) await new Promise((r) => setTimeout(r, 10));
    expect(ready.cameras).toHaveLength(6);
    expect(ready.controlPort).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain(`rtsp://127.0.0.1:${ready.port}/cam/site1-r001-front/main`);
    const c = await RawRtspClient.connect(`rtsp://127.0.0.1:${ready.port}/`, { username: 'admin', password: 'pw', scheme: 'digest' });
    expect((await c.request('DESCRIBE', `rtsp://127.0.0.1:${ready.port}/cam/site1-r003-rear/main`)).status).toBe(200);
    await c.close();
    ac.abort();
    expect(await done).toBe(0);
    expect(lines.at(-1)).toBe('simulator stopped');
  });

  it('rejects bad options with exit code 2', async () => {
    const errs: string[] = [];
    expect(await main(['--cameras', 'x'], { error: (l) => errs.push(l), log: () => {} })).toBe(2);
    expect(await main(['--digest'], { error: (l) => errs.push(l), log: () => {} })).toBe(2);
    expect(errs[0]).toMatch(/--cameras/);
  });
});

describe('simulateSite', () => {
  it('returns front/rear cameras per room with mixed audio and clock offsets', () => {
    const cams = simulateSite({ rooms: 2, camerasPerRoom: 2, siteId: 'bj01', clockOffsets: { 'bj01-r002-rear': 5000 } });
    expect(cams.map((c) => c.id)).toEqual(['bj01-r001-front', 'bj01-r001-rear', 'bj01-r002-front', 'bj01-r002-rear']);
    expect(cams.map((c) => c.audio)).toEqual(['pcma', 'aac', 'pcma', 'aac']);
    expect(cams[3].clockOffsetMs).toBe(5000);
    expect(simulateSite({ rooms: 1, camerasPerRoom: 3, audio: 'none' }).map((c) => c.position)).toEqual(['front', 'rear', 'cam3']);
  });
});
