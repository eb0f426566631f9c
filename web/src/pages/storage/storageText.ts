// Texts of the 存储与证据 page (简体中文 first, English second), beside the page like ledgerText.ts.
import { useMemo } from 'react';
import { useI18n } from '../../i18n.ts';

const zh = {
  title: '存储与证据', subtitle: '证据保全、录像备份与校验、保存策略与容量预测、考点录像时段默认值、手动录像计划',
  tabHolds: '证据保全', tabBackups: '备份与校验', tabRetention: '保存策略与容量', tabDefaults: '考点时段默认值', tabSchedules: '录像计划',
  refresh: '刷新', camera: '摄像机', from: '开始（北京时间）', to: '结束（北京时间）', reason: '原因', createdBy: '创建人', createdAt: '创建时间', actions: '操作', state: '状态',
  timeHint: '格式 2026-06-07 09:00', badTime: '时间格式应为 YYYY-MM-DD HH:mm（北京时间）', endAfterStart: '结束时间必须晚于开始时间', required: '必填',
  newHold: '新建证据保全', holdHint: '保全的录像不受保存期限和磁盘空间清理影响，直到管理员解除；创建与解除均记入审计日志。', showReleased: '显示已解除',
  held: '保全中', released: '已解除', release: '解除保全', releaseTitle: '解除证据保全', releaseReason: '解除原因', releasedBy: '解除人', releasedAt: '解除时间',
  releaseHint: '解除后，这段录像按保存策略正常清理。', holdCreated: '已创建证据保全', holdReleased: '已解除证据保全', noHolds: '暂无证据保全',
  newBackup: '立即备份', backupHint: '按考试或场次备份应录时段内的录像（含前后余量），或按摄像机备份指定时间段；每个文件复制后按 SHA-256 校验。',
  byExam: '按考试 / 场次', byCameras: '按摄像机', exam: '考试', session: '场次', allSessions: '全部场次', cameras: '摄像机', scope: '范围', range: '时间段',
  progress: '进度', files: '文件', verify: '校验', verifyAgain: '重新校验', verifyOk: '校验通过：{n} 个文件一致', verifyBad: '校验发现 {n} 个问题', lastVerify: '最近校验',
  report: '报告', finishedAt: '完成时间', target: '备份位置', noBackups: '暂无备份', backupStarted: '备份已开始', size: '大小', verified: '已校验', failed: '失败',
  st_running: '进行中', st_done: '已完成', st_failed: '失败', st_partial: '部分完成',
  pb_missing: '备份文件缺失', pb_size: '大小不一致', pb_changed: '内容已改变', 'pb_never-copied': '从未复制成功',
  settings: '保存策略', defaultDays: '非考试录像保存天数', minFreePercent: '最低剩余空间（%）', minFreeGb: '最低剩余空间下限（GB）',
  settingsHint: '剩余空间低于两者中较大者时，按时间从旧到新清理未锁定的录像；考试录像和证据保全不会被清理。', save: '保存', saved: '已保存',
  forecast: '容量预测', free: '剩余空间', total: '总容量', threshold: '清理阈值', daily: '近 24 小时写入', daysFull: '预计写满', daysPressure: '预计开始清理',
  daysHeld: '可容纳录像', days: '{n} 天', never: '—（无写入）', deletable: '可清理录像', locked: '锁定录像', lockedUntil: '锁定至', untilReleased: '直至解除保全',
  lockedList: '锁定数据（按保留截止日）', runNow: '立即执行清理', runDone: '清理完成：删除 {n} 个文件', diskAlarms: '磁盘告警', raised: '发生时间', cleared: '恢复时间', open: '未恢复', noAlarms: '无磁盘告警',
  perCamera: '各摄像机码率（近 24 小时）', rate: '码率',
  site: '考点', pickSite: '选择考点', defaultsHint: '考场在考试开始前 N 分钟开始录像、结束后 N 分钟结束（封门时以封门时间为准）；考务室和试卷保密室按试卷到达/离开，默认在考试前后 N 分钟。修改后未结束的场次立即重新计算。',
  examLead: '考场：开考前（分钟）', examTrail: '考场：结束后（分钟）', custodyLead: '考务/保密室：开考前（分钟）', custodyTrail: '考务/保密室：结束后（分钟）',
  pickCamera: '选择摄像机', newSchedule: '新增录像计划', schedulesHint: '手动录像计划：在指定时间段内录像（对“按计划录像”的摄像机生效；连续录像的摄像机始终在录）。考试生成的计划只能在考试安排中修改。',
  examSchedule: '考试生成', manual: '手动', delete: '删除', deleteConfirm: '确定删除这条录像计划吗？', noSchedules: '暂无录像计划', scheduleAdded: '已新增录像计划', scheduleDeleted: '已删除录像计划',
};
type Key = keyof typeof zh;
const en: Record<Key, string> = {
  title: 'Storage & evidence', subtitle: 'Evidence holds, backups and their verification, retention and capacity forecast, site window defaults, manual recording schedules',
  tabHolds: 'Evidence holds', tabBackups: 'Backups', tabRetention: 'Retention & capacity', tabDefaults: 'Site window defaults', tabSchedules: 'Recording schedules',
  refresh: 'Refresh', camera: 'Camera', from: 'From (Beijing)', to: 'To (Beijing)', reason: 'Reason', createdBy: 'Created by', createdAt: 'Created', actions: 'Actions', state: 'State',
  timeHint: 'e.g. 2026-06-07 09:00', badTime: 'Use YYYY-MM-DD HH:mm (Beijing time)', endAfterStart: 'End must be after start', required: 'Required',
  newHold: 'New evidence hold', holdHint: 'Held recordings are kept regardless of retention and disk pressure until an administrator releases them; both steps are audited.', showReleased: 'Show released',
  held: 'Held', released: 'Released', release: 'Release', releaseTitle: 'Release evidence hold', releaseReason: 'Reason for release', releasedBy: 'Released by', releasedAt: 'Released',
  releaseHint: 'After release the recordings follow the retention settings again.', holdCreated: 'Hold created', holdReleased: 'Hold released', noHolds: 'No evidence holds',
  newBackup: 'Back up now', backupHint: 'Back up an exam\'s or session\'s required windows (with margins), or cameras over a time range; every copy is checked by SHA-256.',
  byExam: 'By exam / session', byCameras: 'By camera', exam: 'Exam', session: 'Session', allSessions: 'All sessions', cameras: 'Cameras', scope: 'Scope', range: 'Range',
  progress: 'Progress', files: 'Files', verify: 'Verify', verifyAgain: 'Verify again', verifyOk: 'Verified: {n} files match', verifyBad: '{n} problems found', lastVerify: 'Last verified',
  report: 'Report', finishedAt: 'Finished', target: 'Target', noBackups: 'No backups', backupStarted: 'Backup started', size: 'Size', verified: 'Verified', failed: 'Failed',
  st_running: 'Running', st_done: 'Done', st_failed: 'Failed', st_partial: 'Partial',
  pb_missing: 'Copy missing', pb_size: 'Size differs', pb_changed: 'Content changed', 'pb_never-copied': 'Never copied',
  settings: 'Retention settings', defaultDays: 'Days to keep non-exam recordings', minFreePercent: 'Minimum free space (%)', minFreeGb: 'Minimum free space floor (GB)',
  settingsHint: 'Below the larger of the two, unlocked recordings are deleted oldest first; exam recordings and evidence holds are never deleted.', save: 'Save', saved: 'Saved',
  forecast: 'Capacity forecast', free: 'Free', total: 'Total', threshold: 'Clean-up threshold', daily: 'Written in the last 24 h', daysFull: 'Disk full in', daysPressure: 'Clean-up starts in',
  daysHeld: 'Disk holds', days: '{n} days', never: '— (nothing written)', deletable: 'Deletable recordings', locked: 'Locked recordings', lockedUntil: 'Locked until', untilReleased: 'Until the hold is released',
  lockedList: 'Locked data (by keep-until day)', runNow: 'Run clean-up now', runDone: 'Clean-up done: {n} files deleted', diskAlarms: 'Disk alarms', raised: 'Raised', cleared: 'Cleared', open: 'Open', noAlarms: 'No disk alarms',
  perCamera: 'Bit rate per camera (last 24 h)', rate: 'Rate',
  site: 'Site', pickSite: 'Pick a site', defaultsHint: 'Exam rooms record from N minutes before the session until N minutes after (or until sealed); affairs and secrecy rooms follow the papers, by default N minutes around the session. Sessions not over are recomputed on save.',
  examLead: 'Exam room: before start (min)', examTrail: 'Exam room: after end (min)', custodyLead: 'Affairs/secrecy: before start (min)', custodyTrail: 'Affairs/secrecy: after end (min)',
  pickCamera: 'Pick a camera', newSchedule: 'Add recording window', schedulesHint: 'Manual recording windows: the camera records inside them (for cameras in scheduled mode; continuous cameras always record). Exam windows are changed in the exam schedule.',
  examSchedule: 'From exam', manual: 'Manual', delete: 'Delete', deleteConfirm: 'Delete this recording window?', noSchedules: 'No recording windows', scheduleAdded: 'Recording window added', scheduleDeleted: 'Recording window deleted',
};

export type StorageText = (k: Key | string, vars?: Record<string, string | number>) => string;

export function useStorageText(): { s: StorageText } {
  const { lang } = useI18n();
  return useMemo(() => {
    const t = lang === 'en' ? en : zh;
    return { s: (k: string, vars?: Record<string, string | number>) => Object.entries(vars ?? {}).reduce((str, [n, v]) => str.replace(`{${n}}`, String(v)), (t as Record<string, string>)[k] ?? k) };
  }, [lang]);
}
