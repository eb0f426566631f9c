// One CameraOpener for every kind of camera row: `rtsp://` specs go to the RTSP client,
// `gb28181://<channel id>` specs to the GB/T 28181 cascade (a lower platform's channel pulled
// with INVITE, docs/design/cascade.md). The GB opener is resolved on each open, so it can come
// from a module built (or started) after the recording manager.
import type { CameraOpener, FrameSource, StreamSpec } from './source.ts';
import { OpenError } from './source.ts';

export interface OpenerRoutes {
  rtsp: CameraOpener;
  /** The cascade's opener, or undefined while the cascade is not configured or not started. */
  gb28181?: () => CameraOpener | undefined;
}

export class RoutingCameraOpener implements CameraOpener {
  constructor(private readonly routes: OpenerRoutes) {}

  open(spec: StreamSpec, signal?: AbortSignal): Promise<FrameSource> {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(spec.url)?.[1]?.toLowerCase();
    if (scheme === 'rtsp' || scheme === 'rtsps') return this.routes.rtsp.open(spec, signal);
    if (scheme === 'gb28181') {
      const gb = this.routes.gb28181?.();
      if (!gb) return Promise.reject(new OpenError('unsupported', 'GB/T 28181 cascade is not running on this node (configure gb28181)'));
      return gb.open(spec, signal);
    }
    return Promise.reject(new OpenError('unsupported', `no opener for ${scheme ?? 'this'} stream`));
  }
}
