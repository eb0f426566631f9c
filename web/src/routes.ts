// Page registry and per-role visibility (mirrors the server's GRANTS in src/auth/roles.ts:
// org.read / user.read / audit.read). Future pages (wall, playback, exams, ledger) get added here.
import type { Role } from './types.ts';

export type PageKey = 'wall' | 'org' | 'users' | 'audit' | 'exams' | 'readiness' | 'playback' | 'cascade' | 'alarms' | 'ledger' | 'duty' | 'storage';

const access: Record<PageKey, readonly Role[]> = {
  org: ['admin', 'operator', 'leader'],
  users: ['admin', 'leader'],
  audit: ['admin', 'leader', 'inspector'],
  wall: ['admin', 'operator', 'leader'], // video.live; last so that the landing page stays the same
  exams: ['admin', 'operator', 'leader', 'inspector'], // exam.read; the inspector report.read (完整性报告 only)
  readiness: ['admin', 'operator', 'leader'], // exam.read (考前检测); writes exam.write, signatures readiness.sign
  playback: ['admin', 'operator', 'leader'], // video.playback
  alarms: ['admin', 'operator', 'leader'], // exam.read (报警记录)
  ledger: ['admin', 'operator', 'leader'], // org.read (设备台账); writes org.write / fault.handle (admin)
  duty: ['admin', 'operator', 'leader', 'inspector'], // org.read (值班: status, roster), exam.read (patrol log); the inspector audit.read (巡查日志 only)
  storage: ['admin'], // recording.manage (证据保全, 备份, 保存策略, 录像计划) and exam.write (考点时段默认值)
  cascade: ['admin', 'operator', 'leader'], // org.read (src/cascade/service.ts); writes need org.write (admin)
};

export function allowedPages(role: Role): PageKey[] {
  return (Object.keys(access) as PageKey[]).filter((k) => access[k].includes(role));
}
export function defaultPage(role: Role): PageKey {
  return allowedPages(role)[0] ?? 'org';
}

/** Write permissions (org.write / user.write / device.secret.reveal are admin-only). */
export const canWrite = (role: Role): boolean => role === 'admin';
