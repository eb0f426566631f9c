// Texts of the exam pages and the alarm banner (简体中文 first, English second), kept here so that
// the shared dictionary in i18n.ts only carries the menu entries.
import { useMemo } from 'react';
import { useI18n } from '../../i18n.ts';
import type { Lang } from '../../i18n.ts';

const zh = {
  title: '考试安排', examList: '考试列表', newExam: '新建考试', editExam: '编辑考试', examName: '考试名称', examKind: '考试类型',
  national: '国家教育考试', retention: '录像保存期限', retentionDays: '{n} 天', days: '天', owner: '所属机构', sites: '参考考点',
  sitesEdit: '设置参考考点', sitesHint: '选择整个考点（之后新增的考场自动加入本次考试），或只选择其中的部分考场/机房（只有所选考场参加）；考务室和试卷保密室自动纳入录像范围。', sitesStopTitle: '移除正在录像的考场？', sitesStopOk: '确认移除并停止录像', noSites: '尚未设置参考考点',
  roomsNarrowed: '（限定 {n} 个考场）', retentionNationalHint: '国家教育考试录像至少保存 180 天', noExams: '暂无考试',
  selectExam: '请在左侧选择一个考试', sessionsCount: '{n} 个场次', deleteExam: '删除考试',
  deleteExamConfirm: '确定删除考试“{name}”吗？已开始录像的考试不能删除。',
  tabSessions: '场次安排', tabWindows: '录像时段', tabReport: '完整性报告',
  subject: '科目', date: '日期', start: '开始时间', end: '结束时间', sessionStatus: '状态', addSession: '新增场次', editSession: '编辑场次',
  deleteSessionConfirm: '确定删除场次“{name}”吗？', pending: '未开始', running: '进行中', finished: '已结束', viewWindows: '录像时段',
  endAfterStart: '结束时间必须晚于开始时间', importTimetable: '导入考试日程', downloadTemplate: '下载导入模板（已填好本考试名称）', importTitle: '导入考试日程（CSV / Excel）',
  importHint: '文件第一行为表头，须包含列：考试名称、科目、日期、开始时间、结束时间。考试名称须与本考试一致；日期如 2026-06-07，时间如 09:00（北京时间）。全部行校验通过才会导入。',
  importDone: '已导入 {n} 个场次', noSessions: '暂无场次，请新增场次或导入考试日程',
  session: '场次', allSessions: '全部场次', site: '考点', room: '房间', roomKind: '房间类型', windowStart: '时段开始', windowEnd: '时段结束',
  source: '来源', actions: '操作', seal: '已封门', sealConfirm: '确认“{room}”已封门？录像时段将结束于当前时间，该操作记入审计日志。',
  sealNotYet: '考试结束后可封门', sealed: '已封门', sealedBy: '{by} 于 {at} 封门', arrived: '试卷到达', left: '试卷离开',
  arrivedConfirm: '确认试卷已到达“{room}”？录像时段将从当前时间开始。', leftConfirm: '确认试卷已离开“{room}”？录像时段将结束于当前时间。',
  arrivedDone: '已记录试卷到达', leftDone: '已记录试卷离开', sealDone: '已记录封门', noWindows: '该场次没有录像时段（请先设置参考考点）',
  windowsHint: '考场自考生入场前至封门持续录像；考务室、试卷保密室自试卷到达至离开持续录像。未封门的考场在默认结束时间后再多录 30 分钟。',
  refresh: '刷新', camera: '摄像机', required: '应录时长', recorded: '已录时长', coverage: '完整率', worst: '最低完整率', notStarted: '未开始', provisional: '临时：仍有场次在进行，数据截至生成时刻', gaps: '中断',
  gapCount: '中断次数', gapTotal: '中断总时长', gapStart: '中断开始', gapEnd: '中断结束', gapLength: '时长', reason: '原因',
  ongoing: '持续中', inProgress: '统计至当前', exportXlsx: '导出Excel', printPdf: '打印PDF', rollups: '汇总', details: '明细',
  level: '层级', cameras: '摄像机×时段', overall: '总体完整率', generatedAt: '生成时间 {at}（北京时间）', noReport: '暂无报告数据',
  noGaps: '无中断', window: '录像时段', cameraMissing: '无摄像机',
  alarmTitle: '录像报警', alarmGap: '录像中断', alarmNotReady: '摄像机未就绪', alarmPtz: '云台操作被拒', alarmAlone: '不足两人值守', alarmReviewOverdue: '保密室回看逾期', alarmSince: '中断开始 {at}', alarmRaised: '报警时间 {at}',
  alarmReason: '原因：{reason}', ack: '确认报警', acked: '已确认', ackDone: '报警已确认', alarmMore: '另有 {n} 条报警', alarmAckedOpen: '{n} 条报警已确认，录像尚未恢复',
  soundOn: '报警声音：开', soundOff: '报警声音：关', soundHint: '点击页面任意位置后启用报警提示音', cameraN: '摄像机 {id}', roomN: '房间 {id}',
};
export type ExamMsgKey = keyof typeof zh;

const en: Record<ExamMsgKey, string> = {
  title: 'Exam schedule', examList: 'Exams', newExam: 'New exam', editExam: 'Edit exam', examName: 'Exam name', examKind: 'Exam type',
  national: 'National exam', retention: 'Recording retention', retentionDays: '{n} days', days: 'days', owner: 'Owner', sites: 'Exam sites',
  sitesEdit: 'Set exam sites', sitesHint: 'Pick whole sites (exam rooms added later join this exam automatically) or only some of their exam rooms/labs (only those take part); affairs offices and paper vaults are recorded automatically.', sitesStopTitle: 'Remove rooms that are recording?', sitesStopOk: 'Remove and stop recording', noSites: 'No exam sites yet',
  roomsNarrowed: ' ({n} rooms selected)', retentionNationalHint: 'National exams keep recordings for at least 180 days', noExams: 'No exams yet',
  selectExam: 'Select an exam on the left', sessionsCount: '{n} sessions', deleteExam: 'Delete exam',
  deleteExamConfirm: 'Delete exam "{name}"? Exams whose recording has begun cannot be deleted.',
  tabSessions: 'Sessions', tabWindows: 'Recording windows', tabReport: 'Completeness report',
  subject: 'Subject', date: 'Date', start: 'Start', end: 'End', sessionStatus: 'Status', addSession: 'Add session', editSession: 'Edit session',
  deleteSessionConfirm: 'Delete session "{name}"?', pending: 'Not started', running: 'Running', finished: 'Ended', viewWindows: 'Windows',
  endAfterStart: 'End must be after start', importTimetable: 'Import timetable', downloadTemplate: 'Download the template (this exam\'s name filled in)', importTitle: 'Import timetable (CSV / Excel)',
  importHint: 'First row is the header with columns 考试名称, 科目, 日期, 开始时间, 结束时间. The exam name must match this exam; dates like 2026-06-07, times like 09:00 (Beijing). Nothing is imported unless every row passes.',
  importDone: '{n} sessions imported', noSessions: 'No sessions yet: add one or import a timetable',
  session: 'Session', allSessions: 'All sessions', site: 'Site', room: 'Room', roomKind: 'Room type', windowStart: 'Window start', windowEnd: 'Window end',
  source: 'Source', actions: 'Actions', seal: 'Sealed', sealConfirm: 'Confirm "{room}" is sealed? The window ends now; this is audited.',
  sealNotYet: 'Rooms can be sealed after the session ends', sealed: 'Sealed', sealedBy: 'sealed by {by} at {at}', arrived: 'Papers arrived', left: 'Papers left',
  arrivedConfirm: 'Papers arrived at "{room}"? The window starts now.', leftConfirm: 'Papers left "{room}"? The window ends now.',
  arrivedDone: 'Arrival recorded', leftDone: 'Departure recorded', sealDone: 'Seal recorded', noWindows: 'No windows for this session (set the exam sites first)',
  windowsHint: 'Exam rooms record from candidates entering until sealed; affairs offices and paper vaults from papers arriving until they leave. Unsealed rooms keep recording 30 min past the default end.',
  refresh: 'Refresh', camera: 'Camera', required: 'Required', recorded: 'Recorded', coverage: 'Completeness', worst: 'Worst', notStarted: 'Not started', provisional: 'Provisional: a session is still running; figures as of generation', gaps: 'Gaps',
  gapCount: 'Gaps', gapTotal: 'Gap time', gapStart: 'Gap start', gapEnd: 'Gap end', gapLength: 'Length', reason: 'Reason',
  ongoing: 'ongoing', inProgress: 'up to now', exportXlsx: 'Export Excel', printPdf: 'Print PDF', rollups: 'Summary', details: 'Details',
  level: 'Level', cameras: 'Camera × session', overall: 'Overall completeness', generatedAt: 'Generated {at} (Beijing)', noReport: 'No report data',
  noGaps: 'No gaps', window: 'Window', cameraMissing: 'No camera',
  alarmTitle: 'Recording alarm', alarmGap: 'Recording gap', alarmNotReady: 'Camera not ready', alarmPtz: 'PTZ refused', alarmAlone: 'Fewer than two on duty', alarmReviewOverdue: 'Custody review overdue', alarmSince: 'gap since {at}', alarmRaised: 'raised {at}',
  alarmReason: 'reason: {reason}', ack: 'Acknowledge', acked: 'Acknowledged', ackDone: 'Alarm acknowledged', alarmMore: '{n} more alarms', alarmAckedOpen: '{n} acknowledged alarms not yet recovered',
  soundOn: 'Alarm sound: on', soundOff: 'Alarm sound: off', soundHint: 'Click anywhere on the page to enable the alarm sound', cameraN: 'Camera {id}', roomN: 'Room {id}',
};

const LABELS: Record<Lang, Record<'kind' | 'room' | 'source' | 'startSource' | 'endSource' | 'reason' | 'level' | 'state', Record<string, string>>> = {
  zh: {
    kind: { gaokao: '高考', postgrad: '研究生考试', self_study: '自学考试', adult: '成人高考', proficiency: '学业水平考试', other: '其他' },
    room: { exam: '考场', lab: '机房', affairs: '考务室', secrecy: '试卷保密室', monitoring: '监控室', other: '其他' },
    source: { default: '默认', sealed: '已封门', custody: '保管事件', edited: '手工调整' },
    startSource: { default: '默认', sealed: '已封门', custody: '试卷到达', edited: '手工调整' },
    endSource: { default: '默认', sealed: '已封门', custody: '试卷离开', edited: '手工调整' },
    reason: {
      'not started': '未开始录像', 'no recording': '无录像', 'no camera': '无摄像机', stall: '视频流停滞', eof: '连接被关闭', timeout: '连接超时',
      garbage: '数据异常', params: '编码参数变化', stopped: '录像被停止', crash: '程序异常退出', refused: '连接被拒绝', auth: '认证失败',
      network: '网络错误', protocol: '协议错误', schedule: '录像计划结束', reconfigured: '摄像机配置变更', removed: '摄像机已删除', unknown: '原因不明',
      connecting: '正在连接', error: '摄像机故障', online: '在线',
      loss: '网络丢包', 'codec-mismatch': '编码与声明不符', 'timestamp-jump': '摄像机时间戳跳变',
    },
    level: { city: '设区市', district: '县区', site: '考点' },
    state: { pending: '未开始', running: '进行中', finished: '已结束' },
  },
  en: {
    kind: { gaokao: 'Gaokao', postgrad: 'Postgraduate', self_study: 'Self-study', adult: 'Adult HE', proficiency: 'Proficiency test', other: 'Other' },
    room: { exam: 'Exam room', lab: 'Computer room', affairs: 'Affairs office', secrecy: 'Paper vault', monitoring: 'Monitoring room', other: 'Other' },
    source: { default: 'Default', sealed: 'Sealed', custody: 'Custody event', edited: 'Edited' },
    startSource: { default: 'Default', sealed: 'Sealed', custody: 'Papers arrived', edited: 'Edited' },
    endSource: { default: 'Default', sealed: 'Sealed', custody: 'Papers left', edited: 'Edited' },
    reason: {
      'not started': 'not started', 'no recording': 'no recording', 'no camera': 'no camera', stall: 'stream stalled', eof: 'connection closed', timeout: 'timeout',
      garbage: 'bad data', params: 'codec changed', stopped: 'stopped', crash: 'crash', refused: 'connection refused', auth: 'authentication failed',
      network: 'network error', protocol: 'protocol error', schedule: 'schedule ended', reconfigured: 'camera reconfigured', removed: 'camera removed', unknown: 'unknown',
      connecting: 'connecting', error: 'camera fault', online: 'online',
      loss: 'packet loss', 'codec-mismatch': 'codec differs from the SDP', 'timestamp-jump': 'camera timestamps jumped',
    },
    level: { city: 'City', district: 'District', site: 'Site' },
    state: { pending: 'Not started', running: 'Running', finished: 'Ended' },
  },
};
export type ExamLabelGroup = keyof (typeof LABELS)['zh'];

export interface ExamText {
  lang: Lang;
  x: (key: ExamMsgKey, vars?: Record<string, string | number>) => string;
  xl: (group: ExamLabelGroup, value: string) => string;
}

export function examText(lang: Lang): ExamText {
  const dict = lang === 'en' ? en : zh;
  return {
    lang,
    x: (key, vars) => {
      let s = dict[key];
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    },
    xl: (group, value) => LABELS[lang][group][value] ?? value,
  };
}

export function useExamText(): ExamText {
  const { lang } = useI18n();
  return useMemo(() => examText(lang), [lang]);
}
