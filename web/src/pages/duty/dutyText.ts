// Texts of the 值班 page (简体中文 first, English second).
import { useMemo } from 'react';
import { useI18n } from '../../i18n.ts';
import type { Lang } from '../../i18n.ts';

const zh = {
  title: '值班', tabStatus: '签到', tabRoster: '排班', tabPatrol: '巡查日志', tabIncidents: '事件', refresh: '刷新',
  room: '监控室', watchedRoom: '房间', onDuty: '在岗人员', meets: '两人值守', yes: '满足', no: '不足两人', since: '签到时间', none: '无',
  person: '人员', role: '职责', from: '开始', to: '结束', user: '巡查人', viewings: '调看次数', duration: '时长', notes: '巡查备注',
  camera: '摄像机', at: '时间', text: '内容', category: '类别', description: '描述', reporter: '上报人', holds: '证据保全',
  received: '本级及下级上报的事件（处理）', state: '状态', st_new: '新', st_received: '已接收', st_confirmed: '已确认', st_closed: '已关闭',
  today: '今日（北京时间）', thisWorkstation: '本机：{name}（{room}）', notWorkstation: '本机不是已登记的值班终端',
  tabGrants: '审批', actions: '操作', remove: '删除', required: '请填写{field}', note: '意见', wallFormat: '请按 YYYY-MM-DD HH:mm 填写北京时间',
  fromBj: '开始（北京时间）', toBj: '结束（北京时间）', cameras: '摄像机', examRooms: '考场',
  checkIn: '签到', checkOut: '签退', checkInTitle: '值班签到（{room}）', checkInHint: '每位值班人员用本人账号密码签到（已启用动态验证码的须填写）；第二人在同一终端签到即确认两人在岗。',
  username: '用户名', password: '密码', totp: '动态验证码', totpFormat: '动态验证码为 6 位数字', checkedIn: '{name} 已签到', checkedOut: '{name} 已签退',
  checkOutConfirm: '确认 {name} 签退？考试或保密时段内不足两人将向上级告警。', ruleHint: '考试及保密时段内，监控室须至少两人签到方可调看考场视频；非监控室终端调看须经上级批准。',
  enroll: '登记本机为值班终端', enrollTitle: '登记值班终端', enrollHint: '本浏览器将作为所选监控室的值班终端（凭据保存在本浏览器，仅显示一次；重新登记会使旧凭据失效）。', wsName: '终端名称', enrolled: '本机已登记为值班终端',
  rosterAdd: '排班', rosterAdded: '已排班', rosterRemoved: '已取消 {name} 的排班', rosterRemoveConfirm: '取消 {name} 的排班？', dr_leader: '组长', dr_watcher: '值班员', dr_tech: '技术保障',
  grantRequest: '申请远程调看', grantRequested: '申请已提交，待上级考试机构审批', requester: '申请人', targets: '调看范围', reason: '事由', period: '时段', decision: '审批', decide: '审批', pickDecision: '请选择批准或拒绝（没有默认选项，以免误批）',
  decideTitle: '审批 {name} 的远程调看申请', approve: '批准', refuse: '拒绝', approved: '已批准', refused: '已拒绝', activeNow: '生效中',
  gs_pending: '待审批', gs_approved: '已批准', gs_refused: '已拒绝', gs_cancelled: '已撤回',
  cancelGrant: '撤回', cancelGrantConfirm: '撤回此申请？已批准的授权将立即失效，上级审批列表显示为已撤回。', grantCancelled: '申请已撤回', cancelledAt: '申请人于 {time} 撤回',
  markIncident: '标记事件', markHint: '标记后所选摄像机该时段录像立即证据保全，并上报各级上级。', incidentMarked: '事件已标记，录像已保全并上报',
  cat_cheating: '疑似作弊', cat_device: '设备故障', cat_emergency: '突发事件', handlingSteps: '处理记录', do_received: '接收', do_confirmed: '确认', do_closed: '关闭',
  handled: '事件状态：{state}', closeNeedsNote: '关闭事件须填写处理意见', noteAdd: '添加巡查备注', noteAdded: '备注已保存',
  recordPdf: '打印值班记录', ptzTitle: '云台', ptzLocked: '云台已锁定（至 {until}）', ptzFree: '非考试时段：云台可用', ptzApprovedOnly: '只能调用已批准的预置位：', ptzPresets: '已批准的预置位：',
  ptzLeft: '左', ptzRight: '右', ptzUp: '上', ptzDown: '下', ptzZoomIn: '放大', ptzZoomOut: '缩小',
  lastPresent: '最近在岗 {at}', confirmPresence: '确认在岗', confirmTitle: '确认在岗：{name}', confirmed: '{name} 已确认在岗', confirmHint: '本人在此终端输入自己的密码（已绑定动态验证码的同时输入验证码）。长时间既无本人操作也未确认在岗的人员将被自动签退。',
  upperView: '上级平台调阅（{id}）',
  presencePrompt: '请 {name} 确认在岗：剩余 {left}（考试/保密时段每 {every} 分钟确认一次，逾期按缺岗签退，不计入两人值守）', presenceCountdown: '{name} 确认在岗倒计时 {left}', presenceOverdue: '{name} 已逾期未确认在岗，将按缺岗签退',
  panelTitle: '值班', panelNoRooms: '无已登记值班终端的监控室（两人值守规则未启用）', panelPeople: '{n} 人在岗', panelAlarms: '值班告警', panelReview: '保密室回看逾期：{room} {from}–{to}',
  ptzStore: '存为预置位并批准', ptzStoreName: '预置位名称，如 讲台全景', ptzStoreNeed: '请填写预置位号和名称', ptzStored: '已将当前位置存为预置位 {no}「{label}」并批准考试时段调用',
  ptzSent: '云台指令已发送', ptzRecorded: '指令已通过审核并记入审计，但摄像机未执行：{error}',
  markHere: '在此时刻标记事件', markLiveHint: '将保全该摄像机此刻前后各 5 分钟的录像，并上报各级上级。', markPbHint: '将保全所选摄像机回放位置 {at} 前后各 5 分钟的录像，并上报各级上级。',
  markedRef: '事件 #{id} 已标记：{n} 路录像 {from}–{to} 已证据保全并上报',
  tabReviews: '保密室回看', reviewNone: '无保密时段回看任务', reviewPeriod: '回看时段', reviewDue: '签署期限', reviewSigned: '签署', reviewSign: '签署回看', reviewDone: '已签署回看',
  reviewHint: '已回看该时段保密室录像，情况如下…', rv_running: '进行中', rv_due: '待签', rv_overdue: '逾期', rv_signed: '已签',
  exportEvidence: '申请导出证据', exportPurpose: '事件 #{id} 证据导出（{category}）：{text}', exportRequested: '已提交导出申请 #{id}：经领导或管理员批准后在 录像回放 → 导出申请 下载（含签名清单）',
  receivedGrants: '下级上报的远程调看申请（由本级审批，决定经级联通道下发至下级生效）', lowerNode: '下级节点', decisionSentWait: '{decision}（{by}），待下级生效', staleLower: '下级通道失联，状态可能过时',
};
type Key = keyof typeof zh;
const en: Record<Key, string> = {
  title: 'Duty', tabStatus: 'Check-in', tabRoster: 'Roster', tabPatrol: 'Patrol log', tabIncidents: 'Incidents', refresh: 'Refresh',
  room: 'Monitoring room', watchedRoom: 'Room', onDuty: 'On duty', meets: 'Two-person rule', yes: 'Met', no: 'Fewer than two', since: 'Checked in', none: 'None',
  person: 'Person', role: 'Role', from: 'From', to: 'To', user: 'Patroller', viewings: 'Viewings', duration: 'Duration', notes: 'Patrol notes',
  camera: 'Camera', at: 'Time', text: 'Text', category: 'Category', description: 'Description', reporter: 'Reported by', holds: 'Evidence holds',
  received: 'Incidents reported here and from below (handling)', state: 'State', st_new: 'New', st_received: 'Received', st_confirmed: 'Confirmed', st_closed: 'Closed',
  today: 'Today (Beijing)', thisWorkstation: 'This computer: {name} ({room})', notWorkstation: 'This computer is not an enrolled workstation',
  tabGrants: 'Approvals', actions: 'Actions', remove: 'Remove', required: 'Please enter {field}', note: 'Note', wallFormat: 'Beijing time as YYYY-MM-DD HH:mm',
  fromBj: 'From (Beijing)', toBj: 'To (Beijing)', cameras: 'Cameras', examRooms: 'Exam rooms',
  checkIn: 'Check in', checkOut: 'Check out', checkInTitle: 'Duty check-in ({room})', checkInHint: 'Each person checks in with their own account password (and one-time code when enrolled); a second person checking in on this console confirms two on duty.',
  username: 'Username', password: 'Password', totp: 'One-time code', totpFormat: 'The one-time code has 6 digits', checkedIn: '{name} checked in', checkedOut: '{name} checked out',
  checkOutConfirm: 'Check {name} out? Fewer than two during an exam or custody window raises an alarm above.', ruleHint: 'During exam and custody windows, live viewing needs two people checked in in the monitoring room; viewing from elsewhere needs approval from above.',
  enroll: 'Enroll this computer as a workstation', enrollTitle: 'Enroll workstation', enrollHint: 'This browser becomes a workstation of the chosen monitoring room (the credential is kept by this browser and shown once; enrolling again revokes the old one).', wsName: 'Workstation name', enrolled: 'This computer is now an enrolled workstation',
  rosterAdd: 'Add to roster', rosterAdded: 'Added to the roster', rosterRemoved: '{name} removed from the roster', rosterRemoveConfirm: 'Remove {name} from the roster?', dr_leader: 'Leader', dr_watcher: 'Watcher', dr_tech: 'Technician',
  grantRequest: 'Request remote viewing', grantRequested: 'Request sent to the exam authority above', requester: 'Requester', targets: 'Rooms / cameras', reason: 'Reason', period: 'Period', decision: 'Decision', decide: 'Decide', pickDecision: 'Choose approve or refuse (there is no default, so nothing is approved by mistake)',
  decideTitle: 'Decide on the remote-viewing request of {name}', approve: 'Approve', refuse: 'Refuse', approved: 'Approved', refused: 'Refused', activeNow: 'Active',
  gs_pending: 'Pending', gs_approved: 'Approved', gs_refused: 'Refused', gs_cancelled: 'Withdrawn',
  cancelGrant: 'Withdraw', cancelGrantConfirm: 'Withdraw this request? A granted one ends at once; the approver sees it as withdrawn.', grantCancelled: 'Request withdrawn', cancelledAt: 'Withdrawn by the requester at {time}',
  markIncident: 'Mark incident', markHint: 'The footage of the chosen cameras in this range is put on evidence hold at once and the incident goes to every level above.', incidentMarked: 'Incident marked, footage held and reported',
  cat_cheating: 'Suspected cheating', cat_device: 'Device fault', cat_emergency: 'Emergency', handlingSteps: 'Handling', do_received: 'Receive', do_confirmed: 'Confirm', do_closed: 'Close',
  handled: 'Incident state: {state}', closeNeedsNote: 'Closing needs a note', noteAdd: 'Add patrol note', noteAdded: 'Note saved',
  recordPdf: 'Print duty record', ptzTitle: 'PTZ', ptzLocked: 'PTZ locked (until {until})', ptzFree: 'Outside exam windows: PTZ free', ptzApprovedOnly: 'Only approved presets may be called:', ptzPresets: 'Approved presets:',
  ptzLeft: 'Left', ptzRight: 'Right', ptzUp: 'Up', ptzDown: 'Down', ptzZoomIn: 'Zoom in', ptzZoomOut: 'Zoom out',
  lastPresent: 'Last present {at}', confirmPresence: 'Confirm presence', confirmTitle: 'Confirm presence: {name}', confirmed: '{name} confirmed present', confirmHint: 'The person enters their own password here (and one-time code when enrolled). Anyone neither active nor confirming for the idle time is checked out automatically.',
  upperView: 'Upper platform viewing ({id})',
  presencePrompt: '{name}, please confirm presence: {left} left (every {every} min during exam/custody windows; if missed you are checked out as absent and do not count for the two-person rule)', presenceCountdown: '{name} confirms presence in {left}', presenceOverdue: '{name} missed the presence confirmation and will be checked out as absent',
  panelTitle: 'Duty', panelNoRooms: 'No monitoring room with an enrolled workstation (two-person rule not in force)', panelPeople: '{n} on duty', panelAlarms: 'Duty alarms', panelReview: 'Custody review overdue: {room} {from}–{to}',
  ptzStore: 'Store as approved preset', ptzStoreName: 'Preset name, e.g. podium overview', ptzStoreNeed: 'Enter the preset number and a name', ptzStored: 'Current position stored as preset {no} "{label}" and approved for exam windows',
  ptzSent: 'PTZ command sent', ptzRecorded: 'Command passed the check and was audited, but the camera did not take it: {error}',
  markHere: 'Mark incident here', markLiveHint: 'The footage of this camera 5 min before and after now is put on evidence hold and the incident goes to every level above.', markPbHint: 'The footage of the chosen cameras 5 min either side of {at} is put on evidence hold and the incident goes to every level above.',
  markedRef: 'Incident #{id} marked: {n} camera(s) {from}–{to} held as evidence and reported',
  tabReviews: 'Custody review', reviewNone: 'No custody review tasks', reviewPeriod: 'Period', reviewDue: 'Due', reviewSigned: 'Signed', reviewSign: 'Sign review', reviewDone: 'Review signed',
  reviewHint: 'Replayed the custody footage of this period; findings…', rv_running: 'Running', rv_due: 'To sign', rv_overdue: 'Overdue', rv_signed: 'Signed',
  exportEvidence: 'Request evidence export', exportPurpose: 'Incident #{id} evidence export ({category}): {text}', exportRequested: 'Export request #{id} filed: once a leader or administrator approves it, download it (with its signed manifest) under Playback → Export requests',
  receivedGrants: 'Remote-viewing requests from the levels below (decided here; the decision goes down the channel and takes effect there)', lowerNode: 'Lower node', decisionSentWait: '{decision} ({by}), waiting for the lower to apply it', staleLower: 'Channel to the lower is stale: the state may be out of date',
};

export type DutyText = (key: Key, vars?: Record<string, string | number>) => string;

function dutyText(lang: Lang): DutyText {
  const dict = lang === 'en' ? en : zh;
  return (key, vars) => Object.entries(vars ?? {}).reduce((s, [k, v]) => s.replace(`{${k}}`, String(v)), dict[key]);
}

export function useDutyText(): DutyText {
  const { lang } = useI18n();
  return useMemo(() => dutyText(lang), [lang]);
}
