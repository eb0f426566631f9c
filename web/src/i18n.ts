// Minimal i18n: 简体中文 first, English second. `t(key, vars)` with `{name}` interpolation.
import { createContext, useContext } from 'react';

const zh = {
  appName: '巡查', appTitle: '考点视频巡查系统', brandShort: '考点视频巡查系统', appSubtitle: '国家教育考试考点在线视频巡查',
  login: '登录', logout: '退出登录', username: '用户名', password: '密码', totp: '动态验证码',
  totpHint: '该账号已启用双因素认证，请输入身份验证器中的 6 位动态验证码',
  loginFailed: '登录失败', invalidCredentials: '用户名或密码错误',
  required: '请填写{field}', optional: '选填', confirm: '确定', cancel: '取消', save: '保存', ok: '确定',
  menuOrg: '组织机构', menuUsers: '用户管理', menuAudit: '审计日志', menuSystem: '系统管理', menuBase: '基础数据',
  totpTitle: '两步验证', totpIntro: '在身份验证器（如微信小程序、Google Authenticator）中添加以下密钥，然后输入其显示的 6 位验证码以启用。', totpSecret: '密钥', totpEnable: '启用', totpEnabledMsg: '两步验证已启用，下次登录需输入动态验证码', totpAlready: '两步验证已启用。如需重新绑定，请生成新密钥并再次验证。', totpGenerate: '生成新密钥',
  beijingTime: '北京时间', language: 'English', changePassword: '修改密码', oldPassword: '原密码', newPassword: '新密码',
  mustChangePassword: '首次登录或密码已被重置：请先修改密码再继续',
  passwordChanged: '密码已修改', confirmPassword: '确认新密码', passwordMismatch: '两次输入的密码不一致',
  // org
  orgTree: '组织机构树', searchTree: '搜索名称或国标编码', refresh: '刷新', expandAll: '全部展开', collapseAll: '全部折叠',
  addChild: '新增下级', addRoom: '新增考场/房间', addCamera: '新增摄像机', edit: '编辑', move: '移动', delete: '删除',
  importData: '导入', exportCsv: '导出 CSV', exportXlsx: '导出 Excel', selectNode: '请在左侧选择一个节点查看详情',
  name: '名称', kind: '类型', gbCode: '国标编码', regionCode: '行政区划代码', regionCodeInvalid: '行政区划代码须为 6 位数字', childKind: '下级类型', parent: '上级', seats: '座位数',
  roomCount: '房间数', cameraCount: '摄像机数', childCount: '下级数', position: '安装位置', sourceKind: '接入方式',
  mainStream: '主码流', subStream: '子码流', credentials: '登录凭据', configured: '已配置', notConfigured: '未配置',
  status: '状态', statusReason: '状态说明', reveal: '查看网络配置', revealTitle: '摄像机网络配置',
  revealAudited: '此操作已记录审计日志，请妥善保管设备凭据，不得外传。', host: 'IP 地址', port: '端口',
  deviceUser: '设备用户名', devicePassword: '设备密码', onvifUrl: 'ONVIF 设备服务地址', onvifUrlHint: '填写后，考前检测经 ONVIF 读取设备信息与时钟，并将时钟校准为北京时间（使用上面的用户名和密码）', onvifUrlInvalid: '须为 http(s):// 开头的地址', gbCodeHint: '20 位数字，留空由系统生成',
  gbCodeInvalid: '国标编码须为 20 位数字', deleteConfirm: '确定删除“{name}”吗？', deleteCascadeHint: '删除后不可恢复。',
  deleted: '已删除', created: '已创建', updated: '已保存', moved: '已移动', newParent: '新的上级节点',
  moveHint: '只能移动到符合层级关系的上级节点下', siteRoomOnly: '仅考点下可新增房间', newNodeTitle: '新增{kind}',
  editTitle: '编辑{kind}', importTitle: '导入组织机构数据', importHint: '支持 CSV 或 Excel（.xlsx）文件，格式与导出文件一致。',
  importPick: '选择文件', importStart: '开始导入', importDone: '导入完成：新增 {created} 条，更新 {updated} 条',
  importErrors: '文件校验未通过，请修正以下行后重新导入', row: '行号', errorMsg: '错误说明', noData: '暂无数据',
  hostInvalid: '请输入有效的 IP 地址或主机名', streamPlaceholder: '例如 /Streaming/Channels/101（用户名、密码请填在下方，勿写入地址）',
  cameraCredsHint: '设备网络配置仅用于接入，保存后仅管理员可通过“查看网络配置”查看（留空表示不修改）',
  emptyTree: '暂无组织机构数据', copy: '复制', copied: '已复制',
  // users
  users: '用户', createUser: '新建用户', training: '培训记录', displayName: '姓名', role: '角色', orgNode: '所属机构', initialPassword: '初始密码',
  disabled: '已停用', enabled: '正常', disable: '停用', enable: '启用', resetPassword: '重置密码', totpEnabled: '双因素',
  createdAt: '创建时间', actions: '操作', passwordRule: '至少 10 位，包含大写字母、小写字母、数字、符号中的至少三类，且不能包含用户名', editUser: '编辑用户',
  disableConfirm: '确定停用用户“{name}”吗？停用后该用户将无法登录。', resetDone: '密码已重置', searchUser: '搜索用户名或姓名',
  // audit
  timeRange: '时间范围', user: '用户', action: '操作', objectType: '对象类型', objectId: '对象', outcome: '结果', query: '查询',
  reset: '重置', verifyChain: '校验哈希链', exportAuditCsv: '导出 CSV', time: '时间', ip: 'IP', workstation: '工作站',
  detail: '详情', verifyOk: '哈希链校验通过，共校验 {checked} 条记录，未发现篡改。',
  verifyBad: '哈希链校验失败：第 {seq} 条记录异常（{reason}），共校验 {checked} 条。', totalRecords: '共 {total} 条',
  all: '全部', seq: '序号',
  networkError: '网络错误，请检查与服务器的连接', forbidden: '无权执行此操作',
  menuExamMgmt: '考试管理', menuAlarmHistory: '报警记录', menuDuty: '值班', menuExams: '考试安排', menuReadiness: '考前检测', menuCascade: '平台级联', menuLedger: '设备台账', menuStorage: '存储与证据',
  // live wall (视频墙) and tours (轮巡)
  menuPatrol: '视频巡查', menuWall: '视频墙', wallLayout: '画面', wallCameras: '监控点', wallDragHint: '拖动摄像机或考场到右侧画面',
  wallDrop: '拖入摄像机', wallOnline: '在线', wallConnecting: '连接中', wallOffline: '信号中断，正在重连', wallLost: '信号中断', wallRecording: '录像中',
  wallNotRecording: '未录像', wallRefused: '无权查看', wallUnsupported: '浏览器不支持该编码', wallClear: '清空画面',
  wallFullHint: '双击全屏（主码流）', wallMain: '主码流', wallSub: '子码流', wallPaused: '已暂停',
  tour: '轮巡', tourNew: '新建轮巡', tourName: '轮巡名称', tourInterval: '间隔（秒）', tourTargets: '轮巡对象',
  tourAllExam: '本辖区全部考场', tourStart: '开始轮巡', tourPause: '暂停', tourNext: '下一页', tourPrev: '上一页',
  tourPage: '第 {page}/{pages} 页', tourKeys: '快捷键：空格 开始/暂停，← → 翻页', tourPick: '选择轮巡方案', tourDelete: '删除方案',
  tourSaved: '轮巡方案已保存', tourServerHint: '轮巡方案保存在服务器上，在任意值班电脑登录均可使用',
  tourEdit: '编辑轮巡方案', tourLayout: '每页画面数', tourNode: '所属机构', tourShared: '共享',
  tourSharedHint: '共享后，管辖范围包含所属机构的用户都能看到并使用该方案；只播放各自有权查看的摄像机',
  tourSharedTag: '共享', tourSharedBy: '共享方案：{node}，{owner} 创建', tourDeleteConfirm: '确定删除轮巡方案“{name}”吗？',
  tourImported: '已将本浏览器中保存的 {n} 个轮巡方案转存到服务器',
  // playback (录像回放)
  menuPlayback: '录像回放', pbCameras: '选择摄像机', pbPickHint: '在左侧勾选摄像机（最多 4 路；同一考场的前后端同步回放），然后点击时间轴上的时刻',
  pbClickHint: '点击时间轴上的时刻开始回放', pbPlay: '播放', pbPause: '暂停', pbStep: '逐帧前进', pbNextGap: '下一个中断', pbNextEvent: '下一事件', pbWholeDay: '全天',
  pbGap: '录像中断', pbEnded: '录像结束', pbLoading: '加载中…', pbSkipping: '即将跳过', pbKeyframesOnly: '仅关键帧', pbTooMany: '最多同时回放 4 路摄像机',
  pbExport: '导出录像', pbExports: '导出任务', pbExportQueued: '导出任务已创建，可在“导出任务”中查看进度并下载', pbPurpose: '用途',
  pbPurposeHint: '必填：导出用途（如：考生违纪取证、上级调阅），至少 4 个字', pbWatermark: '叠加可见水印（导出人、时间）', pbRange: '时段',
  pbExportNotice: '导出的录像严禁外传；导出人、时间和用途将记录在签名清单和审计日志中。', pbDownload: '下载',
  pbJob_queued: '排队中', pbJob_running: '导出中', pbJob_done: '已完成', pbJob_failed: '失败', pbJob_cancelled: '已取消',
  mustChangePasswordTitle: '请先修改初始密码', mustChangePasswordHint: '当前密码为系统生成的初始密码（或已被管理员重置），修改后才能继续使用。',
};

export type MsgKey = keyof typeof zh;

const en: Record<MsgKey, string> = {
  appName: 'Xuncha', appTitle: 'Exam Site Video Patrol', brandShort: 'Xuncha Patrol', appSubtitle: 'Online video patrol for national education exams',
  login: 'Sign in', logout: 'Sign out', username: 'Username', password: 'Password', totp: 'Verification code',
  totpHint: 'Two-factor authentication is enabled. Enter the 6-digit code from your authenticator app.',
  loginFailed: 'Sign-in failed', invalidCredentials: 'Wrong username or password',
  required: 'Please enter {field}', optional: 'optional', confirm: 'OK', cancel: 'Cancel', save: 'Save', ok: 'OK',
  menuOrg: 'Organisation', menuUsers: 'Users', menuAudit: 'Audit log', menuSystem: 'System', menuBase: 'Master data',
  totpTitle: 'Two-step verification', totpIntro: 'Add this key to an authenticator app, then enter the 6-digit code it shows to enable.', totpSecret: 'Key', totpEnable: 'Enable', totpEnabledMsg: 'Two-step verification enabled: the next login asks for a code', totpAlready: 'Two-step verification is on. To bind a new device, generate a new key and verify it.', totpGenerate: 'Generate a new key',
  beijingTime: 'Beijing', language: '中文', changePassword: 'Change password', oldPassword: 'Current password', newPassword: 'New password',
  mustChangePassword: 'First login or password reset: change your password to continue',
  passwordChanged: 'Password changed', confirmPassword: 'Confirm new password', passwordMismatch: 'Passwords do not match',
  orgTree: 'Organisation tree', searchTree: 'Search name or GB code', refresh: 'Refresh', expandAll: 'Expand all', collapseAll: 'Collapse all',
  addChild: 'Add child', addRoom: 'Add room', addCamera: 'Add camera', edit: 'Edit', move: 'Move', delete: 'Delete',
  importData: 'Import', exportCsv: 'Export CSV', exportXlsx: 'Export Excel', selectNode: 'Select a node on the left to see its details',
  name: 'Name', kind: 'Type', gbCode: 'GB/T 28181 code', regionCode: 'Region code', regionCodeInvalid: 'Region code must be 6 digits', childKind: 'Child type', parent: 'Parent', seats: 'Seats',
  roomCount: 'Rooms', cameraCount: 'Cameras', childCount: 'Children', position: 'Position', sourceKind: 'Source',
  mainStream: 'Main stream', subStream: 'Sub stream', credentials: 'Credentials', configured: 'Configured', notConfigured: 'Not set',
  status: 'Status', statusReason: 'Status note', reveal: 'Show network config', revealTitle: 'Camera network configuration',
  revealAudited: 'This action has been recorded in the audit log. Keep device credentials confidential.', host: 'IP address', port: 'Port',
  deviceUser: 'Device user', devicePassword: 'Device password', onvifUrl: 'ONVIF device service URL', onvifUrlHint: 'When set, readiness checks read the device facts and clock over ONVIF and set the clock to Beijing time (with the user and password above)', onvifUrlInvalid: 'Must start with http(s)://', gbCodeHint: '20 digits; leave empty to auto-generate',
  gbCodeInvalid: 'GB code must be 20 digits', deleteConfirm: 'Delete "{name}"?', deleteCascadeHint: 'This cannot be undone.',
  deleted: 'Deleted', created: 'Created', updated: 'Saved', moved: 'Moved', newParent: 'New parent',
  moveHint: 'Only parents of the correct level can be chosen', siteRoomOnly: 'Rooms can only be added to sites', newNodeTitle: 'New {kind}',
  editTitle: 'Edit {kind}', importTitle: 'Import organisation data', importHint: 'CSV or Excel (.xlsx) in the same layout as the export.',
  importPick: 'Choose file', importStart: 'Import', importDone: 'Import finished: {created} created, {updated} updated',
  importErrors: 'The file was rejected. Fix these rows and import again.', row: 'Row', errorMsg: 'Error', noData: 'No data',
  hostInvalid: 'Enter a valid IP address or host name', streamPlaceholder: 'e.g. /Streaming/Channels/101 (put user and password in their fields, not in the URL)',
  cameraCredsHint: 'Network settings are only used for ingest; afterwards only admins can view them via "Show network config" (empty = unchanged).',
  emptyTree: 'No organisation data yet', copy: 'Copy', copied: 'Copied',
  users: 'Users', createUser: 'New user', training: 'Training', displayName: 'Name', role: 'Role', orgNode: 'Organisation', initialPassword: 'Initial password',
  disabled: 'Disabled', enabled: 'Active', disable: 'Disable', enable: 'Enable', resetPassword: 'Reset password', totpEnabled: '2FA',
  createdAt: 'Created', actions: 'Actions', passwordRule: 'At least 10 characters, 3 of: upper, lower, digit, symbol; must not contain the username', editUser: 'Edit user',
  disableConfirm: 'Disable user "{name}"? They will no longer be able to sign in.', resetDone: 'Password reset', searchUser: 'Search username or name',
  timeRange: 'Time range', user: 'User', action: 'Action', objectType: 'Object type', objectId: 'Object', outcome: 'Outcome', query: 'Search',
  reset: 'Reset', verifyChain: 'Verify hash chain', exportAuditCsv: 'Export CSV', time: 'Time', ip: 'IP', workstation: 'Workstation',
  detail: 'Detail', verifyOk: 'Hash chain verified: {checked} records checked, no tampering found.',
  verifyBad: 'Hash chain broken at record {seq} ({reason}); {checked} records checked.', totalRecords: '{total} records',
  all: 'All', seq: 'Seq',
  networkError: 'Network error: cannot reach the server', forbidden: 'You are not allowed to do this',
  menuExamMgmt: 'Exams', menuAlarmHistory: 'Alarm history', menuDuty: 'Duty', menuExams: 'Exam schedule', menuReadiness: 'Readiness', menuCascade: 'Cascade', menuLedger: 'Equipment ledger', menuStorage: 'Storage & evidence',
  menuPatrol: 'Video patrol', menuWall: 'Video wall', wallLayout: 'Layout', wallCameras: 'Cameras', wallDragHint: 'Drag a camera or a room onto the wall',
  wallDrop: 'Drop a camera here', wallOnline: 'Online', wallConnecting: 'Connecting', wallOffline: 'Signal lost, reconnecting', wallLost: 'Signal lost', wallRecording: 'Recording',
  wallNotRecording: 'Not recording', wallRefused: 'Not permitted', wallUnsupported: 'Codec not supported by this browser', wallClear: 'Clear wall',
  wallFullHint: 'Double-click: full screen (main stream)', wallMain: 'Main', wallSub: 'Sub', wallPaused: 'Paused',
  tour: 'Tour', tourNew: 'New tour', tourName: 'Tour name', tourInterval: 'Interval (s)', tourTargets: 'Cameras / rooms',
  tourAllExam: 'All exam rooms in my scope', tourStart: 'Start tour', tourPause: 'Pause', tourNext: 'Next page', tourPrev: 'Previous page',
  tourPage: 'Page {page}/{pages}', tourKeys: 'Keys: space start/pause, ← → page', tourPick: 'Choose a tour', tourDelete: 'Delete tour',
  tourSaved: 'Tour saved', tourServerHint: 'Tours are kept on the server: the same on every duty PC you sign in to',
  tourEdit: 'Edit tour', tourLayout: 'Tiles per page', tourNode: 'Belongs to', tourShared: 'Shared',
  tourSharedHint: 'Users whose scope includes this node can see and run a shared tour; each sees only cameras they may watch',
  tourSharedTag: 'Shared', tourSharedBy: 'Shared tour of {node}, by {owner}', tourDeleteConfirm: 'Delete tour "{name}"?',
  tourImported: '{n} tour(s) kept in this browser were moved to the server',
  menuPlayback: 'Playback', pbCameras: 'Cameras', pbPickHint: 'Tick cameras on the left (up to 4; front and rear of a room play in sync), then click a time on the timeline',
  pbClickHint: 'Click a time on the timeline to play', pbPlay: 'Play', pbPause: 'Pause', pbStep: 'Next frame', pbNextGap: 'Next gap', pbNextEvent: 'Next event', pbWholeDay: 'Whole day',
  pbGap: 'Recording gap', pbEnded: 'End of recording', pbLoading: 'Loading…', pbSkipping: 'skipping', pbKeyframesOnly: 'Keyframes only', pbTooMany: 'At most 4 cameras at once',
  pbExport: 'Export', pbExports: 'Exports', pbExportQueued: 'Export started: see Exports for progress and download', pbPurpose: 'Purpose',
  pbPurposeHint: 'Required: why is this exported (e.g. evidence of misconduct), at least 4 characters', pbWatermark: 'Burn in a visible watermark (user, time)', pbRange: 'Range',
  pbExportNotice: 'Exported video must not leak; who exported it, when and why is kept in the signed manifest and the audit log.', pbDownload: 'Download',
  pbJob_queued: 'Queued', pbJob_running: 'Running', pbJob_done: 'Done', pbJob_failed: 'Failed', pbJob_cancelled: 'Cancelled',
  mustChangePasswordTitle: 'Change the initial password first', mustChangePasswordHint: 'This password was generated by the system (or reset by an administrator). Change it to continue.',
};

export type Lang = 'zh' | 'en';
const dicts: Record<Lang, Record<MsgKey, string>> = { zh, en };

/** Enum value labels. */
const labels: Record<Lang, Record<string, Record<string, string>>> = {
  zh: {
    role: { admin: '系统管理员', operator: '巡查员', leader: '组长', inspector: '纪检监察', system: '系统' },
    nodeKind: { province: '省', city: '市', district: '区县', site: '考点', room: '房间', camera: '摄像机' },
    roomKind: { exam: '考场', lab: '机房考场', affairs: '考务室', secrecy: '试卷保密室', monitoring: '监控室', other: '其他' },
    position: { front: '前端', rear: '后端', other: '其他' },
    sourceKind: { rtsp: 'RTSP', onvif: 'ONVIF', gb28181: 'GB/T 28181' },
    camStatus: { online: '在线', offline: '离线', recording: '录像中', error: '故障' },
    outcome: { ok: '成功', denied: '拒绝', error: '错误' },
  },
  en: {
    role: { admin: 'Administrator', operator: 'Patrol operator', leader: 'Team leader', inspector: 'Inspector', system: 'System' },
    nodeKind: { province: 'Province', city: 'City', district: 'District', site: 'Exam site', room: 'Room', camera: 'Camera' },
    roomKind: { exam: 'Exam room', lab: 'Computer exam room', affairs: 'Exam affairs office', secrecy: 'Paper vault', monitoring: 'Monitoring room', other: 'Other' },
    position: { front: 'Front', rear: 'Rear', other: 'Other' },
    sourceKind: { rtsp: 'RTSP', onvif: 'ONVIF', gb28181: 'GB/T 28181' },
    camStatus: { online: 'Online', offline: 'Offline', recording: 'Recording', error: 'Fault' },
    outcome: { ok: 'OK', denied: 'Denied', error: 'Error' },
  },
};
export type LabelGroup = 'role' | 'nodeKind' | 'roomKind' | 'position' | 'sourceKind' | 'camStatus' | 'outcome';

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MsgKey, vars?: Record<string, string | number>) => string;
  label: (group: LabelGroup, value: string) => string;
}

export function makeI18n(lang: Lang, setLang: (l: Lang) => void): I18n {
  const dict = dicts[lang];
  return {
    lang,
    setLang,
    t: (key, vars) => {
      let s = dict[key];
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    },
    label: (group, value) => labels[lang][group][value] ?? value,
  };
}

export const I18nContext = createContext<I18n>(makeI18n('zh', () => undefined));
export const useI18n = (): I18n => useContext(I18nContext);

const LANG_KEY = 'xuncha.lang';
export function initialLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}
export function persistLang(l: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, l);
  } catch {
    /* private mode: ignore */
  }
}
