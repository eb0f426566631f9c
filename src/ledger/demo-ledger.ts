// The `npm start` demo's equipment ledger (issue 19): the sample site's cameras (added by
// themselves), its NVR, switch, server, patrol workstation, wall monitor, UPS and clock with a
// responsible person, one open fault ticket, and a training record of the administrator.
import type { Logger } from 'pino';
import type { App } from '../app.ts';
import type { Actor } from '../auth/actor.ts';
import { repos } from '../store/repos/index.ts';
import type { DeviceClass } from '../store/schema.ts';

const DEVICES: Array<{ deviceClass: DeviceClass; code: string; name: string; model: string }> = [
  { deviceClass: 'nvr', code: 'NVR-01', name: '网络硬盘录像机', model: 'DS-7932N-R4' },
  { deviceClass: 'switch', code: 'SW-01', name: '核心交换机', model: 'S5735-L24T4S' },
  { deviceClass: 'server', code: 'SRV-01', name: '巡查服务器', model: 'R4900 G5' },
  { deviceClass: 'workstation', code: 'WS-01', name: '巡查工作站', model: 'ThinkCentre M920' },
  { deviceClass: 'monitor', code: 'MON-01', name: '监控墙显示器', model: 'DS-D5055' },
  { deviceClass: 'ups', code: 'UPS-01', name: '不间断电源', model: 'C3KS' },
  { deviceClass: 'clock', code: 'CLK-01', name: '标准时钟', model: 'SYN2136' },
];

export async function seedDemoLedger(app: App, log: Logger, siteId: number, actor: Actor): Promise<void> {
  await app.ledger.ledger.syncCameras();
  const ids: number[] = [];
  for (const d of DEVICES) {
    const v = await app.ledger.ledger.create(actor, { orgNodeId: siteId, roomId: null, deviceClass: d.deviceClass, code: d.code, name: d.name, model: d.model, serial: `SN${d.code.replace('-', '')}2026`, firmware: 'V1.0', installedOnMs: Date.UTC(2025, 2, 1), warrantyUntilMs: Date.UTC(2028, 1, 28), responsibleName: '王老师', responsiblePhone: '13800000001' });
    ids.push(v.id);
  }
  const ups = ids[DEVICES.findIndex((d) => d.deviceClass === 'ups')]!;
  await app.ledger.faults.open(actor, { deviceId: ups, kind: 'manual', summary: 'UPS 电池自检失败，需更换电池 (battery self-test failed)' });
  const admin = await repos(app.store.db).users.byUsername('admin');
  if (admin) await app.ledger.ledger.addTraining(actor, admin.id, { course: '标准化考点视频巡查系统管理员培训', trainedOnMs: Date.UTC(2026, 3, 15), certificate: 'JS-XC-2026-0001', certifiedUntilMs: Date.UTC(2028, 3, 15) });
  log.info({ devices: DEVICES.length }, '演示设备台账与故障工单已生成 (demo ledger and one open ticket)');
}
