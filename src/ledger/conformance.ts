// R-CITY-4 for devices that are not cameras (docs/design/ledger.md "Conformance of replaced
// devices"): a replaced NVR, encoder, switch, server, UPS … (serial changed in the device form, or
// another model in its own DeviceInfo answer) keeps its tickets unverified until it is measured
// conformant here, after the replacement:
//  - registered at this node as a GB/T 28181 device (ledger code = its SIP id): a valid DeviceInfo
//    answer, and for an NVR or encoder one whose Channel is the channel count the ledger expects;
//  - with a reachability target (probe host / port): answering on it (a health-sample row online);
//  - both, when both apply. A device with neither cannot be measured: its tickets wait, and the
//    console says what to enter (a probe target). Cameras are judged by the readiness probe.
// Checked with every health sample and after every DeviceInfo answer; a pass is recorded on each
// waiting ticket as a `conformance_pass` event (fault-service.ts), which the system's
// verification then lets through.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { DeviceRow } from '../store/repos/ledger-repo.ts';
import type { Database } from '../store/schema.ts';
import type { FaultService } from './fault-service.ts';

const CHANNEL_CLASSES: ReadonlySet<string> = new Set(['nvr', 'encoder']);

export interface ConformanceVerdict { passed: boolean; reason: string }

/** Facts measured since the replacement that the verdict needs. */
export interface ConformanceFacts {
  /** The device is a GB/T 28181 device registered at this node (its code is a lower's SIP id). */
  gbRegistered: boolean;
  /** A reachability sample after the replacement found it online. */
  reachedSince: boolean;
}

/** The verdict for a non-camera device replaced at `replacedAtMs`. Pure. */
export function judge(d: Pick<DeviceRow, 'device_class' | 'probe_host' | 'probe_tcp_port' | 'reported_at_ms' | 'reported_channels' | 'expected_channels'>, replacedAtMs: number, f: ConformanceFacts): ConformanceVerdict {
  const waits: string[] = [];
  const met: string[] = [];
  if (f.gbRegistered) {
    const answered = d.reported_at_ms !== null && d.reported_at_ms >= replacedAtMs;
    if (!answered) waits.push('等待设备应答国标 DeviceInfo (waiting for a GB/T 28181 DeviceInfo answer after the replacement)');
    else if (CHANNEL_CLASSES.has(d.device_class)) {
      if (d.expected_channels === null) waits.push('台账未登记应接入通道数，请在设备表单填写通道数 (expected channel count not in the ledger)');
      else if (d.reported_channels !== d.expected_channels) waits.push(`通道数不符：台账 ${d.expected_channels} 路，设备应答 ${d.reported_channels ?? '未给出'} 路 (channel count differs)`);
      else met.push(`DeviceInfo 应答正常，通道数 ${d.reported_channels} 路`);
    } else met.push('DeviceInfo 应答正常');
  }
  if (d.probe_host) {
    const target = d.probe_tcp_port ? `${d.probe_host}:${d.probe_tcp_port}` : `${d.probe_host} (ping)`;
    if (f.reachedSince) met.push(`探测地址 ${target} 可达`);
    else waits.push(`等待探测地址 ${target} 可达 (waiting for the probe target to answer)`);
  }
  if (!f.gbRegistered && !d.probe_host) {
    return { passed: false, reason: '无法自动检查：该设备未以国标设备注册到本节点，也未填写探测地址；请在设备表单填写探测地址 (not measurable here: enter a probe target)' };
  }
  return waits.length > 0 ? { passed: false, reason: waits.join('；') } : { passed: true, reason: `更换后的设备符合要求：${met.join('，')} (conformant)` };
}

export class ConformanceChecker {
  constructor(private readonly d: { store: Store; log: Logger; faults: FaultService }) {}

  /** The verdict for one device replaced at `replacedAtMs` (cameras: the readiness probe decides). */
  async verdict(db: Kysely<Database>, deviceId: number, replacedAtMs: number): Promise<ConformanceVerdict> {
    const r = repos(db);
    const device = await r.ledger.getDevice(SYSTEM_ACTOR.scope, deviceId);
    if (!device) return { passed: false, reason: '设备已不在台账 (device gone)' };
    if (device.device_class === 'camera') return { passed: false, reason: '等待考前检测通过（在线、解码、标准配置）(waiting for a readiness probe to pass)' };
    const lower = await r.cascade.lowerBySipId(device.code);
    const rows = device.probe_host ? await r.deviceHealth.list(SYSTEM_ACTOR.scope, deviceId, replacedAtMs + 1) : [];
    return judge(device, replacedAtMs, { gbRegistered: Boolean(lower), reachedSince: rows.some((x) => x.online_permille >= 1000) });
  }

  /** Judges every non-camera device whose tickets wait; a pass releases them. Returns the devices passed. */
  async check(deviceId?: number): Promise<number> {
    const waiting = await this.d.faults.waiting(deviceId);
    const byDevice = new Map<number, number>();
    for (const w of waiting) byDevice.set(w.deviceId, Math.max(byDevice.get(w.deviceId) ?? 0, w.replacedAtMs));
    let passed = 0;
    for (const [id, since] of byDevice) {
      const v = await this.verdict(this.d.store.db, id, since);
      if (!v.passed) continue;
      await this.d.faults.recordConformance(id, true, v.reason);
      passed++;
    }
    return passed;
  }
}
