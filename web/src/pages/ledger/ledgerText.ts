// Texts of the 设备台账 page (简体中文 first, English second), beside the page like readinessText.ts.
import { useMemo } from 'react';
import { useI18n } from '../../i18n.ts';

const zh = {
  title: '设备台账', subtitle: '考点全部设备的台账、设备卡片、故障工单与运行状态；故障由系统自动开单，修复后由系统测得正常才算验证',
  devices: '设备台账', tickets: '故障工单', overview: '运行概况', export: '导出 Excel', import: '导入 Excel', imported: '已导入：新增 {c} 条，修改 {u} 条', importProblems: '导入未执行，以下行有误：',
  node: '所属节点', cls: '类别', code: '编码', name: '名称', model: '型号', serial: '序列号', firmware: '固件', room: '房间', installed: '安装日期', warranty: '质保截止', responsible: '责任人', phone: '电话',
  card: '设备卡片', print: '打印', facts: '设备信息', history: '工单记录', none: '无',
  healthHistory: '健康记录（近 7 天）', spans: '在线/离线时段', span_online: '在线', span_offline: '离线', span_unknown: '未监测', bitrate: '码率 kbit/s', fps: '帧率 fps', lost: '丢包数', clockOffset: '时钟偏差 ms', onlineShare: '在线率', recordingShare: '在录率', readinessLast: '最近考前检测', probe: '检测项', verdict: '结论', value: '测量值', samples: '样本数', noHealth: '暂无健康记录（本机未采样该设备）', pdf: '打印卡片 PDF', clockLimit: '限值 ±{n} ms',
  drill: '逐级下钻', drillHint: '点击下级查看其考点与工单', back: '返回上级', childOnline: '下级在线率', siteTicketsAll: '本级及下级工单', asOf: '数据时间 {t}（{s} 秒前）', asOfNone: '无上报数据', bigScreen: '指挥中心大屏', exitScreen: '退出大屏', refreshEvery: '每 {n} 秒自动刷新', lastRefresh: '刷新于 {t}', oldestTickets: '最久未处理工单', staleLowers: '失联下级', noStale: '无失联下级', faultsByKind: '未验证工单（按类型）', totalCameras: '摄像机总数',
  kind: '故障类型', state: '状态', summary: '描述', opened: '开单时间', count: '次数', healthy: '已恢复', overdue: '超时', actions: '处理',
  acknowledge: '确认', start_repair: '开始维修', mark_repaired: '已修复', unverified: '未验证', all: '全部',
  kind_offline: '离线', kind_recording_gap: '录像缺失', kind_disk: '磁盘', kind_clock_drift: '时钟偏差', kind_picture: '画面', kind_manual: '人工报修',
  health: '本机运行状态', disk: '磁盘剩余', clock: '时钟偏差', noTimeSource: '未配置时间源', memory: '内存', cpu: '负载', db: '数据库', sampled: '采样时间',
  lowers: '下级节点运行状态', stale: '失联', fresh: '正常上报', reportedAt: '最后上报', noLowers: '暂无下级上报',
  byState: '工单按状态', byKind: '未验证工单按类型', refresh: '刷新',
  rollup: '分级汇总（各考点上报）', generated: '汇总时间', noRollup: '暂无考点上报设备概况', sites: '考点', staleN: '{n} 个失联', cameras: '摄像机', camerasStaleHint: '其中 {n} 台属于失联考点，未计入在线率', onlineRate: '在线率', recordingRate: '在录率', examCoverage: '今日考试录像完整率', examCoverageHint: '{lines} 路，其中 {gaps} 路有中断', noExamToday: '今日无考试', unverifiedTickets: '未验证工单', overdueN: '{n} 超时', dataTime: '数据时间（最早）', lowerChannels: '下级通道：', state_open: '待确认', state_acknowledged: '已确认', state_repairing: '维修中', state_repaired: '已修复待验证', state_verified: '已验证恢复', noTickets: '暂无工单', weekReport: '上周周报', monthReport: '上月月报',
  siteDevices: '{n} 的设备（考点上报）', reports: '运行日报/周报/月报（每日、每周、每月自动生成并保存）', makeDay: '生成昨日日报', makeWeek: '生成上周周报', makeMonth: '生成上月月报', noReports: '暂无报告（每天 0 点、每周一 0 点、每月 1 日 0 点后自动生成）', reportPeriod: '报告期', reportMadeAt: '生成时间', bySchedule: '定时', download: '下载', reportMade: '已生成 {n} {p}',
  addDevice: '新增设备', editDevice: '修改设备', edit: '修改', template: '下载导入模板', place: '所在节点/房间', requiredField: '请填写{f}', dayFormat: '日期格式为 YYYY-MM-DD', serialReplacedHint: '摄像机序列号改变即视为更换设备，其未验证工单须通过考前检测符合性检查后才能验证（R-CITY-4）',
  probeCol: '可达性探测', probeHost: '探测地址', probeTcpPort: '探测端口', probeHostHint: '交换机、UPS 等非视频设备的 IP 或主机名，本节点每分钟探测一次；不可达超过设定时间自动开离线工单。留空 = 不监测', probePortHint: '填写则以 TCP 连接该端口判断可达（如交换机 22/23/80）；留空则用 ping', probeHostInvalid: '须为 IP 或主机名', probePortInvalid: '端口须为 1–65535 的整数', notProbed: '不监测', selfMeasured: '本机自测', deviceSaved: '已保存设备 {n}',
  cls_camera: '摄像机', cls_nvr: '硬盘录像机', cls_encoder: '编码器', cls_switch: '交换机', cls_server: '服务器', cls_workstation: '工作站', cls_monitor: '显示器', cls_ups: 'UPS', cls_clock: '时钟', cls_other: '其他',
};
type Key = keyof typeof zh;
const en: Record<Key, string> = {
  title: 'Equipment ledger', subtitle: 'Every device of the sites, device cards, fault tickets and node health; faults open tickets by themselves, and only a measured recovery verifies a repair',
  devices: 'Ledger', tickets: 'Fault tickets', overview: 'Overview', export: 'Export Excel', import: 'Import Excel', imported: 'Imported: {c} added, {u} changed', importProblems: 'Nothing imported; these rows are wrong:',
  node: 'Node', cls: 'Class', code: 'Code', name: 'Name', model: 'Model', serial: 'Serial', firmware: 'Firmware', room: 'Room', installed: 'Installed', warranty: 'Warranty until', responsible: 'Responsible', phone: 'Phone',
  card: 'Device card', print: 'Print', facts: 'Facts', history: 'Tickets', none: 'None',
  healthHistory: 'Health (last 7 days)', spans: 'Online / offline spans', span_online: 'Online', span_offline: 'Offline', span_unknown: 'Not measured', bitrate: 'Bitrate kbit/s', fps: 'Frame rate fps', lost: 'Packets lost', clockOffset: 'Clock offset ms', onlineShare: 'Online', recordingShare: 'Recording', readinessLast: 'Latest readiness results', probe: 'Check', verdict: 'Verdict', value: 'Measured', samples: 'Samples', noHealth: 'No health samples yet (this node has not sampled the device)', pdf: 'Print card (PDF)', clockLimit: 'limit ±{n} ms',
  drill: 'Drill down', drillHint: 'Click a lower level to see its sites and tickets', back: 'Up one level', childOnline: 'Online rate of lower levels', siteTicketsAll: 'Tickets here and below', asOf: 'Data as of {t} ({s} s ago)', asOfNone: 'Nothing reported', bigScreen: 'Command-centre screen', exitScreen: 'Leave big screen', refreshEvery: 'Refreshes every {n} s', lastRefresh: 'Refreshed {t}', oldestTickets: 'Oldest open tickets', staleLowers: 'Stale lowers', noStale: 'No stale lower', faultsByKind: 'Unverified tickets by kind', totalCameras: 'Cameras',
  kind: 'Kind', state: 'State', summary: 'Summary', opened: 'Opened', count: 'Count', healthy: 'Recovered', overdue: 'Overdue', actions: 'Actions',
  acknowledge: 'Acknowledge', start_repair: 'Start repair', mark_repaired: 'Repaired', unverified: 'Unverified', all: 'All',
  kind_offline: 'Offline', kind_recording_gap: 'Recording gap', kind_disk: 'Disk', kind_clock_drift: 'Clock drift', kind_picture: 'Picture', kind_manual: 'Manual',
  health: 'This node', disk: 'Disk free', clock: 'Clock offset', noTimeSource: 'No time source', memory: 'Memory', cpu: 'Load', db: 'Database', sampled: 'Sampled',
  lowers: 'Lower nodes', stale: 'Stale', fresh: 'Reporting', reportedAt: 'Last report', noLowers: 'No lower reports yet',
  byState: 'Tickets by state', byKind: 'Unverified tickets by kind', refresh: 'Refresh',
  rollup: 'Roll-up per level (as the sites report)', generated: 'Computed', noRollup: 'No site has reported its ledger summary yet', sites: 'Sites', staleN: '{n} stale', cameras: 'Cameras', camerasStaleHint: '{n} of them at stale sites, not in the online rate', onlineRate: 'Online', recordingRate: 'Recording', examCoverage: "Today's exam recording completeness", examCoverageHint: '{lines} lines, {gaps} with gaps', noExamToday: 'No exam today', unverifiedTickets: 'Unverified tickets', overdueN: '{n} overdue', dataTime: 'Data as of (oldest)', lowerChannels: 'Lower channels:', state_open: 'Open', state_acknowledged: 'Acknowledged', state_repairing: 'Repairing', state_repaired: 'Repaired, to verify', state_verified: 'Verified', noTickets: 'No tickets', weekReport: 'Last week', monthReport: 'Last month',
  siteDevices: 'Devices of {n} (as the site reports them)', reports: 'Daily / weekly / monthly health reports (written and kept on schedule)', makeDay: 'Write yesterday\'s report', makeWeek: 'Write last week\'s report', makeMonth: 'Write last month\'s report', noReports: 'No reports yet (written after 00:00 each day, each Monday and each 1st of the month)', reportPeriod: 'Period', reportMadeAt: 'Written', bySchedule: 'scheduled', download: 'Download', reportMade: 'Written: {n} {p}',
  addDevice: 'Add device', editDevice: 'Edit device', edit: 'Edit', template: 'Import template', place: 'Node / room', requiredField: '{f} is required', dayFormat: 'Date as YYYY-MM-DD', serialReplacedHint: 'A new serial means the camera was replaced: its unverified tickets verify only after the readiness conformance check (R-CITY-4)',
  probeCol: 'Reachability probe', probeHost: 'Probe host', probeTcpPort: 'Probe TCP port', probeHostHint: 'IP or host name of a switch, UPS or other non-video device; this node probes it every minute and opens an offline ticket when it stays unreachable. Empty = not measured', probePortHint: 'With a port: a TCP connect to it (e.g. 22/23/80 of a switch); without: ping', probeHostInvalid: 'An IP address or host name', probePortInvalid: 'A port from 1 to 65535', notProbed: 'Not measured', selfMeasured: 'This node (self)', deviceSaved: 'Saved {n}',
  cls_camera: 'Camera', cls_nvr: 'NVR', cls_encoder: 'Encoder', cls_switch: 'Switch', cls_server: 'Server', cls_workstation: 'Workstation', cls_monitor: 'Monitor', cls_ups: 'UPS', cls_clock: 'Clock', cls_other: 'Other',
};

export function useLedgerText(): { l: (k: Key | string, vars?: Record<string, string | number>) => string } {
  const { lang } = useI18n();
  return useMemo(() => {
    const t = lang === 'en' ? en : zh;
    return { l: (k: string, vars?: Record<string, string | number>) => Object.entries(vars ?? {}).reduce((s, [n, v]) => s.replace(`{${n}}`, String(v)), (t as Record<string, string>)[k] ?? k) };
  }, [lang]);
}
