// Friendly labels for the server's audit action / object codes (src/**: `audit.append(..., { action })`).
// Unknown codes fall back to a verb+object guess, else the raw code (always available as a tooltip).
import type { Lang } from '../../i18n.ts';

const ACTIONS: Record<string, [string, string]> = {
  'auth.login': ['登录', 'Sign in'], 'auth.logout': ['退出登录', 'Sign out'], 'auth.totp.enable': ['启用双因素认证', 'Enable 2FA'],
  'org.create': ['新增机构', 'Create org node'], 'org.update': ['修改机构', 'Update org node'], 'org.delete': ['删除机构', 'Delete org node'],
  'org.import': ['导入组织机构', 'Import organisation'], 'org.export': ['导出组织机构', 'Export organisation'],
  'room.create': ['新增房间', 'Create room'], 'room.update': ['修改房间', 'Update room'], 'room.delete': ['删除房间', 'Delete room'],
  'camera.create': ['新增摄像机', 'Create camera'], 'camera.update': ['修改摄像机', 'Update camera'], 'camera.delete': ['删除摄像机', 'Delete camera'],
  'camera.reveal': ['查看摄像机网络配置', 'Reveal camera config'],
  'user.create': ['新建用户', 'Create user'], 'user.update': ['修改用户', 'Update user'], 'user.password': ['修改密码', 'Change password'],
  'tour.create': ['新建轮巡方案', 'Create patrol tour'], 'tour.update': ['修改轮巡方案', 'Update patrol tour'], 'tour.delete': ['删除轮巡方案', 'Delete patrol tour'],
  'tour.play': ['播放轮巡方案', 'Run patrol tour'], 'tour.list': ['查看轮巡方案', 'List patrol tours'], 'tour.read': ['查看轮巡方案', 'View patrol tour'],
  'audit.read': ['查询审计日志', 'Read audit log'], 'audit.export': ['导出审计日志', 'Export audit log'], 'audit.verify': ['校验哈希链', 'Verify hash chain'],
};
const VERBS: Record<string, [string, string]> = {
  create: ['新增', 'Create'], update: ['修改', 'Update'], delete: ['删除', 'Delete'], import: ['导入', 'Import'], export: ['导出', 'Export'],
  read: ['查看', 'View'], reveal: ['查看', 'Reveal'],
};
const OBJECTS: Record<string, [string, string]> = {
  org: ['机构', 'Org node'], org_node: ['机构', 'Org node'], room: ['房间', 'Room'], camera: ['摄像机', 'Camera'], user: ['用户', 'User'],
  audit: ['审计日志', 'Audit log'], exam: ['考试', 'Exam'], recording: ['录像', 'Recording'], tour: ['轮巡方案', 'Patrol tour'],
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
