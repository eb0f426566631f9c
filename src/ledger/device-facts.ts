// Device facts filled in by the devices themselves (R-SEC-1, issue 19 item 1b): a camera's ONVIF
// GetDeviceInformation answer (read by every readiness probe) or a GB/T 28181 DeviceInfo answer
// updates its ledger row's model (maker + model), serial and firmware, as the system, audited
// (`ledger.device.facts`) and published upward in the same transaction. An answer that is not
// plausible text (control or bidi characters, lone surrogates, over-long, or naming nothing) or
// that failed is refused and recorded (audit outcome `error`, warn log); the row is left as it was.
// Unchanged facts write nothing, so a probe every day does not fill the audit log. A new serial on
// the same row is a replaced device (R-CITY-4): its open tickets then wait for the conformance check.
// GB/T 28181 DeviceInfo carries no serial (GB/T 28181-2016 §A.2.6): there a different maker/model
// than the device itself stated before (`reported_model`) is the replacement; a firmware change
// alone is an upgrade. Every valid answer stamps `reported_at_ms` and the channel count, which the
// conformance check of a replaced NVR or encoder reads (conformance.ts).
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { nameProblem } from '../util/text.ts';
import { DEVICE_TOPIC } from './ledger-service.ts';
import type { LedgerService, Publish } from './ledger-service.ts';
import type { FaultService } from './fault-service.ts';
import { deviceView } from './schemas.ts';

export type FactsVia = 'ONVIF GetDeviceInformation' | 'GB/T 28181 DeviceInfo';
/** What a device says about itself; `serial` is absent from GB/T 28181 DeviceInfo, `channels` from ONVIF. */
export interface DeviceFacts { manufacturer?: string; model?: string; firmware?: string; serial?: string; channels?: number }
export type FactsOutcome = 'updated' | 'unchanged' | 'refused' | 'no-device';

const FIELD_MAX = 128;
/** More channels than any NVR or encoder has: a Channel beyond it is not a plausible answer. */
const CHANNELS_MAX = 4096;

/** Why an answer is refused, or null when it is plausible. */
export function factsProblem(f: DeviceFacts): string | null {
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || k === 'channels') continue;
    if (typeof v !== 'string') return `${k} 不是文本 (not text)`;
    if (v.length > FIELD_MAX) return `${k} 过长 (${v.length} > ${FIELD_MAX} characters)`;
    // Controls, bidi overrides, lone surrogates (the rule of typed names): never part of a model name.
    const bad = nameProblem(v);
    if (bad) return `${k}：${bad}`;
  }
  if (f.channels !== undefined && !(Number.isInteger(f.channels) && f.channels >= 0 && f.channels <= CHANNELS_MAX)) return `通道数不合理 (Channel ${String(f.channels)} not 0–${CHANNELS_MAX})`;
  if (![f.model, f.serial, f.firmware].some((v) => v?.trim())) return '应答未给出型号、序列号或固件 (names no model, serial or firmware)';
  return null;
}

export class DeviceFactsRecorder {
  constructor(private readonly d: { store: Store; audit: AuditService; clock: Clock; log: Logger; ledger: LedgerService; faults: FaultService; publish?: Publish }) {}

  /** Records one device answer (or its failure, as `{ error }`) for the camera's ledger row. */
  async record(cameraId: number, via: FactsVia, answer: DeviceFacts | { error: string }): Promise<FactsOutcome> {
    const r = () => repos(this.d.store.db).ledger;
    let row = await r().deviceOfCamera(SYSTEM_ACTOR.scope, cameraId);
    if (!row && (await this.d.ledger.syncCameras()) > 0) row = await r().deviceOfCamera(SYSTEM_ACTOR.scope, cameraId);
    if (!row) return 'no-device';
    return this.recordDevice(row.id, via, answer, { cameraId });
  }

  /** Records one device answer for a ledger row (any class: a GB/T 28181 device registered here). */
  async recordDevice(deviceId: number, via: FactsVia, answer: DeviceFacts | { error: string }, ctx: Record<string, unknown> = {}): Promise<FactsOutcome> {
    const row = await repos(this.d.store.db).ledger.getDevice(SYSTEM_ACTOR.scope, deviceId);
    if (!row) return 'no-device';
    const problem = 'error' in answer ? `设备信息读取失败：${answer.error}`.slice(0, 300) : factsProblem(answer);
    if (problem) {
      await this.d.audit.record(SYSTEM_ACTOR, { action: 'ledger.device.facts', objectType: 'ledger_device', objectId: row.id, scopePath: row.node_path, outcome: 'error', detail: { ...ctx, via, reason: problem, answer: 'error' in answer ? null : JSON.stringify(answer).slice(0, 600) } });
      this.d.log.warn({ ...ctx, deviceId: row.id, via, reason: problem }, '设备信息应答无效，台账未修改 (device facts refused)');
      return 'refused';
    }
    const f = answer as DeviceFacts;
    const now = this.d.clock.nowMs();
    const stated = [f.manufacturer?.trim(), f.model?.trim()].filter(Boolean).join(' ').slice(0, FIELD_MAX);
    const model = stated || row.model;
    const serial = f.serial?.trim() || row.serial;
    const firmware = f.firmware?.trim() || row.firmware;
    // R-CITY-4: another serial when the answer has one (ONVIF: a model string may change with firmware),
    // else another model than the device itself stated before (GB/T 28181 DeviceInfo has no serial).
    const replacedBy = f.serial?.trim()
      ? (row.serial && serial !== row.serial ? `序列号 ${row.serial} → ${serial}` : null)
      : (stated && row.reported_model && stated !== row.reported_model ? `型号 ${row.reported_model} → ${stated}` : null);
    const awaiting = replacedBy !== null || (await this.d.faults.awaitingConformance(row.id));
    // The channel count an NVR / encoder must keep: its first answer's, never one given while a replacement is unchecked.
    const expected = row.expected_channels ?? (f.channels !== undefined && f.channels > 0 && !awaiting ? f.channels : null);
    const reported = { reported_at_ms: now, ...(stated && { reported_model: stated }), ...(f.channels !== undefined && { reported_channels: f.channels }), expected_channels: expected };
    const changed = model !== row.model || serial !== row.serial || firmware !== row.firmware || expected !== row.expected_channels;
    if (!changed) {
      await repos(this.d.store.db).ledger.updateDevice(row.id, reported); // when it last answered: read by the conformance check
      return 'unchanged';
    }
    const before = { model: row.model, serial: row.serial, firmware: row.firmware, expectedChannels: row.expected_channels };
    await this.d.store.db.transaction().execute(async (trx) => {
      const lr = repos(trx).ledger;
      await lr.updateDevice(row.id, { model, serial, firmware, ...reported, updated_at_ms: now });
      const after = (await lr.getDevice(SYSTEM_ACTOR.scope, row.id))!;
      await this.d.audit.append(trx, SYSTEM_ACTOR, { action: 'ledger.device.facts', objectType: 'ledger_device', objectId: row.id, scopePath: row.node_path, detail: { ...ctx, via, before, after: { model, serial, firmware, expectedChannels: expected } } });
      await this.d.publish?.(trx, { topic: DEVICE_TOPIC, key: after.code, body: deviceView(after), scopePath: after.node_path });
      if (replacedBy) await this.d.faults.recordReplaced(trx, row.id, `设备已更换（${replacedBy}，${via}），须通过符合性检查后才能验证 (replaced: verified only after the conformance check)`);
    });
    this.d.log.info({ ...ctx, deviceId: row.id, via, before, model, serial, firmware, replaced: replacedBy }, '设备信息已由设备自动填写 (device facts filled in)');
    return 'updated';
  }
}
