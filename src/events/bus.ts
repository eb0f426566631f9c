// In-process event bus between services: recording and camera status producers, alarm and
// live-view consumers. Typed so that a producer and its consumers agree on the payload.
import { EventEmitter } from 'node:events';

export interface CameraStatusEvent {
  cameraId: number;
  /** 'connecting' before the first session, 'online' while frames flow, 'error' after a failure. */
  state: 'connecting' | 'online' | 'error' | 'stopped';
  recording: boolean;
  /** Why the last session ended (eof, timeout, stall, refused, auth, protocol…), when in error. */
  reason?: string;
  detail?: string;
  atMs: number;
  /** In 'error': when the next connection attempt is due (ms since epoch), and how long from when this status was taken (ms). */
  retryAtMs?: number;
  retryInMs?: number;
  /**
   * Online but not recording: why ('schedule', 'disk-pressure', 'disk-full', 'write-error',
   * 'keyframe'; see CameraRecorder.held). Undefined while recording or not online.
   */
  recordingHeld?: string;
  /** The recorder's last write error ('disk full', the I/O error's message), while it holds recording. */
  recordingHeldDetail?: string;
}

export interface RunStartedEvent {
  cameraId: number;
  runId?: number;
  startedAtMs: number;
}

export interface RunEndedEvent {
  cameraId: number;
  runId?: number;
  startedAtMs: number;
  /** Media end of the run (started + duration), ms since epoch: where the gap begins. */
  endedAtMs: number;
  reason: string;
  detail?: string;
}

/** An Alarm notification received from a lower platform over GB/T 28181 (R-FLT-1). */
export interface CascadeAlarmEvent {
  alarmId: number;
  lowerId: number;
  lowerSipId: string;
  deviceId: string;
  priority: number;
  method: number;
  alarmType?: number;
  description?: string;
  alarmAtMs?: number;
  receivedAtMs: number;
}

/**
 * An org node, room, camera or lower platform was created, changed or deleted, or an import
 * changed many (emitted after the commit). Consumers re-read what they need: the cascade's
 * catalog watcher turns it into catalog events for the upper level.
 */
export interface OrgChangedEvent {
  /** 'lower': a lower platform (cascade), which this node's own upper sees in its catalog. */
  kind: 'node' | 'room' | 'camera' | 'lower' | 'import';
  /** Row id; absent for an import (many rows). */
  id?: number;
  change: 'created' | 'updated' | 'deleted';
}

/**
 * An item of the node-to-node channel was stored: received from a lower level (after its commit)
 * or published by this node (seen after commit). docs/design/uplink.md, /UPLINK.md.
 */
export interface UplinkItemEvent {
  originCode: string;
  topic: string;
  key: string;
  /** Parsed JSON body; null = deleted. */
  body: unknown;
  /** When this node stored it, ms since epoch. */
  receivedAtMs: number;
  /** Org path at this node (for consumers that filter by scope). */
  scopePath: string;
  /** This node published it (not received from a lower): what only the origin acts on, e.g. its GB/T 28181 duty alarm. */
  own?: boolean;
}

export interface EventMap {
  'camera.status': [CameraStatusEvent];
  'recording.run-started': [RunStartedEvent];
  'recording.run-ended': [RunEndedEvent];
  'cascade.alarm': [CascadeAlarmEvent];
  'org.changed': [OrgChangedEvent];
  'uplink.item': [UplinkItemEvent];
}

export class EventBus extends EventEmitter<EventMap> {
  constructor() {
    super();
    // Many consumers (each live viewer's status feed) may subscribe.
    this.setMaxListeners(0);
  }
}
