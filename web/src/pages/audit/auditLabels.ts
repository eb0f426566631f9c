// Friendly labels for the server's audit action / object codes (src/**: `audit.append(..., { action })`).
// Unknown codes fall back to a verb+object guess, else the raw code (always available as a tooltip).
import type { Lang } from '../../i18n.ts';
import { DETAIL_KEYS, DETAIL_VALUES } from './auditDetailKeys.ts';

const ACTIONS: Record<string, [string, string]> = {
  'auth.login': ['登录', 'Sign in'], 'auth.logout': ['退出登录', 'Sign out'], 'auth.totp.enable': ['启用双因素认证', 'Enable 2FA'],
  'org.create': ['新增机构', 'Create org node'], 'org.update': ['修改机构', 'Update org node'], 'org.delete': ['删除机构', 'Delete org node'],
  'org.import': ['导入组织机构', 'Import organisation'], 'org.export': ['导出组织机构', 'Export organisation'],
  'room.create': ['新增房间', 'Create room'], 'room.update': ['修改房间', 'Update room'], 'room.delete': ['删除房间', 'Delete room'],
  'camera.create': ['新增摄像机', 'Create camera'], 'camera.update': ['修改摄像机', 'Update camera'], 'camera.delete': ['删除摄像机', 'Delete camera'],
  'camera.reveal': ['查看摄像机网络配置', 'Reveal camera config'],
  'camera.probe': ['测试摄像机连接', 'Test camera connection'], 'video.snapshot': ['实时画面抓图', 'Live snapshot'], 'video.talk': ['喊话（对考场讲话）', 'Talk to the room'], 'video.talk.end': ['结束喊话', 'Talk ended'], 'video.live.examstatus': ['查看画面考试状态', 'Tile exam status'],
  'user.create': ['新建用户', 'Create user'], 'user.update': ['修改用户', 'Update user'], 'user.password': ['修改密码', 'Change password'],
  'tour.create': ['新建轮巡方案', 'Create patrol tour'], 'tour.update': ['修改轮巡方案', 'Update patrol tour'], 'tour.delete': ['删除轮巡方案', 'Delete patrol tour'],
  'tour.play': ['播放轮巡方案', 'Run patrol tour'], 'tour.list': ['查看轮巡方案', 'List patrol tours'], 'tour.read': ['查看轮巡方案', 'View patrol tour'],
  'video.live.start': ['开始观看实时视频', 'Start live video'], 'video.live.end': ['结束观看实时视频', 'End live video'],
  'playback.start': ['开始录像回放', 'Start playback'], 'playback.end': ['结束录像回放', 'End playback'], 'recording.list': ['查询录像', 'List recordings'], 'recording.thumbnail': ['查看录像缩略图', 'Recording thumbnail'],
  'recording.mode': ['修改录像方式', 'Change recording mode'], 'recording.schedule.create': ['新增录像计划', 'Add recording schedule'], 'recording.schedule.delete': ['删除录像计划', 'Delete recording schedule'],
  'alarm.ack': ['确认报警并处置', 'Acknowledge alarm'], 'alarm.export': ['导出报警记录', 'Export alarm history'],
  'export.create': ['创建录像导出', 'Create export'], 'export.done': ['录像导出完成', 'Export finished'], 'export.download': ['下载导出录像', 'Download export'], 'export.cancel': ['取消录像导出', 'Cancel export'],
  'export.request': ['申请导出录像', 'Request export'], 'export.request.approve': ['批准导出申请', 'Approve export request'], 'export.request.reject': ['驳回导出申请', 'Reject export request'], 'export.request.get': ['查看导出申请', 'View export request'],
  'exam.create': ['新建考试', 'Create exam'], 'exam.update': ['修改考试', 'Update exam'], 'exam.delete': ['删除考试', 'Delete exam'], 'exam.sites': ['设置参考考点', 'Set exam sites'], 'exam.window.edit': ['修改录像时段', 'Edit recording window'],
  'exam.session.create': ['新增考试场次', 'Add exam sessions'], 'exam.session.update': ['修改考试场次', 'Update exam session'], 'exam.session.delete': ['删除考试场次', 'Delete exam session'], 'exam.report.export': ['导出完整率报告', 'Export completeness report'], 'exam.recompute': ['重新计算完整率', 'Recompute report'],
  'evidence.hold': ['证据保全', 'Evidence hold'], 'evidence.release': ['解除证据保全', 'Release evidence hold'], 'retention.delete': ['到期删除录像', 'Retention deletion'], 'retention.settings': ['修改保存期限', 'Retention settings'],
  'backup.create': ['创建备份', 'Create backup'], 'backup.complete': ['备份完成', 'Backup complete'], 'backup.verify': ['校验备份', 'Verify backup'],
  'auth.totp.setup': ['生成双因素密钥', 'Set up 2FA'], 'checklist.sign': ['签署检查清单', 'Sign checklist'], 'readiness.open': ['开始考前检测', 'Open readiness check'], 'readiness.close': ['结束考前检测', 'Close readiness check'],
  'cascade.ptz': ['云台控制（级联）', 'PTZ (cascade)'], 'cascade.catalog': ['级联目录查询', 'Cascade catalog'], 'cascade.lower.create': ['新增下级平台', 'Add lower platform'], 'cascade.lower.update': ['修改下级平台', 'Update lower platform'], 'cascade.lower.delete': ['删除下级平台', 'Delete lower platform'],
  'duty.checkin': ['值班签到', 'Duty check-in'], 'duty.checkout': ['值班签退', 'Duty check-out'], 'duty.presence.confirm': ['确认在岗', 'Confirm presence on duty'], 'duty.grant.request': ['申请远程查看', 'Request remote view'], 'duty.grant.cancel': ['撤回远程查看申请', 'Withdraw remote view request'], 'duty.incident.create': ['上报事件', 'Report incident'], 'duty.incident.handle': ['处理事件', 'Handle incident'], 'duty.review.sign': ['签署保密室回看', 'Sign custody review'], 'ledger.report.generate': ['生成运行报告', 'Generate health report'], 'ledger.report.download': ['下载运行报告', 'Download health report'],
  'fault.ticket.open': ['新建故障工单', 'Open fault ticket'], 'fault.ticket.self_cleared': ['故障自行恢复，系统关闭工单', 'Ticket closed by the system: fault cleared by itself'], 'training.create': ['新增培训记录', 'Add training record'], 'training.delete': ['删除培训记录', 'Delete training record'], 'uplink.receive': ['接收下级上报', 'Receive from lower'], 'uplink.down': ['接收上级下发', 'Receive from upper'], 'uplink.down.relay': ['转发上级下发至下级', 'Relay from upper to lower'], 'duty.grant.decide': ['上级审批在本级生效', 'Apply the upper\u2019s decision'],
  'cascade.control': ['级联回放控制', 'Cascade playback control'], 'duty.workstation.enroll': ['登记值班终端', 'Enrol workstation'], 'duty.workstation.claim': ['登记链接启用值班终端', 'Enrol workstation by link'], 'duty.workstation.revoke': ['注销值班终端', 'Revoke workstation'], 'duty.workstation.reject': ['拒绝值班终端', 'Reject workstation'],
  'duty.view': ['值班查看视频', 'Duty view'], 'exam.priority.override': ['调整录像优先级', 'Override priority'], 'exam.settings.update': ['修改考点时段默认值', 'Update site defaults'], 'ledger.device.delete': ['删除台账设备', 'Delete ledger device'], 'ledger.device.facts': ['读取设备信息更新台账', 'Device facts into ledger'], 'ledger.card.export': ['导出设备卡片', 'Export device card'],
  'readiness.contact': ['修改检测联系人', 'Readiness contact'], 'readiness.probe': ['考前检测摄像机', 'Readiness probe'], 'readiness.reference.sign': ['签署基准画面', 'Sign reference picture'],
  'audit.read': ['查询审计日志', 'Read audit log'], 'audit.export': ['导出审计日志', 'Export audit log'], 'audit.verify': ['校验哈希链', 'Verify hash chain'],
  'cascade.config': ['级联设备参数配置', 'Cascade device config'], 'duty.patrol.note': ['填写巡查记录', 'Patrol log note'], 'ptz.command': ['云台控制', 'PTZ command'],
  'ptz.preset.approve': ['审批云台预置位', 'Approve PTZ preset'], 'ptz.preset.store': ['存为预置位并批准', 'Store and approve PTZ preset'], 'duty.roster.add': ['添加值班排班', 'Add to duty roster'], 'duty.roster.remove': ['移除值班排班', 'Remove from duty roster'],
  'ledger.device.export': ['导出设备台账', 'Export device ledger'], 'readiness.uplink.set': ['设置考点上行带宽', 'Set site uplink'], 'readiness.cascade_bandwidth': ['经级联实测下级带宽', 'Measure a lower\u2019s bandwidth through the cascade'], 'readiness.report.export': ['导出考前检测报告', 'Export readiness report'],
  'camera.clock.set': ['校准摄像机时钟', 'Set camera clock'], 'recording.schedule.list': ['查看录像计划', 'List recording schedules'],
  'audit.rekey': ['审计密钥轮换', 'Rotate audit key'], 'audit.checkpoint.problem': ['下级审计日志回退或重建', 'Lower audit log rolled back or rebuilt'], 'audit.checkpoint.ack': ['确认下级审计检查点告警', 'Acknowledge lower audit alarm'],
  'wall.layout.create': ['保存画面布局', 'Save wall layout'], 'wall.layout.update': ['修改画面布局', 'Update wall layout'], 'wall.layout.delete': ['删除画面布局', 'Delete wall layout'],
  'wall.layout.list': ['查看画面布局', 'List wall layouts'], 'wall.state.read': ['读取视频墙', 'Read wall'], 'wall.state.save': ['保存视频墙', 'Keep wall'],
  'cascade.broadcast': ['级联语音广播', 'Cascade voice broadcast'], 'cascade.talk': ['级联语音对讲', 'Cascade voice talk'],
  'ledger.report.export': ['导出运行周报/月报', 'Export health report'],
  'duty.record.export': ['导出值班记录', 'Export duty record'],
};
const VERBS: Record<string, [string, string]> = {
  create: ['新增', 'Create'], update: ['修改', 'Update'], delete: ['删除', 'Delete'], import: ['导入', 'Import'], export: ['导出', 'Export'],
  read: ['查看', 'View'], reveal: ['查看', 'Reveal'],
};
const OBJECTS: Record<string, [string, string]> = {
  org: ['机构', 'Org node'], org_node: ['机构', 'Org node'], room: ['房间', 'Room'], camera: ['摄像机', 'Camera'], user: ['用户', 'User'],
  audit: ['审计日志', 'Audit log'], exam: ['考试', 'Exam'], recording: ['录像', 'Recording'], tour: ['轮巡方案', 'Patrol tour'],
  alarm: ['报警', 'Alarm'], export: ['导出任务', 'Export'], export_request: ['导出申请', 'Export request'], session: ['考试场次', 'Exam session'], window: ['录像时段', 'Recording window'],
  backup: ['备份', 'Backup'], evidence_hold: ['证据保全', 'Evidence hold'], lower_platform: ['下级平台', 'Lower platform'], device: ['设备', 'Device'], ticket: ['故障工单', 'Fault ticket'],
  wall: ['视频墙', 'Wall'], wall_layout: ['画面布局', 'Wall layout'],
  exam_session: ['考试场次', 'Exam session'], room_window: ['录像时段', 'Recording window'],
};

export const KNOWN_ACTIONS = Object.keys(ACTIONS);
export const KNOWN_OBJECTS = ['org_node', 'room', 'camera', 'user', 'audit'];

export function objectLabel(code: string, lang: Lang): string {
  const o = OBJECTS[code];
  return o ? o[lang === 'zh' ? 0 : 1] : code;
}

export function actionLabel(code: string, lang: Lang): string {
  const i = lang === 'zh' ? 0 : 1;
  const exact = ACTIONS[code];
  if (exact) return exact[i];
  const [obj, verb] = code.split('.');
  const v = verb ? VERBS[verb] : undefined;
  const o = obj ? OBJECTS[obj] : undefined;
  if (!v || !o) return code;
  return lang === 'zh' ? `${v[0]}${o[0]}` : `${v[1]} ${o[1].toLowerCase()}`;
}

/** Detail keys in Chinese (auditDetailKeys.ts), and *Ms values (ms since the epoch) as Beijing time (issue 14 item 17). */
export function detailKey(k: string, lang: Lang): string {
  return lang === 'zh' ? (DETAIL_KEYS[k] ?? k) : k;
}
// Codes the duty rules write into a refusal (src/duty/policy.ts), and the window kinds they name.
const REASONS: Record<string, string> = {
  'no remote-viewing grant': '无有效的远程调看授权', 'two-person rule': '未满足两人值守',
  // Decisions from the level above (docs/design/duty.md "Downward approvals").
  'bad-signature': '签名无效（非上级签发）', 'no such request': '本级无此申请', 'request differs': '申请内容不符', 'invalid decision': '审批内容无效',
  'not found in scope': '不在管辖范围内', 'unknown user': '用户不存在', 'too many failures from this address': '该地址登录失败次数过多',
  disabled: '账号已停用', locked: '账号已锁定', 'no purpose stated': '未填写用途', 'camera not in token': '摄像机不在本次授权内',
  'exam owned by a node outside the scope': '考试属于管辖范围外的机构',
  'not the owner, and not an administrator of a shared tour': '不是所有者，也不是该共享轮巡方案的管理员',
  'not the owner, and not an administrator of a shared layout': '不是所有者，也不是该共享画面布局的管理员',
  'already approved': '申请已批准', 'already refused': '申请已拒绝', 'already cancelled': '申请已撤销', 'not the authority above': '非上级考试机构', 'own request': '不能审批自己的申请',
};
const WINDOW_KINDS: Record<string, string> = { exam: '考试时段', custody: '试卷保密时段' };

const ROLES: Record<string, string> = { admin: '系统管理员', operator: '巡查员', leader: '组长', inspector: '纪检监察' };
/** A length of time (durationMs, offsets) as 1小时2分3秒 / 1.5秒. */
function durationText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 60_000) return `${sign}${Number((a / 1000).toFixed(a < 10_000 ? 1 : 0))}秒`;
  const s = Math.round(a / 1000);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return `${sign}${h ? `${h}小时` : ''}${m}分${r}秒`;
}
function bytesText(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) [v, i] = [v / 1024, i + 1];
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}

/** An item of a detail list as words, not JSON: playback.start's cameras {id, gbCode, name} by name, a range as from～to. */
function itemText(x: unknown, beijing: (ms: number) => string): string {
  if (Array.isArray(x)) return x.length === 2 && x.every((n) => typeof n === 'number' && n > 946_684_800_000) ? `${beijing(x[0] as number)}～${beijing(x[1] as number)}` : x.map((y) => itemText(y, beijing)).join('、');
  if (typeof x !== 'object' || x === null) return String(x);
  const o = x as Record<string, unknown>;
  if (typeof o.name === 'string') return o.name;
  if (o.id !== undefined && Object.keys(o).every((k) => k === 'id' || k === 'gbCode')) return `#${String(o.id)}${typeof o.gbCode === 'string' ? `（${o.gbCode}）` : ''}`;
  return detailValue('', x, beijing);
}
export function detailValue(k: string, v: unknown, beijing: (ms: number) => string): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number' && /Ms$/.test(k)) return v > 946_684_800_000 ? beijing(v) : durationText(v); // a time, else a length of time
  if (typeof v === 'number' && /(^b|B)ytes$/.test(k)) return bytesText(v);
  if (typeof v === 'string' && DETAIL_VALUES[k]?.[v]) return DETAIL_VALUES[k][v];
  if ((k === 'role' || k === 'previousRole') && typeof v === 'string') return ROLES[v] ?? v;
  // A refusal by role: `role operator` → 角色无此权限（巡查员）.
  if (k === 'reason' && typeof v === 'string' && /^role \w+$/.test(v)) return `角色无此权限（${ROLES[v.slice(5)] ?? v.slice(5)}）`;
  // `for` names the action a refusal was for (duty.view: video.live.start).
  if (k === 'for' && typeof v === 'string') return actionLabel(v, 'zh');
  if (k === 'reason' && typeof v === 'string') return REASONS[v] ?? v;
  if (k === 'windows' && Array.isArray(v)) return v.map((x) => WINDOW_KINDS[String(x)] ?? String(x)).join('、');
  if (Array.isArray(v)) return v.map((x) => itemText(x, beijing)).join('、');
  if (typeof v === 'boolean') return v ? '是' : '否';
  // A nested object (before / after of a change) as 键: 值 in brackets, never JSON.
  if (typeof v === 'object') return `（${Object.entries(v as Record<string, unknown>).map(([ik, iv]) => `${DETAIL_KEYS[ik] ?? ik}: ${detailValue(ik, iv, beijing)}`).join('，')}）`;
  return String(v);
}
