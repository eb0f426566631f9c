// API views of organisation objects. Secrets (network_enc) never appear here.
import { streamForDisplay } from './stream-url.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { OrgNodeRow } from '../store/repos/org-repo.ts';
import type { RoomRow } from '../store/repos/room-repo.ts';
import type { CameraPosition, CameraSourceKind, OrgNodeKind, RoomKind } from '../store/schema.ts';

export interface CameraView {
  id: number;
  roomId: number;
  name: string;
  position: CameraPosition;
  sourceKind: CameraSourceKind;
  gbCode: string;
  mainStream: string;
  subStream: string;
  hasCredentials: boolean;
}

export interface RoomView {
  id: number;
  siteId: number;
  kind: RoomKind;
  name: string;
  seats: number;
  gbCode: string;
  cameras: CameraView[];
}

export interface OrgNodeView {
  id: number;
  parentId: number | null;
  kind: OrgNodeKind;
  name: string;
  gbCode: string;
  regionCode: string;
  rooms?: RoomView[];
}

export const cameraView = (c: CameraRow): CameraView => ({
  id: c.id,
  roomId: c.room_id,
  name: c.name,
  position: c.position,
  sourceKind: c.source_kind,
  gbCode: c.gb_code,
  // Never a password, even from a row written before credentials were taken out of URLs.
  mainStream: streamForDisplay(c.main_stream),
  subStream: streamForDisplay(c.sub_stream),
  hasCredentials: Boolean(c.has_credentials),
});

export const roomView = (r: RoomRow, cameras: CameraView[]): RoomView => ({
  id: r.id,
  siteId: r.site_id,
  kind: r.kind,
  name: r.name,
  seats: r.seats,
  gbCode: r.gb_code,
  cameras,
});

export const nodeView = (n: OrgNodeRow): OrgNodeView => ({
  id: n.id,
  parentId: n.parent_id,
  kind: n.kind,
  name: n.name,
  gbCode: n.gb_code,
  regionCode: n.region_code,
});

/** Child kinds each node kind admits: province → city → district → site (cities may hold sites directly). */
export const CHILD_KINDS: Record<OrgNodeKind, readonly OrgNodeKind[]> = {
  province: ['city'],
  city: ['district', 'site'],
  district: ['site'],
  site: [],
};

export const NODE_GB_TYPES = ['216', '215', '200'] as const;
export const ROOM_GB_TYPES = ['216', '215'] as const;
export const CAMERA_GB_TYPES = ['131', '132'] as const;
