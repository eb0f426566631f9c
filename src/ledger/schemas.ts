// zod schemas and views of the ledger API (issue 19, docs/design/ledger.md). Bodies are strict:
// unknown fields are a 400. The console imports these view types (type-only).
import { z } from 'zod';
import type { DeviceRow, TicketEventRow, TicketRow, TrainingRow } from '../store/repos/ledger-repo.ts';
import type { TicketLimits } from './ticket-state.ts';
import { SELF_CLEARED_LABEL, STATE_LABELS, ticketTiming } from './ticket-state.ts';

const ms = z.number().int().min(0).max(8_640_000_000_000);
export const deviceClass = z.enum(['camera', 'nvr', 'encoder', 'switch', 'server', 'workstation', 'monitor', 'ups', 'clock', 'other']);
export const faultKind = z.enum(['offline', 'recording_gap', 'disk', 'clock_drift', 'picture', 'manual']);
export const ticketState = z.enum(['open', 'acknowledged', 'repairing', 'repaired', 'verified']);
const text = (max: number) => z.string().trim().max(max);

export const deviceBody = z
  .object({
    orgNodeId: z.number().int().positive(),
    roomId: z.number().int().positive().nullable().default(null),
    deviceClass,
    code: z.string().trim().min(1, '须填写设备编码 (code required)').max(32),
    name: z.string().trim().min(1, '须填写设备名称 (name required)').max(128),
    model: text(128).default(''),
    serial: text(128).default(''),
    firmware: text(128).default(''),
    installedOnMs: ms.nullable().default(null),
    warrantyUntilMs: ms.nullable().default(null),
    responsibleName: text(64).default(''),
    responsiblePhone: text(32).default(''),
    // Reachability probe of a device that is not a video device (switch, UPS, …): absent = unchanged,
    // null = not measured. A port means a TCP connect; no port means ICMP ping (reachability.ts).
    probeHost: z.string().trim().regex(/^[0-9A-Za-z.:-]{1,253}$/, '探测地址须为 IP 或主机名 (probe host: IP or host name)').nullable().optional(),
    probeTcpPort: z.number().int().min(1).max(65535).nullable().optional(),
    // Channels an NVR / encoder must have (R-CITY-4 check of a replacement): absent = unchanged, null = unknown.
    expectedChannels: z.number().int().min(1, '通道数须为 1–4096 (channels 1–4096)').max(4096, '通道数须为 1–4096 (channels 1–4096)').nullable().optional(),
  })
  .strict();
export type DeviceBody = z.infer<typeof deviceBody>;

export const openTicketBody = z.object({ deviceId: z.number().int().positive(), kind: faultKind.default('manual'), summary: z.string().trim().min(1).max(512) }).strict();
export const ticketActionBody = z.object({ action: z.enum(['acknowledge', 'start_repair', 'mark_repaired', 'verify']), note: text(512).optional() }).strict();
export const ticketListQuery = z.object({ state: z.union([ticketState, z.literal('unverified')]).optional(), deviceId: z.coerce.number().int().positive().optional() }).strict();
export const trainingBody = z.object({ course: z.string().trim().min(1).max(128), trainedOnMs: ms, certificate: text(128).default(''), certifiedUntilMs: ms.nullable().default(null) }).strict();

export const deviceSchema = z.object({
  id: z.number(),
  orgNodeId: z.number(),
  nodeName: z.string(),
  nodeCode: z.string(),
  roomId: z.number().nullable(),
  roomName: z.string().nullable(),
  deviceClass,
  code: z.string(),
  name: z.string(),
  model: z.string(),
  serial: z.string(),
  firmware: z.string(),
  installedOnMs: z.number().nullable(),
  warrantyUntilMs: z.number().nullable(),
  responsibleName: z.string(),
  responsiblePhone: z.string(),
  cameraId: z.number().nullable(),
  /** Reachability probe (non-video devices): host and TCP port, null = not measured / ICMP. */
  probeHost: z.string().nullable().optional(),
  probeTcpPort: z.number().nullable().optional(),
  /** Channels an NVR / encoder must answer DeviceInfo with after a replacement (R-CITY-4); null = not known. */
  expectedChannels: z.number().nullable().optional(),
  /** The device's own last answer (GB/T 28181 DeviceInfo / ONVIF): model, channel count, when; null = never. */
  reportedModel: z.string().nullable().optional(),
  reportedChannels: z.number().nullable().optional(),
  reportedAtMs: z.number().nullable().optional(),
  updatedAtMs: z.number(),
});
export type DeviceView = z.infer<typeof deviceSchema>;

export const ticketEventSchema = z.object({ atMs: z.number(), actor: z.string(), action: z.string(), fromState: ticketState.nullable(), toState: ticketState, note: z.string().nullable() });
export const ticketSchema = z.object({
  id: z.number(),
  deviceId: z.number(),
  deviceName: z.string(),
  deviceCode: z.string(),
  deviceClass: z.string(),
  cameraId: z.number().nullable(),
  responsibleName: z.string(),
  orgNodeId: z.number(),
  nodeName: z.string(),
  nodeCode: z.string(),
  kind: faultKind,
  origin: z.enum(['auto', 'manual']),
  state: ticketState,
  stateLabel: z.string(),
  summary: z.string(),
  openedBy: z.string(),
  openedAtMs: z.number(),
  acknowledgedAtMs: z.number().nullable(),
  repairingAtMs: z.number().nullable(),
  repairedAtMs: z.number().nullable(),
  verifiedAtMs: z.number().nullable(),
  faultCount: z.number(),
  lastFaultAtMs: z.number(),
  healthy: z.boolean(),
  timeToAckMs: z.number(),
  timeToRepairMs: z.number(),
  ackOverdue: z.boolean(),
  repairOverdue: z.boolean(),
  /** Closed by the system because the fault cleared by itself before anyone acted (never repaired; self-clear.ts). */
  selfCleared: z.boolean().optional(),
  /** R-CITY-4: the device was replaced and the ticket is not verified before the replacement passes its check (why it waits); null = not waiting. */
  conformance: z.object({ replacedAtMs: z.number(), waitingFor: z.string() }).nullable().optional(),
});
export type TicketView = z.infer<typeof ticketSchema>;
export const ticketDetailSchema = ticketSchema.extend({ events: z.array(ticketEventSchema) });
export type TicketDetailView = z.infer<typeof ticketDetailSchema>;

export const trainingSchema = z.object({ id: z.number(), userId: z.number(), username: z.string(), displayName: z.string(), course: z.string(), trainedOnMs: z.number(), certificate: z.string(), certifiedUntilMs: z.number().nullable(), recordedBy: z.string() });
export type TrainingView = z.infer<typeof trainingSchema>;

export function deviceView(d: DeviceRow): DeviceView {
  return { id: d.id, orgNodeId: d.org_node_id, nodeName: d.node_name, nodeCode: d.node_code, roomId: d.room_id, roomName: d.room_name, deviceClass: d.device_class, code: d.code, name: d.name, model: d.model, serial: d.serial, firmware: d.firmware, installedOnMs: d.installed_on_ms, warrantyUntilMs: d.warranty_until_ms, responsibleName: d.responsible_name, responsiblePhone: d.responsible_phone, cameraId: d.camera_id, probeHost: d.probe_host ?? null, probeTcpPort: d.probe_tcp_port ?? null, expectedChannels: d.expected_channels ?? null, reportedModel: d.reported_model ?? null, reportedChannels: d.reported_channels ?? null, reportedAtMs: d.reported_at_ms ?? null, updatedAtMs: d.updated_at_ms };
}

export function ticketView(t: TicketRow, nowMs: number, limits: TicketLimits): TicketView {
  // Verified without ever being repaired: only the system's self-clear closes a ticket that way.
  const selfCleared = t.state === 'verified' && t.repaired_at_ms === null;
  const timing = ticketTiming({ openedAtMs: t.opened_at_ms, acknowledgedAtMs: t.acknowledged_at_ms, repairingAtMs: t.repairing_at_ms, repairedAtMs: t.repaired_at_ms }, nowMs, limits);
  return {
    id: t.id, deviceId: t.device_id, deviceName: t.device_name, deviceCode: t.device_code, deviceClass: t.device_class, cameraId: t.camera_id, responsibleName: t.responsible_name,
    orgNodeId: t.org_node_id, nodeName: t.node_name, nodeCode: t.node_code, kind: t.kind, origin: t.origin, state: t.state, stateLabel: selfCleared ? SELF_CLEARED_LABEL : STATE_LABELS[t.state], summary: t.summary,
    openedBy: t.opened_by, openedAtMs: t.opened_at_ms, acknowledgedAtMs: t.acknowledged_at_ms, repairingAtMs: t.repairing_at_ms, repairedAtMs: t.repaired_at_ms, verifiedAtMs: t.verified_at_ms,
    faultCount: t.fault_count, lastFaultAtMs: t.last_fault_at_ms, healthy: t.healthy_since_ms !== null, ...timing, selfCleared,
  };
}

export function eventView(e: TicketEventRow): z.infer<typeof ticketEventSchema> {
  return { atMs: e.at_ms, actor: e.actor, action: e.action, fromState: e.from_state, toState: e.to_state, note: e.note };
}

export function trainingView(r: TrainingRow): TrainingView {
  return { id: r.id, userId: r.user_id, username: r.username, displayName: r.display_name, course: r.course, trainedOnMs: r.trained_on_ms, certificate: r.certificate, certifiedUntilMs: r.certified_until_ms, recordedBy: r.recorded_by };
}
