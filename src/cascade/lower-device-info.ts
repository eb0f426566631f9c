// DeviceInfo (GB/T 28181 §9.5.3, MANSCDP Query/DeviceInfo) of a device or platform registered
// directly to this node, asked by its own SIP id — for the equipment ledger (issue 19: video
// devices fill in model and firmware by themselves; R-CITY-4: an NVR's channel count). The answer
// is returned as received; judging it (Result, plausible text, channel count) is the ledger's job.
import { repos } from '../store/repos/index.ts';
import { QueryTimeoutError } from './sip-node.ts';
import type { CascadeModule } from './index.ts';

export interface LowerDeviceInfo { result: string; manufacturer?: string; model?: string; firmware?: string; channel?: number; deviceName?: string }

/** Asks the registered lower `sipId` for its DeviceInfo; throws when it is not registered, refuses, or does not answer within `idleMs`. */
export async function askLowerDeviceInfo(cascade: Pick<CascadeModule, 'node' | 'registry' | 'app'>, sipId: string, idleMs = 5000): Promise<LowerDeviceInfo> {
  const { node, registry } = cascade;
  if (!node || !registry) throw new Error('本节点未启用国标 (gb28181 not started)');
  const lower = await repos(cascade.app.store.db).cascade.lowerBySipId(sipId);
  if (!lower || lower.online !== 1) throw new Error(`国标设备 ${sipId} 未注册 (not registered)`);
  const answers = await registry.query(lower, { kind: 'device-info-query', sn: node.nextSn(), deviceId: sipId }, idleMs).catch((err: unknown) => {
    // An answer that does not parse is dropped by the SIP layer: what is seen here is no answer.
    if (err instanceof QueryTimeoutError) throw new Error(`DeviceInfo 无应答：${idleMs / 1000} 秒内未收到可解析的应答 (no readable answer)`);
    throw err;
  });
  const a = answers.find((x) => x.kind === 'device-info-response');
  if (!a || a.kind !== 'device-info-response') throw new Error('DeviceInfo 无应答 (no DeviceInfo answer)');
  return { result: a.result, manufacturer: a.manufacturer, model: a.model, firmware: a.firmware, channel: a.channel, deviceName: a.deviceName };
}
