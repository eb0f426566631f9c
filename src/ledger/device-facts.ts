// Device facts filled in by the devices themselves (R-SEC-1, issue 19 item 1b): a camera's ONVIF
// GetDeviceInformation answer (read by every readiness probe) or a GB/T 28181 DeviceInfo answer
// updates its ledger row's model (maker + model), serial and firmware, as the system, audited
// (`ledger.device.facts`) and published upward in the same transaction. An answer that is not
// plausible text (control or bidi characters, lone surrogates, over-long, or naming nothing) or
// that failed is refused and recorded (audit outcome `error`, warn log); the row is left as it was.
// Unchanged facts write nothing, so a probe every day does not fill the audit log. A new serial on
// the same row is a replaced device (R-CITY-4): its open tickets then wait for the conformance check.
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
/** What a device says about itself; `serial` is absent from GB/T 28181 DeviceInfo. */
export interface DeviceFacts { manufacturer?: string; model?: string; firmware?: string; serial?: string }
export type FactsOutcome = 'updated' | 'unchanged' | 'refused' | 'no-device';

const FIELD_MAX = 128;

/** Why an answer is refused, or null when it is plausible. */
export function factsProblem(f: DeviceFacts): string | null {
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined) continue;
    if (typeof v !== 'string') return `${k} 不是文本 (not text)`;
    if (v.length > FIELD_MAX) return `${k} 过长 (${v.length} > ${FIELD_MAX} characters)`;
    // Controls, bidi overrides, lone surrogates (the rule of typed names): never part of a model name.
    const bad = nameProblem(v);
    if (bad) return `${k}：${bad}`;
  }
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
    const problem = 'error' in answer ? `设备信息读取失败：${answer.error}`.slice(0, 300) : factsProblem(answer);
    if (problem) {
      await this.d.audit.record(SYSTEM_ACTOR, { action: 'ledger.device.facts', objectType: 'ledger_device', objectId: row.id, scopePath: row.node_path, outcome: 'error', detail: { cameraId, via, reason: problem, answer: 'error' in answer ? null : JSON.stringify(answer).slice(0, 600) } });
      this.d.log.warn({ cameraId, deviceId: row.id, via, reason: problem }, '设备信息应答无效，台账未修改 (device facts refused)');
      return 'refused';
    }
    const f = answer as DeviceFacts;
    const model = [f.manufacturer?.trim(), f.model?.trim()].filter(Boolean).join(' ').slice(0, FIELD_MAX) || row.model;
    const serial = f.serial?.trim() || row.serial;
    const firmware = f.firmware?.trim() || row.firmware;
    if (model === row.model && serial === row.serial && firmware === row.firmware) return 'unchanged';
    const before = { model: row.model, serial: row.serial, firmware: row.firmware };
    await this.d.store.db.transaction().execute(async (trx) => {
      const lr = repos(trx).ledger;
      await lr.updateDevice(row.id, { model, serial, firmware, updated_at_ms: this.d.clock.nowMs() });
      const after = (await lr.getDevice(SYSTEM_ACTOR.scope, row.id))!;
      await this.d.audit.append(trx, SYSTEM_ACTOR, { action: 'ledger.device.facts', objectType: 'ledger_device', objectId: row.id, scopePath: row.node_path, detail: { cameraId, via, before, after: { model, serial, firmware } } });
      await this.d.publish?.(trx, { topic: DEVICE_TOPIC, key: after.code, body: deviceView(after), scopePath: after.node_path });
      // R-CITY-4: another serial on the same camera row is another device — a replacement.
      if (row.serial && serial !== row.serial) await this.d.faults.recordReplaced(trx, row.id, `设备已更换（序列号 ${row.serial} → ${serial}，${via}），须通过考前检测符合性检查后才能验证 (replaced: verified only after the conformance check)`);
    });
    this.d.log.info({ cameraId, deviceId: row.id, via, before, model, serial, firmware }, '设备信息已由设备自动填写 (device facts filled in)');
    return 'updated';
  }
}
