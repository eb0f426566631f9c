// The end of a Playback/Download pulled from a lower (R-FN-1, R-FN-3): after MediaStatus 121 the
// source waits for the last packets, and the lower's BYE may arrive during that wait (a loaded
// machine; the cascade e2e Download test saw 'stopped'). The file was complete: 'end-of-file'.
import { describe, expect, it } from 'vitest';
import { GbFrameSource } from './media-in.ts';

describe('GbFrameSource end of file (R-FN-3)', () => {
  it('a BYE (stop) during the quiet wait after MediaStatus 121 still ends it as end-of-file', async () => {
    const { source } = await GbFrameSource.listen({ transport: 'udp', bindHost: '127.0.0.1' });
    const closed = new Promise<string>((resolve) => source.once('close', (e) => resolve(e.code)));
    const ending = source.endOfFile(300, 3000);
    await source.stop(); // the lower hung up before the wait was over
    expect(await closed).toBe('end-of-file');
    await ending;
  });

  it('stopped without MediaStatus 121 it ends as stopped', async () => {
    const { source } = await GbFrameSource.listen({ transport: 'udp', bindHost: '127.0.0.1' });
    const closed = new Promise<string>((resolve) => source.once('close', (e) => resolve(e.code)));
    await source.stop();
    expect(await closed).toBe('stopped');
  });
});
