// Pure helpers of the 级联 page: Chinese reading of the SIP layer's English error strings (the
// server keeps them as logged, for engineers), alarm categories, the remote channel tree.
import type { CascadeAlarm, RemoteChannel } from './cascadeApi.ts';

/** The upper link's lastError (src/cascade/lower-link.ts) in Chinese; the raw text stays next to it. */
export function upperErrorZh(raw: string): string {
  const answered = /REGISTER answered (\d{3})\s*(.*)$/.exec(raw);
  if (answered) {
    const code = answered[1];
    if (code === '401' || code === '407') return `注册认证失败（SIP ${code}）：请核对本节点国标编号、注册密码与上级平台的登记`;
    if (code === '403') return '上级平台拒绝注册（SIP 403）：上级未登记本节点或已停用';
    return `上级平台拒绝注册（SIP ${code}${answered[2] ? ` ${answered[2]}` : ''}）`;
  }
  if (/timed out|timeout/i.test(raw)) return '上级平台无响应（请求超时）：请检查网络、上级地址和端口';
  if (/ECONNREFUSED/.test(raw)) return '连接被拒绝：上级平台未在该地址和端口监听';
  if (/ECONNRESET|EPIPE/.test(raw)) return '连接被上级平台断开';
  if (/EHOSTUNREACH|ENETUNREACH/.test(raw)) return '网络不可达：请检查到上级平台的路由';
  if (/ENOTFOUND|EAI_AGAIN/.test(raw)) return '无法解析上级平台地址';
  if (/transport closed/i.test(raw)) return '本节点 SIP 服务已关闭';
  if (/3 keepalives failed/.test(raw)) return '连续 3 次心跳失败，正在重新注册';
  const ka = /keepalive answered (\d{3})/.exec(raw);
  if (ka) return `心跳被拒绝（SIP ${ka[1]}）：上级平台可能已重启，正在重新注册`;
  return '与上级平台通信失败';
}

/** Why a lower went offline, from the upper's own alarm text (src/cascade/upper-registry.ts). */
export function lowerOfflineZh(description: string): string {
  const keepalive = /no keepalive for (\d+) s/.exec(description);
  if (keepalive) return `${keepalive[1]} 秒未收到心跳（连续 3 次未到）`;
  if (/registration expired/.test(description)) return '注册已过期，未续订';
  if (/Expires: 0/.test(description)) return '下级平台已注销';
  return description.replace(/\s*lower platform offline:.*$/, '') || '下级平台离线';
}

export type AlarmCategory = 'videoLoss' | 'recordGap' | 'lowerOffline' | 'other';

/**
 * What the city operator cares about: camera video lost (AlarmMethod 2 / AlarmType 1), recording
 * interrupted (the site's AlarmMethod 7 "录像中断"), a lower gone silent (the upper's own
 * AlarmMethod 6 with the lower's SIP id), or anything else a GB device sends.
 */
export function alarmCategory(a: Pick<CascadeAlarm, 'method' | 'alarmType' | 'description' | 'deviceId'>, lowerSipId: string | undefined): AlarmCategory {
  if (a.method === 2 && a.alarmType === 1) return 'videoLoss';
  if (a.method === 6 && lowerSipId !== undefined && a.deviceId === lowerSipId) return 'lowerOffline';
  if (a.method === 7 && (a.description ?? '').startsWith('录像中断')) return 'recordGap';
  return 'other';
}

/** GB/T 28181 AlarmMethod names (2016 A.2.4.8 / 2022); types under method 2, 5 and 6. */
const METHOD_ZH: Record<number, string> = { 1: '电话报警', 2: '设备报警', 3: '短信报警', 4: 'GPS报警', 5: '视频报警', 6: '设备故障报警', 7: '其他报警' };
const TYPE_ZH: Record<number, Record<number, string>> = {
  2: { 1: '视频丢失报警', 2: '设备防拆报警', 3: '存储设备磁盘满报警', 4: '设备高温报警', 5: '设备低温报警' },
  5: { 1: '人工视频报警', 2: '运动目标检测报警', 3: '遗留物检测报警', 4: '物体移除检测报警', 5: '绊线检测报警', 6: '入侵检测报警', 7: '逆行检测报警', 8: '徘徊检测报警', 9: '流量统计报警', 10: '密度检测报警', 11: '视频异常检测报警', 12: '快速移动报警' },
  6: { 1: '存储设备磁盘故障报警', 2: '存储设备风扇故障报警' },
};

const METHOD_EN: Record<number, string> = { 1: 'Telephone alarm', 2: 'Device alarm', 3: 'SMS alarm', 4: 'GPS alarm', 5: 'Video alarm', 6: 'Device fault', 7: 'Other alarm' };
const TYPE_EN: Record<number, Record<number, string>> = {
  2: { 1: 'video loss', 2: 'tamper', 3: 'disk full', 4: 'high temperature', 5: 'low temperature' },
  6: { 1: 'disk fault', 2: 'fan fault' },
};

/** The GB alarm method and type in words (Chinese, or English when `lang` is 'en'). */
export function alarmMethodLabel(method: number, alarmType: number | null, lang: 'zh' | 'en' = 'zh'): string {
  const en = lang === 'en';
  const base = (en ? METHOD_EN : METHOD_ZH)[method] ?? (en ? `Alarm method ${method}` : `报警方式 ${method}`);
  const type = alarmType !== null ? (en ? TYPE_EN : TYPE_ZH)[method]?.[alarmType] ?? (en ? `type ${alarmType}` : undefined) : undefined;
  return type ? `${base} · ${type}` : base;
}

/** "3.0" → GB/T 28181-2022, "2.0" → 2016 (the X-GB-ver values). */
export function gbVersionLabel(v: string): string {
  const year = v.startsWith('3') ? '2022' : v.startsWith('2') ? '2016' : v.startsWith('1') ? '2011' : '';
  return year ? `GB/T 28181-${year}（${v}）` : v;
}

export interface ChannelNode extends RemoteChannel {
  key: string;
  children?: ChannelNode[];
}

/**
 * The remote catalog as a tree by ParentID: items whose parent is not in the catalog (the lower's
 * own id, or unknown) are roots. Groups first, then channels, each by name; cycles are cut.
 */
export function channelTree(channels: RemoteChannel[]): ChannelNode[] {
  const nodes = new Map<string, ChannelNode>(channels.map((c) => [c.deviceId, { ...c, key: c.deviceId }]));
  const roots: ChannelNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId !== null && n.parentId !== n.deviceId ? nodes.get(n.parentId) : undefined;
    if (parent && !isAncestor(n, parent, nodes)) (parent.children ??= []).push(n);
    else roots.push(n);
  }
  const order = (a: ChannelNode, b: ChannelNode) => Number(a.kind === 'channel') - Number(b.kind === 'channel') || a.name.localeCompare(b.name, 'zh-CN') || a.deviceId.localeCompare(b.deviceId);
  const sort = (list: ChannelNode[]) => {
    list.sort(order);
    for (const n of list) if (n.children) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** True when `node` is already above `parent` (a ParentID loop sent by a lower). */
function isAncestor(node: ChannelNode, parent: ChannelNode, nodes: Map<string, ChannelNode>): boolean {
  const seen = new Set<string>();
  for (let p: ChannelNode | undefined = parent; p && !seen.has(p.deviceId); p = p.parentId ? nodes.get(p.parentId) : undefined) {
    if (p.deviceId === node.deviceId) return true;
    seen.add(p.deviceId);
  }
  return false;
}

/** Keys of tree nodes that have children (to expand everything at once). */
export function groupKeys(tree: ChannelNode[]): string[] {
  const out: string[] = [];
  const walk = (list: ChannelNode[]) => {
    for (const n of list) {
      if (n.children?.length) {
        out.push(n.key);
        walk(n.children);
      }
    }
  };
  walk(tree);
  return out;
}

type InfoLang = 'zh' | 'en';
/** Codes of GB/T 28181-2016/2022 A.2.4.4 (<Info>) an operator reads, per language. */
const INFO_CODES: Record<string, Record<string, [zh: string, en: string]>> = {
  PTZType: { 1: ['球机', 'dome (PTZ)'], 2: ['半球', 'half dome'], 3: ['固定枪机', 'fixed bullet'], 4: ['遥控枪机', 'remote bullet'], 5: ['遥控半球', 'remote half dome'], 6: ['多目全景', 'multi-lens panorama'], 7: ['多目分割', 'multi-lens split'] },
  RoomType: { 1: ['室外', 'outdoor'], 2: ['室内', 'indoor'] },
  Resolution: { 1: ['QCIF', 'QCIF'], 2: ['CIF', 'CIF'], 3: ['4CIF', '4CIF'], 4: ['D1', 'D1'], 5: ['720P', '720P'], 6: ['1080P', '1080P'] },
  PointType: { 1: ['一类点位', 'class 1 point'], 2: ['二类点位', 'class 2 point'], 3: ['三类点位', 'class 3 point'], 9: ['其他点位', 'other point'] },
  SupplyLightType: { 1: ['无补光', 'no fill light'], 2: ['红外补光', 'infrared light'], 3: ['白光补光', 'white light'], 4: ['激光补光', 'laser light'], 9: ['其他补光', 'other light'] },
};
const INFO_NAMES: Record<string, [zh: string, en: string]> = {
  PTZType: ['摄像机类型', 'Camera type'], RoomType: ['安装位置', 'Placement'], Resolution: ['分辨率', 'Resolution'], SupplyLightType: ['补光', 'Fill light'],
  DirectionType: ['监视方位', 'Direction'], DownloadSpeed: ['下载倍速', 'Download speeds'], StreamNumberList: ['码流', 'Streams'], PointType: ['点位类型', 'Point type'],
  ManagementUnit: ['管理单位', 'Managed by'], GrassrootsCode: ['基层组织编码', 'Grassroots code'], BusinessGroupID: ['业务分组', 'Business group'], PositionType: ['位置类型', 'Position type'], UseType: ['用途', 'Use'],
};

function infoValue(key: string, value: string, lang: InfoLang): string {
  const codes = INFO_CODES[key];
  if (!codes) return value;
  return value.split('/').map((v) => codes[v]?.[lang === 'zh' ? 0 : 1] ?? v).join(' / ');
}

/** A remote camera's catalog <Info> in a few words (type · placement · resolution), '' when it sent none of them. */
export function infoSummary(info: Record<string, string> | null | undefined, lang: InfoLang = 'zh'): string {
  if (!info) return '';
  return ['PTZType', 'RoomType', 'Resolution'].filter((k) => info[k]).map((k) => infoValue(k, info[k], lang)).join(' · ');
}

/** Every <Info> field the lower sent, named and read where the standard gives codes, for a tooltip. */
export function infoLines(info: Record<string, string> | null | undefined, lang: InfoLang = 'zh'): string[] {
  if (!info) return [];
  return Object.entries(info).map(([k, v]) => `${INFO_NAMES[k]?.[lang === 'zh' ? 0 : 1] ?? k}: ${infoValue(k, v, lang)}`);
}
