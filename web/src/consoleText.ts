// Texts of the console improvements of issue 14 (camera state, wall, alarms history…), 简体中文
// first, English second; kept apart from i18n.ts so that the shared dictionary stays small.
import { useMemo } from 'react';
import { useI18n } from './i18n.ts';
import type { Lang } from './i18n.ts';

const zh = {
  camState_recording: '录像中', camState_online: '在线（未录像）', camState_error: '故障', camState_connecting: '连接中',
  camState_stopped: '已停止', camState_unknown: '状态未知', camStateSince: '自 {at}',
  diskFullAlarm: '录像磁盘已满：新录像暂停，正在删除可删除的过期录像以恢复空间', diskPressureAlarm: '录像磁盘空间不足且只剩锁定录像：已停止非必需录像，考试时段照常录像',
  diskFree: '剩余 {free}', diskSince: '自 {at}',
  camState_onlineHeld: '在线（未录像：{why}）', retryInMin: '{n} 分钟后重试', retryInS: '{n} 秒后重试',
  wallDragHint2: '拖动摄像机或考场到右侧画面；双击考场或考点，依次填满空闲画面', treeSearch: '搜索考点、考场、摄像机',
  fullClose: '关闭全屏（Esc）', subFallback: '无子码流，已改用主码流',
  wallDegraded: '画面降帧', wallDegradedTip: '浏览器解码跟不上：最近 {s} 秒有 {pct}% 的画面未能显示，此画面暂时只显示关键帧（约每 2 秒一幅）；页面有余力时自动恢复全帧率。单击此画面可优先恢复',
  wallOverviewTag: '概览 · 关键帧', wallOverviewHint: '概览模式（25 画面及以上）：未选中的画面只显示关键帧（约每 2 秒一幅），单击画面即切换为全帧率',
  alarmLive: '实时', alarmPlayback: '回放', ackTitle: '确认报警并填写处置意见', ackPlaceholder: '必填：处置意见（如：已电话通知考点，摄像机重启后恢复）',
  menuAlarms: '报警记录', alarmsTitle: '报警记录', fTime: '报警时间', fSite: '考点', fKind: '类型', fState: '状态',
  kind_recording_gap: '录像中断', kind_camera_not_ready: '摄像机未就绪', kind_ptz_refused: '云台操作被拒', st_open: '未确认', st_acked: '已确认', st_active: '未恢复',
  colWhere: '位置', colReason: '原因', colCleared: '恢复时间', colAckBy: '确认人', colAckAt: '确认时间', colDisposition: '处置意见', colGo: '查看',
  exportXlsx: '导出 Excel', search: '查询', notCleared: '未恢复',
  wallLayouts: '画面布局', wallLayoutPick: '选择已保存的布局', wallLayoutSave: '保存布局', wallLayoutName: '布局名称', wallLayoutShared: '共享给本机构用户',
  wallLayoutOverwrite: '已有同名布局，保存将覆盖它', wallLayoutSaved: '布局已保存', wallLayoutEmpty: '画面上没有摄像机，无法保存布局', wallLayoutDelete: '删除布局“{name}”？',
  wallLayoutSharedTag: '共享', wallLayoutBy: '{owner} 共享于 {node}', wallKeptOnServer: '视频墙已保存在服务器，换电脑登录也会恢复',
};
export type ConsoleKey = keyof typeof zh;
const en: Record<ConsoleKey, string> = {
  camState_recording: 'Recording', camState_online: 'Online (not recording)', camState_error: 'Fault', camState_connecting: 'Connecting',
  camState_stopped: 'Stopped', camState_unknown: 'Unknown', camStateSince: 'since {at}',
  diskFullAlarm: 'Recording disk full: new recording paused, deleting expired unlocked recordings to get space back', diskPressureAlarm: 'Recording disk low and holding only locked recordings: recording outside required windows stopped, exam windows still recorded',
  diskFree: '{free} free', diskSince: 'since {at}',
  camState_onlineHeld: 'Online (not recording: {why})', retryInMin: 'retry in {n} min', retryInS: 'retry in {n} s',
  wallDragHint2: 'Drag a camera or a room onto the wall; double-click a room or a site to fill the free tiles', treeSearch: 'Search sites, rooms, cameras',
  fullClose: 'Close full screen (Esc)', subFallback: 'No sub stream: showing the main stream',
  wallDegraded: 'Reduced frame rate', wallDegradedTip: 'The browser cannot keep up: {pct}% of the pictures of the last {s} s could not be shown, so this tile shows keyframes only for now (about one picture per 2 s); full frame rate comes back by itself when the page has headroom. Click the tile to bring it back first',
  wallOverviewTag: 'Overview · keyframes', wallOverviewHint: 'Overview (25 tiles and more): tiles not selected show keyframes only (about one picture per 2 s); click a tile for full frame rate',
  alarmLive: 'Live', alarmPlayback: 'Playback', ackTitle: 'Acknowledge the alarm with a disposition', ackPlaceholder: 'Required: what was done (e.g. called the site, camera restarted)',
  menuAlarms: 'Alarm history', alarmsTitle: 'Alarm history', fTime: 'Raised', fSite: 'Site', fKind: 'Kind', fState: 'State',
  kind_recording_gap: 'Recording gap', kind_camera_not_ready: 'Camera not ready', kind_ptz_refused: 'PTZ refused', st_open: 'Unacknowledged', st_acked: 'Acknowledged', st_active: 'Not recovered',
  colWhere: 'Where', colReason: 'Reason', colCleared: 'Recovered', colAckBy: 'Acknowledged by', colAckAt: 'Acknowledged at', colDisposition: 'Disposition', colGo: 'Open',
  exportXlsx: 'Export Excel', search: 'Search', notCleared: 'Not recovered',
  wallLayouts: 'Layouts', wallLayoutPick: 'Pick a saved layout', wallLayoutSave: 'Save layout', wallLayoutName: 'Layout name', wallLayoutShared: 'Share with users of this node',
  wallLayoutOverwrite: 'A layout with this name exists; saving replaces it', wallLayoutSaved: 'Layout saved', wallLayoutEmpty: 'No camera on the wall: nothing to save', wallLayoutDelete: 'Delete layout "{name}"?',
  wallLayoutSharedTag: 'Shared', wallLayoutBy: 'shared by {owner} at {node}', wallKeptOnServer: 'The wall is kept on the server: it comes back on any PC you log in from',
};
const dicts: Record<Lang, Record<ConsoleKey, string>> = { zh, en };

export type CText = (key: ConsoleKey, vars?: Record<string, string | number>) => string;

export function consoleText(lang: Lang): CText {
  const dict = dicts[lang];
  return (key, vars) => {
    let s = dict[key];
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
}

export function useConsoleText(): { c: CText; lang: Lang } {
  const { lang } = useI18n();
  return useMemo(() => ({ c: consoleText(lang), lang }), [lang]);
}
