// Texts of the 级联 page (简体中文 first, English second), kept beside the page like examText.ts so
// that the shared dictionary in i18n.ts only carries the menu entry.
import { useMemo } from 'react';
import { ApiError } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { Lang } from '../../i18n.ts';

const zh = {
  title: '平台级联', subtitle: 'GB/T 28181 上下级联网状态', autoRefresh: '每 5 秒自动刷新', updatedAt: '更新于 {at}', refresh: '刷新',
  // 上级平台
  upperTitle: '上级平台', thisNode: '本节点', upperLink: '本节点向上级平台注册', sipId: '国标编号', domain: '国标域', sipPorts: 'SIP 端口', mediaSessions: '向上级发送的视频',
  notEnabled: '本节点未启用国标级联（未配置 gb28181）', noUpper: '本节点未配置上级平台（本节点为最高一级）', address: '地址', regState: '注册状态',
  state_registered: '已注册', state_registering: '正在注册', state_failed: '注册失败', state_stopped: '已停止',
  lastRegister: '最近注册', expiresAt: '注册有效至', lastKeepalive: '最近心跳', keepaliveEvery: '每 {s} 秒', keepaliveFailures: '连续心跳失败 {n} 次',
  clockOffset: '与上级时钟偏差', clockAhead: '上级快 {ms} 毫秒', clockBehind: '上级慢 {ms} 毫秒', clockAcc: '测量误差 ±{ms} 毫秒',
  clockWarn: '偏差超过 1 秒：请检查本机 NTP 时间同步', lastError: '最近错误', none: '无', never: '尚无', queued: '{n} 条通知待发送',
  // 下级平台
  lowersTitle: '下级平台', lowersSummary: '共 {n} 个，在线 {online} 个', addLower: '登记下级平台', editLower: '编辑下级平台', name: '名称', kind: '类型',
  kind_platform: '下级平台', kind_device: '国标设备', status: '状态', online: '在线', offline: '离线', disabled: '已停用', neverRegistered: '从未注册',
  onlineSince: '{at} 起', offlineSince: '{at} 起', lastContact: '最后通信 {at}', channels: '通道数', channelsOnOff: '在线 / 离线', gbVersion: '国标版本',
  catalogAt: '目录更新', contact: '通信地址', actions: '操作', requery: '重新查询目录', requeryDone: '目录已更新：共 {n} 项', edit: '编辑', delete: '删除',
  deleteConfirm: '确定删除下级平台“{name}”吗？其通道目录一并删除，已收到的告警保留。', deleted: '已删除', created: '已登记', saved: '已保存',
  staleHint: '下级平台离线：显示最后已知的通道状态', noLowers: '尚未登记下级平台', forbiddenWrite: '仅系统管理员可以登记、修改下级平台',
  sipIdHint: '20 位数字，须与下级平台自身配置的国标编号一致', sipIdInvalid: '国标编号必须是 20 位数字', password: '注册密码',
  passwordCreateHint: '下级平台注册时使用的密码（8–64 位）。只保存其摘要，保存后无法再次查看；留空则使用本节点配置的默认密码。',
  passwordEditHint: '留空表示不修改；保存后无法再次查看。', passwordRule: '密码长度为 8–64 位', orgNode: '所属机构', orgNodeHint: '决定哪些用户可以看到该下级平台',
  enabled: '启用', required: '请填写{field}',
  // 通道目录
  channelName: '名称', channelId: '国标编号', on: '在线', off: '离线', unknown: '未上报', group: '分组', camera: '摄像机', device: '设备', vendor: '厂商 / 型号', attributes: '属性', more: '详情',
  watch: '观看', records: '录像检索', noChannels: '暂无目录（下级平台注册后自动查询）',
  watchNoCamera: '该通道尚未接入为本级摄像机：在“组织机构”中新增接入方式为 GB/T 28181、主码流为此国标编号的摄像机后即可观看和录像。',
  watchTitle: '实时视频 · {name}', watchWallHint: '在视频墙左侧目录中的位置：{path}', openWall: '打开视频墙', cameraNotFound: '该摄像机不在您的管辖范围内',
  // 录像检索
  recordsTitle: '录像检索 · {name}', range: '时间范围', query: '查询', recStart: '开始时间', recEnd: '结束时间', recDuration: '时长', recSize: '大小',
  recType: '类型', noRecords: '该时段没有录像', recordsHint: '向下级平台发送 RecordInfo 查询，时间为北京时间。', recordsTotal: '共 {n} 段，合计 {d}',
  rangeInvalid: '请选择开始和结束时间，结束须晚于开始',
  // 上报告警
  alarmsTitle: '上报告警', alarmTime: '报警时间', receivedAt: '接收于 {at}', lower: '下级平台', channel: '通道', alarmType: '类型', priority: '级别',
  description: '描述', cat_videoLoss: '视频丢失', cat_recordGap: '录像中断', cat_lowerOffline: '下级平台离线', cat_other: '其他告警',
  allLowers: '全部下级平台', allTypes: '全部类型', searchAlarm: '搜索通道、编号或描述', noAlarms: '暂无告警', newestFirst: '最新的在前，最多 {n} 条',
  priority_1: '一级警情', priority_2: '二级警情', priority_3: '三级警情', priority_4: '四级警情',
  // 级联会话
  sessionsTitle: '级联会话', voiceTitle: '语音（喊话 / 对讲）', noVoice: '当前没有语音会话', direction: '方向',
  dir_from_upper: '上级平台 → 本节点考场', dir_to_lower: '本节点 → 下级平台通道', voiceKind: '类型', kind_broadcast: '喊话（广播）', kind_talk: '对讲', kind_talk2: '对讲（双向）',
  peer: '对端平台', transport: '传输', startedAt: '开始时间', duration: '已持续', voiceHint: '上级平台向本节点摄像机的喊话与对讲，以及本节点向下级平台通道的喊话；每次均记入审计日志。',
  mediaSessionsN: '{n} 路',
  // errors
  networkError: '网络错误：无法连接服务器', forbidden: '无权执行此操作',
};
export type CascadeMsgKey = keyof typeof zh;

const en: Record<CascadeMsgKey, string> = {
  title: 'Cascade', subtitle: 'GB/T 28181 links to upper and lower levels', autoRefresh: 'Refreshes every 5 s', updatedAt: 'updated {at}', refresh: 'Refresh',
  upperTitle: 'Upper platform', thisNode: 'This node', upperLink: 'Registration to the upper platform', sipId: 'SIP ID', domain: 'Domain', sipPorts: 'SIP ports', mediaSessions: 'Streams sent upward',
  notEnabled: 'GB/T 28181 cascade is not enabled on this node (no gb28181 configuration)', noUpper: 'No upper platform configured (this node is the top level)', address: 'Address', regState: 'Registration',
  state_registered: 'Registered', state_registering: 'Registering', state_failed: 'Failed', state_stopped: 'Stopped',
  lastRegister: 'Last registration', expiresAt: 'Valid until', lastKeepalive: 'Last keepalive', keepaliveEvery: 'every {s} s', keepaliveFailures: '{n} keepalives failed in a row',
  clockOffset: 'Clock offset to upper', clockAhead: 'upper ahead by {ms} ms', clockBehind: 'upper behind by {ms} ms', clockAcc: 'accuracy ±{ms} ms',
  clockWarn: 'More than 1 s: check this machine\'s NTP synchronisation', lastError: 'Last error', none: 'None', never: 'not yet', queued: '{n} notifications queued',
  lowersTitle: 'Lower platforms', lowersSummary: '{n} in total, {online} online', addLower: 'Add lower platform', editLower: 'Edit lower platform', name: 'Name', kind: 'Type',
  kind_platform: 'Platform', kind_device: 'GB device', status: 'Status', online: 'Online', offline: 'Offline', disabled: 'Disabled', neverRegistered: 'Never registered',
  onlineSince: 'since {at}', offlineSince: 'since {at}', lastContact: 'last contact {at}', channels: 'Channels', channelsOnOff: 'Online / offline', gbVersion: 'GB version',
  catalogAt: 'Catalog', contact: 'Contact', actions: 'Actions', requery: 'Query catalog', requeryDone: 'Catalog updated: {n} items', edit: 'Edit', delete: 'Delete',
  deleteConfirm: 'Delete lower platform "{name}"? Its catalog goes too; received alarms are kept.', deleted: 'Deleted', created: 'Added', saved: 'Saved',
  staleHint: 'Lower platform offline: last known channel states', noLowers: 'No lower platforms yet', forbiddenWrite: 'Only administrators can add or change lower platforms',
  sipIdHint: '20 digits, as configured on the lower platform itself', sipIdInvalid: 'The SIP ID must be 20 digits', password: 'Registration password',
  passwordCreateHint: 'Password the lower registers with (8–64 characters). Only its digest is kept; it cannot be shown again. Empty: this node\'s default password.',
  passwordEditHint: 'Empty = unchanged; it cannot be shown again after saving.', passwordRule: '8–64 characters', orgNode: 'Organisation', orgNodeHint: 'Decides which users can see this lower platform',
  enabled: 'Enabled', required: 'Please enter {field}',
  channelName: 'Name', channelId: 'SIP ID', on: 'Online', off: 'Offline', unknown: 'not reported', group: 'Group', camera: 'Camera', device: 'Device', vendor: 'Vendor / model', attributes: 'Attributes', more: 'Details',
  watch: 'Watch', records: 'Recordings', noChannels: 'No catalog yet (queried after the lower registers)',
  watchNoCamera: 'This channel is not a camera of this node yet: add a camera with source GB/T 28181 and this SIP ID as main stream under Organisation to watch and record it.',
  watchTitle: 'Live · {name}', watchWallHint: 'On the video wall\'s camera tree: {path}', openWall: 'Open the video wall', cameraNotFound: 'This camera is outside your scope',
  recordsTitle: 'Recordings · {name}', range: 'Time range', query: 'Search', recStart: 'Start', recEnd: 'End', recDuration: 'Duration', recSize: 'Size',
  recType: 'Type', noRecords: 'No recordings in this range', recordsHint: 'Asks the lower platform with RecordInfo; times are Beijing time.', recordsTotal: '{n} spans, {d} in total',
  rangeInvalid: 'Choose a start and an end; the end must be after the start',
  alarmsTitle: 'Alarms from lower levels', alarmTime: 'Alarm time', receivedAt: 'received {at}', lower: 'Lower platform', channel: 'Channel', alarmType: 'Type', priority: 'Priority',
  description: 'Description', cat_videoLoss: 'Video loss', cat_recordGap: 'Recording gap', cat_lowerOffline: 'Lower offline', cat_other: 'Other',
  allLowers: 'All lower platforms', allTypes: 'All types', searchAlarm: 'Search channel, ID or description', noAlarms: 'No alarms', newestFirst: 'Newest first, at most {n}',
  priority_1: 'Level 1', priority_2: 'Level 2', priority_3: 'Level 3', priority_4: 'Level 4',
  sessionsTitle: 'Cascade sessions', voiceTitle: 'Voice (broadcast / talk)', noVoice: 'No voice session now', direction: 'Direction',
  dir_from_upper: 'Upper platform → a room of this node', dir_to_lower: 'This node → a lower platform channel', voiceKind: 'Kind', kind_broadcast: 'Broadcast', kind_talk: 'Talk', kind_talk2: 'Talk (both ways)',
  peer: 'Other platform', transport: 'Transport', startedAt: 'Started', duration: 'Running for', voiceHint: 'Broadcasts and talks from the upper platform to cameras of this node, and this node\'s broadcasts to lower platform channels; each one is in the audit log.',
  mediaSessionsN: '{n}',
  networkError: 'Network error: cannot reach the server', forbidden: 'You are not allowed to do this',
};

export interface CascadeText {
  lang: Lang;
  c: (key: CascadeMsgKey, vars?: Record<string, string | number>) => string;
  /** A server or network error as the user should read it (the server's Chinese message first). */
  err: (e: unknown) => string;
}

export function cascadeText(lang: Lang): CascadeText {
  const dict = lang === 'en' ? en : zh;
  const c = (key: CascadeMsgKey, vars?: Record<string, string | number>) => {
    let s = dict[key];
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
  const err = (e: unknown) => {
    if (e instanceof ApiError && e.status === 0) return c('networkError');
    if (e instanceof ApiError && e.status === 403) return e.message || c('forbidden');
    if (e instanceof Error) return e.message;
    return String(e);
  };
  return { lang, c, err };
}

export function useCascadeText(): CascadeText {
  const { lang } = useI18n();
  return useMemo(() => cascadeText(lang), [lang]);
}
