// Texts of the 考前检测 page (简体中文 first, English second), beside the page like cascadeText.ts.
import { useMemo } from 'react';
import { ApiError } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { serverText } from '../../serverText.ts';

const zh = {
  title: '考前检测', subtitle: '考前三天全面检测、考前一天校时与工作站检查；各级可见各考点是否就绪', campaigns: '检测任务', newCampaign: '发起检测', name: '名称', node: '范围',
  checks: '类型', checks_full: '全面检测', checks_clock: '校时与工作站', deadline: '截止时间', state: '状态', state_open: '进行中', state_closed: '已结束', origin_timetable: '按考试日程自动发起',
  progress: '考点就绪', site: '考点', siteState: '状态', ready: '就绪', not_ready: '未就绪', unchecked: '未检测', reasons: '原因', cameras: '摄像机', checklist: '检查表',
  probeAll: '全部检测', probeCamera: '检测', probeRoom: '检测本考场', queued: '已排队检测 {n} 路摄像机', running: '检测中', picture: '画面', camera: '摄像机', room: '考场', verdict: '结论',
  pass: '合格', warn: '警告', fail: '不合格', results: '检测项', rule: '标准', value: '测得', noPicture: '无画面',
  probe_online: '在线', probe_decode: '解码', probe_profile: '标准符合性', probe_picture: '画面质量', probe_moved: '与参考画面比对', probe_audio: '音频', probe_recording: '试录回放', probe_clock: '时钟',
  reference: '参考画面', signReference: '参考画面签字', refSigned: '{name} 于 {at} 签字', refStale: '摄像机已更改，需重新签字', refNone: '未签字', current: '当前画面',
  refStatement: '本人确认：当前画面覆盖全部考生座位及监考员活动区域。', signerName: '签字人姓名', sign: '签字', signed: '已签字', signItem: '检查项签字',
  requirement: '依据', item: '检查项', per_site: '每考点', per_workstation: '每工作站', workstation: '工作站名称', outcome: '结果', outcome_ok: '符合', outcome_fail: '不符合', note: '备注', file: '附件（照片或文件，≤160 KiB）',
  noItems: '暂无适用的检查表模板', chartTitle: '各考点摄像机检测结果', created: '已发起', required: '请填写{field}', fileTooBig: '附件不能超过 160 KiB', networkError: '网络错误：无法连接服务器',
  refresh: '刷新', contacts: '联系人', none: '无', select: '请在左侧选择检测任务',
  reportedTitle: '各级上报', reportedHint: '各考点经数据上报通道上报的检测结果（本级及下级）。下级通道中断时显示“未上报”及其最后上报的状态，绝不显示为就绪。',
  campaignsReported: '各级检测任务进度', staleProgress: '下级通道中断，可能已过期', checked: '已检',
  reportPdf: '打印报告', reportXlsx: '导出 Excel', report: '报告', probe_device: '设备信息/状态', probe_config: '配置比对',
  bandwidth: '上行带宽 需/有', bwUnset: '未登记', bwEdit: '登记', bwTitle: '登记上行带宽', bwHint: '考点到上级的链路实际可用带宽。全部摄像机主码流（实测）之和超过它为不合格，超过 80% 为警告 (R-PRE-4)。',
  reportedNone: '尚无考点上报检测结果', moreCameras: '另有 {n} 路摄像机未通过（列表过长未上报明细）', not_reported: '未上报', via: '上报来源', lastReported: '最后上报：', reportedAt: '上报时间',
  nodeHint: '默认为本人管辖的全部范围', nodeAll: '全部（本人管辖范围）', contactNode: '单位（市/区/考点）', contactName: '联系人姓名', contactPhone: '电话', contactPhoneBad: '请填写电话号码', addContact: '添加联系人', remove: '删除',
  templates: '检查表模板', templateNew: '新建模板', templateEdit: '修改模板', templateTitle: '模板名称', templateAddItem: '添加检查项', templateSaved: '模板已保存', edit: '修改',
};
type Key = keyof typeof zh;
const en: Record<Key, string> = {
  title: 'Exam readiness', subtitle: 'Full check three days before, clocks and workstations one day before; every level sees which sites are ready', campaigns: 'Campaigns', newCampaign: 'Open campaign', name: 'Name', node: 'Scope',
  checks: 'Kind', checks_full: 'Full check', checks_clock: 'Clocks & workstations', deadline: 'Deadline', state: 'State', state_open: 'Open', state_closed: 'Closed', origin_timetable: 'Opened from the exam timetable',
  progress: 'Sites ready', site: 'Site', siteState: 'State', ready: 'Ready', not_ready: 'Not ready', unchecked: 'Not checked', reasons: 'Why', cameras: 'Cameras', checklist: 'Checklist',
  probeAll: 'Check all', probeCamera: 'Check', probeRoom: 'Check room', queued: '{n} cameras queued', running: 'Checking', picture: 'Picture', camera: 'Camera', room: 'Room', verdict: 'Verdict',
  pass: 'Pass', warn: 'Warn', fail: 'Fail', results: 'Checks', rule: 'Rule', value: 'Measured', noPicture: 'No picture',
  probe_online: 'Online', probe_decode: 'Decodes', probe_profile: 'Standard profile', probe_picture: 'Picture quality', probe_moved: 'Matches reference', probe_audio: 'Audio', probe_recording: 'Test recording', probe_clock: 'Clock',
  reference: 'Reference', signReference: 'Sign reference', refSigned: 'Signed by {name} at {at}', refStale: 'Camera changed: sign again', refNone: 'Not signed', current: 'Current picture',
  refStatement: 'I confirm: this picture covers every candidate seat and the invigilators\u2019 area.', signerName: 'Signer name', sign: 'Sign', signed: 'Signed', signItem: 'Sign checklist item',
  requirement: 'Requirement', item: 'Item', per_site: 'Per site', per_workstation: 'Per workstation', workstation: 'Workstation', outcome: 'Outcome', outcome_ok: 'In order', outcome_fail: 'Not in order', note: 'Note', file: 'Attachment (photo or file, ≤160 KiB)',
  noItems: 'No checklist template applies', chartTitle: 'Camera results per site', created: 'Opened', required: '{field} is required', fileTooBig: 'Attachment must be at most 160 KiB', networkError: 'Network error: cannot reach the server',
  refresh: 'Refresh', contacts: 'Contacts', none: 'None', select: 'Select a campaign on the left',
  reportedTitle: 'Reported by every level', reportedHint: 'What each site reported on the node-to-node channel (this level and below). A lower whose channel is down shows "not reported" with the last state it reported, never "ready".',
  campaignsReported: 'Campaign progress at every level', staleProgress: 'Lower channel stale: may be out of date', checked: 'checked',
  reportPdf: 'Print report', reportXlsx: 'Export Excel', report: 'Report', probe_device: 'Device facts / status', probe_config: 'Configured vs delivered',
  bandwidth: 'Uplink need/have', bwUnset: 'not entered', bwEdit: 'Set', bwTitle: 'Uplink capacity', bwHint: 'What the site\u2019s link to the upper level carries. All cameras\u2019 measured main streams together above it fail, above 80 % warn (R-PRE-4).',
  reportedNone: 'No site has reported yet', moreCameras: '{n} more cameras not passing (not detailed: list too long)', not_reported: 'Not reported', via: 'Reported through', lastReported: 'last reported:', reportedAt: 'Reported at',
  nodeHint: 'Default: everything in your scope', nodeAll: 'All (your scope)', contactNode: 'City / district / site', contactName: 'Contact name', contactPhone: 'Phone', contactPhoneBad: 'Enter a phone number', addContact: 'Add contact', remove: 'Remove',
  templates: 'Checklist templates', templateNew: 'New template', templateEdit: 'Edit template', templateTitle: 'Template title', templateAddItem: 'Add item', templateSaved: 'Template saved', edit: 'Edit',
};

export type ReadinessMsgKey = Key;
export function useReadinessText() {
  const { lang } = useI18n();
  return useMemo(() => {
    const dict = lang === 'en' ? en : zh;
    const r = (key: Key, vars?: Record<string, string | number>) => {
      let s = dict[key];
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    };
    const err = (e: unknown) => (e instanceof ApiError && e.status === 0 ? r('networkError') : serverText(e instanceof Error ? e.message : String(e), lang));
    /** A server reason or value in the reader's language (the Chinese part of "中文 (English)"). */
    const sv = (text: string) => serverText(text, lang);
    return { lang, r, err, sv };
  }, [lang]);
}
