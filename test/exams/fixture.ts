// An exam day on the sample organisation: cameras in 第01考场 (2), 第04考场(机房) (1), 考务室 (1),
// 试卷保密室 (1); 第02/03考场 have none. A 2026 gaokao owned by the province with one session
// 语文 09:00–11:30 Beijing on 2026-06-07 (the test clock starts at 08:00 Beijing that day).
import type { Actor } from '../../src/auth/actor.ts';
import type { Timer } from '../../src/exams/alarm-monitor.ts';
import { createExamModule } from '../../src/exams/index.ts';
import type { ExamModule } from '../../src/exams/index.ts';
import type { Role } from '../../src/store/schema.ts';
import { parseBeijing } from '../../src/util/beijing-time.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

export const PASSWORD = 'Exam-Fixture-Pw1';
export const bj = (text: string): number => parseBeijing(text)!;

export class FakeTimer implements Timer {
  fns: Array<() => void> = [];
  setInterval(fn: () => void): unknown {
    this.fns.push(fn);
    return this.fns.length - 1;
  }
  clearInterval(): void {
    this.fns = [];
  }
  fire(): void {
    for (const f of this.fns) f();
  }
}

export interface ExamDay {
  t: TestApp;
  m: ExamModule;
  timer: FakeTimer;
  admin: Actor;
  siteId: number;
  districtId: number;
  rooms: Record<string, number>;
  cameras: Record<string, number>;
  examId: number;
  sessionId: number;
  user(role: Role, nodeName: string): Promise<Actor>;
}

/**
 * Closes the app, lets pg finish ending its idle clients, then drops the database. (TestApp.close
 * drops at once: `drop database … with (force)` can then kill a client that is still ending, an
 * unhandled 57P01 error that fails the run; seen in test/store suites too.)
 */
export async function closeDay(d: ExamDay): Promise<void> {
  await d.m.stop();
  await d.t.app.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await d.t.db.drop();
}

export async function examDay(dialect: Dialect): Promise<ExamDay> {
  const t = await createTestApp(dialect);
  const timer = new FakeTimer();
  const m = createExamModule({ store: t.app.store, audit: t.app.audit, clock: t.clock, events: t.app.events, timer });
  const admin = await t.actor('admin');
  const tree = await t.app.org.tree(admin);
  const site = tree.find((n) => n.name === '南京市第一中学考点')!;
  const rooms = Object.fromEntries((site.rooms ?? []).map((r) => [r.name, r.id]));
  const cameras: Record<string, number> = {};
  const cam = async (key: string, room: string, name: string) => {
    cameras[key] = (await t.app.devices.createCamera(admin, { roomId: rooms[room], name, position: 'front', sourceKind: 'rtsp', mainStream: '/101', subStream: '/102' })).id;
  };
  await cam('r1front', '第01考场', '前置');
  await cam('r1rear', '第01考场', '后置');
  await cam('lab', '第04考场(机房)', '前置');
  await cam('affairs', '考务室', '全景');
  await cam('secrecy', '试卷保密室', '全景');
  const exam = await m.exams.create(admin, { name: '2026年普通高考', kind: 'gaokao' });
  await m.exams.setSites(admin, exam.id, [{ siteId: site.id }]);
  const [session] = await m.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: bj('2026-06-07 09:00'), endMs: bj('2026-06-07 11:30') }]);
  let n = 0;
  return {
    t,
    m,
    timer,
    admin,
    siteId: site.id,
    districtId: site.parentId!,
    rooms,
    cameras,
    examId: exam.id,
    sessionId: session.id,
    async user(role, nodeName) {
      const node = (await t.app.org.tree(admin)).find((x) => x.name === nodeName)!;
      const username = `${role}_${++n}_${node.id}`;
      await t.app.users.create(admin, { username, displayName: username, role, orgNodeId: node.id, password: PASSWORD });
      return t.actor(username);
    },
  };
}
