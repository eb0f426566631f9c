// Excel export and import of the equipment ledger (设备台账导入导出, issue 19 item 1, R-SEC-1/2).
// One sheet `设备台账`, every cell text (20-digit codes stay exact). Import matches rows by
// (node code, device code): new rows are added, existing ones changed. Every row is checked first;
// if any row is wrong nothing is applied and the problems are returned with their row numbers.
// Each applied row goes through the ledger service (scope, permission, audit, upward publication).
// The reachability target (探测地址 / 探测端口, reachability.ts) travels too: an empty cell clears it
// (not measured), a sheet without the column leaves it as it is (sheets written before 0032). So does
// 应接入通道数 (expected_channels, 0036: what a replaced NVR / encoder is checked against, conformance.ts).
import { loadExcelJS } from '../util/lazy-libs.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath, requirePermission, runAudited } from '../auth/guard.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { readXlsx } from '../org/transfer/xlsx.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { AppError } from '../util/errors.ts';
import type { LedgerService } from './ledger-service.ts';
import { deviceBody } from './schemas.ts';
import type { DeviceBody, DeviceView } from './schemas.ts';

export const LEDGER_SHEET = '设备台账';
const HEADER = ['节点编码', '节点名称', '设备类别', '设备编码', '设备名称', '型号', '序列号', '固件版本', '房间', '安装日期', '质保截止', '责任人', '联系电话', '探测地址', '探测端口', '应接入通道数'];
// As the device form (schemas.ts deviceBody): a device with no channels has no count to check.
const MIN_CHANNELS = 1;
const MAX_CHANNELS = 4096;
/** Sheet 填写说明 of the template: what each column takes (the import reads only sheet 设备台账). */
const NOTES: Array<[string, string]> = [
  ['节点编码', '必填：考点等组织节点的国标编码（20 位），须在本人权限范围内'],
  ['节点名称', '导出时填写，导入时不读'],
  ['设备类别', '必填：camera 摄像机 / nvr 硬盘录像机 / encoder 编码器 / switch 交换机 / server 服务器 / workstation 工作站 / monitor 显示器 / ups UPS / clock 时钟 / other 其他'],
  ['设备编码', '必填：视频设备填国标编码，其他设备自编；同一节点内唯一，导入时按（节点编码，设备编码）匹配已有设备'],
  ['设备名称', '必填'],
  ['型号 / 序列号 / 固件版本', '选填；视频设备由系统从设备应答中自动填写'],
  ['房间', '导出时填写，导入时不读（房间在控制台中选择）'],
  ['安装日期 / 质保截止', '选填，格式 YYYY-MM-DD'],
  ['责任人 / 联系电话', '选填（R-SEC-1 要求每台设备有责任人）'],
  ['探测地址', '选填：交换机、UPS 等非视频设备的 IP 或主机名，本节点定时探测其是否可达；留空 = 不监测'],
  ['探测端口', '选填：1–65535，填写则以 TCP 连接该端口判断可达；留空则用 ping（本机须有 ping 命令）'],
  ['应接入通道数', `选填：硬盘录像机、编码器应接入的视频通道数，${MIN_CHANNELS}–${MAX_CHANNELS} 的整数；更换设备后按此检查新设备应答的通道数；留空 = 未登记`],
];
const MAX_ROWS = 20_000;

const day = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 10));
function parseDay(s: string): number | null | 'bad' {
  if (s.trim() === '') return null;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s.trim());
  if (!m) return 'bad';
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? 'bad' : ms;
}

export async function ledgerXlsx(devices: readonly DeviceView[], opts: { notes?: boolean } = {}): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const ws = wb.addWorksheet(LEDGER_SHEET, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  ws.columns = HEADER.map((h) => ({ width: Math.max(12, h.length * 3), style: { numFmt: '@' } }));
  ws.addRow(HEADER);
  for (const d of devices) ws.addRow([d.nodeCode, d.nodeName, d.deviceClass, d.code, d.name, d.model, d.serial, d.firmware, d.roomName ?? '', day(d.installedOnMs), day(d.warrantyUntilMs), d.responsibleName, d.responsiblePhone, d.probeHost ?? '', d.probeTcpPort == null ? '' : String(d.probeTcpPort), d.expectedChannels == null ? '' : String(d.expectedChannels)]);
  ws.getRow(1).font = { bold: true };
  if (opts.notes) {
    const notes = wb.addWorksheet('填写说明');
    notes.columns = [{ width: 24 }, { width: 100 }];
    notes.addRow(['列', '说明']).font = { bold: true };
    for (const n of NOTES) notes.addRow(n);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Probe columns of an import row: absent column → key absent (unchanged), empty cell → null (cleared). */
function probeCells(hostCol: boolean, host: string, portCol: boolean, port: string): { probeHost?: string | null; probeTcpPort?: number | null } | 'bad' {
  const out: { probeHost?: string | null; probeTcpPort?: number | null } = {};
  if (hostCol) out.probeHost = host === '' ? null : host;
  if (portCol) {
    if (port === '') out.probeTcpPort = null;
    else if (/^\d{1,5}$/.test(port)) out.probeTcpPort = Number(port);
    else return 'bad';
  }
  return out;
}

/** 应接入通道数 of an import row: absent column → key absent (unchanged), empty cell → null (not registered). */
function channelsCell(present: boolean, cell: string): { expectedChannels?: number | null } | 'bad' {
  if (!present) return {};
  if (cell === '') return { expectedChannels: null };
  const n = /^\d{1,5}$/.test(cell) ? Number(cell) : NaN;
  return n >= MIN_CHANNELS && n <= MAX_CHANNELS ? { expectedChannels: n } : 'bad';
}

export interface LedgerImportResult { created: number; updated: number; problems: Array<{ row: number; message: string }> }

export class LedgerTransfer {
  constructor(private readonly d: { store: Store; audit: AuditService; ledger: LedgerService }) {}

  async export(actor: Actor): Promise<Buffer> {
    const devices = await this.d.ledger.list(actor);
    await runAudited(this.d.store, this.d.audit, actor, (trx) => this.d.audit.append(trx, actor, { action: 'ledger.device.export', objectType: 'ledger_device', objectId: '*', scopePath: actorPath(actor), detail: { devices: devices.length } }));
    return ledgerXlsx(devices);
  }

  /** The empty sheet with its header and a sheet of notes (导入模板). Needs only the right to read the ledger. */
  async template(actor: Actor): Promise<Buffer> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.read', 'ledger_device', '*');
    return ledgerXlsx([], { notes: true });
  }

  async import(actor: Actor, data: Buffer): Promise<LedgerImportResult> {
    await requirePermission(this.d.audit, actor, 'org.write', 'ledger.device.import', 'ledger_device', '*');
    const { rows, problems } = await readXlsx(data, MAX_ROWS);
    const header = rows[0]?.map((c) => c.trim()) ?? [];
    const col = (name: string) => header.indexOf(name);
    for (const h of ['节点编码', '设备类别', '设备编码', '设备名称']) if (col(h) < 0) throw new AppError('invalid_input', `缺少列「${h}」(column missing)`);
    const r = repos(this.d.store.db);
    const plan: Array<{ id?: number; body: DeviceBody }> = [];
    for (let i = 1; i < rows.length; i++) {
      const cells = rows[i]!;
      const get = (name: string) => (col(name) >= 0 ? (cells[col(name)] ?? '').trim() : '');
      if (cells.every((c) => c.trim() === '')) continue;
      const node = await r.org.getByGbCode(actor.scope, get('节点编码'));
      if (!node) { problems.push({ row: i + 1, message: `节点编码 ${get('节点编码')} 不存在或不在权限范围内 (node not found)` }); continue; }
      const installed = parseDay(get('安装日期'));
      const warranty = parseDay(get('质保截止'));
      if (installed === 'bad' || warranty === 'bad') { problems.push({ row: i + 1, message: '日期格式应为 YYYY-MM-DD (date format)' }); continue; }
      const probe = probeCells(col('探测地址') >= 0, get('探测地址'), col('探测端口') >= 0, get('探测端口'));
      if (probe === 'bad') { problems.push({ row: i + 1, message: '探测端口应为 1–65535 的整数 (probe port)' }); continue; }
      const channels = channelsCell(col('应接入通道数') >= 0, get('应接入通道数'));
      if (channels === 'bad') { problems.push({ row: i + 1, message: `应接入通道数应为 ${MIN_CHANNELS}–${MAX_CHANNELS} 的整数，留空表示未登记（填写的是「${get('应接入通道数')}」）(expected channels)` }); continue; }
      const parsed = deviceBody.safeParse({ ...probe, ...channels, orgNodeId: node.id, roomId: null, deviceClass: get('设备类别'), code: get('设备编码'), name: get('设备名称'), model: get('型号'), serial: get('序列号'), firmware: get('固件版本'), installedOnMs: installed, warrantyUntilMs: warranty, responsibleName: get('责任人'), responsiblePhone: get('联系电话') });
      if (!parsed.success) { problems.push({ row: i + 1, message: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') }); continue; }
      const existing = await r.ledger.deviceByCode(node.id, parsed.data.code);
      plan.push({ id: existing?.id, body: existing ? { ...parsed.data, roomId: existing.room_id } : parsed.data });
    }
    if (problems.length > 0) return { created: 0, updated: 0, problems };
    let created = 0;
    let updated = 0;
    for (const p of plan) {
      if (p.id === undefined) { await this.d.ledger.create(actor, p.body); created++; }
      else { await this.d.ledger.update(actor, p.id, p.body); updated++; }
    }
    return { created, updated, problems };
  }
}
