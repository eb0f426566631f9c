// The playback module: index queries, playback sockets, timeline, thumbnails, exports. Built from
// the App by `createPlaybackModule(app)`; routes in src/api/routes/playback.ts.
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { App } from '../app.ts';
import { ExportService } from './export-service.ts';
import { ExportRequestService } from './export-request-service.ts';
import { PlaybackIndex } from './index-view.ts';
import { PlaybackService } from './service.ts';
import { Thumbnails } from './thumbnails.ts';
import { MediaTokens } from './tokens.ts';

export interface PlaybackModule {
  playback: PlaybackService;
  exports: ExportService;
  requests: ExportRequestService;
  close(): Promise<void>;
}

/** Key of export manifest signatures, derived from the node's media key (docs/design/playback.md). */
export function exportManifestKey(mediaTokenKey: Buffer): Buffer {
  return createHmac('sha256', mediaTokenKey).update('export-manifest').digest();
}

export function createPlaybackModule(app: App): PlaybackModule {
  const index = new PlaybackIndex(app.store.db);
  const thumbnails = new Thumbnails(index, app.files, path.join(app.config.dataDir, 'thumbnails'));
  const playback = new PlaybackService(
    { store: app.store, audit: app.audit, clock: app.clock, files: app.files, recordings: app.recordings, log: app.log, sessions: app.sessions },
    index,
    new MediaTokens<{ fromMs: number }>(app.keys.mediaToken, 'playback', app.store, app.clock),
    thumbnails,
  );
  const exports = new ExportService({
    store: app.store,
    audit: app.audit,
    clock: app.clock,
    files: app.files,
    index,
    log: app.log,
    dir: path.join(app.config.dataDir, 'exports'),
    manifestKey: exportManifestKey(app.keys.mediaToken),
    tokens: new MediaTokens<{ exportId: string }>(app.keys.mediaToken, 'export', app.store, app.clock),
    limits: app.config.exports,
  });
  return {
    playback,
    exports,
    requests: new ExportRequestService({ store: app.store, audit: app.audit, clock: app.clock, log: app.log, exports }),
    async close() {
      await playback.close();
      await exports.close();
    },
  };
}
