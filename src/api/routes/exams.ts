// Exam API: exams, sessions, participation, windows, 已封门, custody events, site defaults,
// alarms, timetable import and the completeness report (JSON, .xlsx, .pdf). Thin: parse, call a
// service; scope, permissions and audit live in the services.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../context.ts';
import { AppError } from '../../util/errors.ts';
import type { ExamModule } from '../../exams/index.ts';
import { renderReport } from '../../exams/report-render.ts';
import { moduleUrl, runInWorker } from '../../util/worker-run.ts';
import {
  ackBody,
  alarmQuery,
  alarmSchema,
  createExamBody,
  custodyBody,
  editWindowBody,
  examSchema,
  idParam,
  importBody,
  reportQuery,
  reportSchema,
  sessionBody,
  sessionRoomParam,
  sessionSchema,
  settingsBody,
  siteParam,
  sitesBody,
  updateExamBody,
  updateSessionBody,
  windowSchema,
  windowsQuery,
} from '../../exams/schemas.ts';

const ALARMS_XLSX_URL = moduleUrl('../../exams/alarms-xlsx.ts', import.meta.url);

const ok = z.object({ ok: z.boolean() });

function alarmFilter(q: { open?: 'true' | 'false'; acked?: 'true' | 'false'; sessionId?: number; kind?: 'recording_gap' | 'camera_not_ready' | 'ptz_refused'; fromMs?: number; toMs?: number; siteId?: number; limit: number; offset: number }) {
  const bool = (v?: 'true' | 'false') => (v === undefined ? undefined : v === 'true');
  return { ...q, open: bool(q.open), acked: bool(q.acked) };
}
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function examRoutes(m: ExamModule) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['exams'];
    s.get('/api/exams', { schema: { tags, summary: '考试列表 Exams in scope', response: { 200: z.object({ exams: z.array(examSchema) }) } } }, async (req) => ({ exams: await m.exams.list(actorOf(req)) }));
    s.post('/api/exams', { schema: { tags, summary: '新建考试 Create exam', body: createExamBody, response: { 200: examSchema } } }, (req) => m.exams.create(actorOf(req), req.body));
    s.get('/api/exams/:id', { schema: { tags, summary: '考试详情 Exam', params: idParam, response: { 200: examSchema } } }, (req) => m.exams.get(actorOf(req), req.params.id));
    s.patch('/api/exams/:id', { schema: { tags, summary: '修改考试 Update exam', params: idParam, body: updateExamBody, response: { 200: examSchema } } }, (req) => m.exams.update(actorOf(req), req.params.id, req.body));
    s.delete('/api/exams/:id', { schema: { tags, summary: '删除考试（未开始） Delete exam not yet begun', params: idParam, response: { 200: ok } } }, async (req) => {
      await m.exams.delete(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.put('/api/exams/:id/sites', { schema: { tags, summary: '参考考点及考场 Participating sites/rooms', params: idParam, body: sitesBody, response: { 200: examSchema } } }, (req) => m.exams.setSites(actorOf(req), req.params.id, req.body.sites, req.body.confirm === true));
    s.post('/api/exams/:id/recompute', { schema: { tags, summary: '重新计算录像时段并布防 Recompute windows and arm', params: idParam, response: { 200: z.object({ windows: z.number(), schedules: z.number() }) } } }, (req) =>
      m.exams.recompute(actorOf(req), req.params.id),
    );

    s.post('/api/exams/:id/sessions', { schema: { tags, summary: '新建场次 Create session', params: idParam, body: sessionBody, response: { 200: sessionSchema } } }, async (req) => (await m.exams.createSessions(actorOf(req), req.params.id, [req.body]))[0]);
    s.patch('/api/exam-sessions/:id', { schema: { tags, summary: '修改场次 Update session', params: idParam, body: updateSessionBody, response: { 200: sessionSchema } } }, (req) => m.exams.updateSession(actorOf(req), req.params.id, req.body));
    s.delete('/api/exam-sessions/:id', { schema: { tags, summary: '删除场次（未开始） Delete session not yet begun', params: idParam, response: { 200: ok } } }, async (req) => {
      await m.exams.deleteSession(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.get('/api/exams/:id/timetable/template.xlsx', { schema: { tags, summary: '考试日程导入模板 Timetable import template (.xlsx) with this exam\'s name', params: idParam } }, async (req, reply) => {
      const data = await m.timetable.template(actorOf(req), req.params.id);
      return reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="exam-${req.params.id}-timetable-template.xlsx"; filename*=UTF-8''${encodeURIComponent('考试日程导入模板.xlsx')}`).send(data);
    });
    s.post('/api/exams/:id/timetable', { bodyLimit: 4 * 1024 * 1024, schema: { tags, summary: '导入考试日程 Import timetable (CSV/Excel, all or nothing)', params: idParam, body: importBody, response: { 200: z.object({ sessions: z.array(sessionSchema) }) } } }, async (req) => {
      const data = Buffer.from(req.body.dataBase64, 'base64');
      if (data.length === 0) throw new AppError('invalid_input', '文件为空 (empty file)');
      return { sessions: await m.timetable.import(actorOf(req), req.params.id, req.body.format, data) };
    });

    s.get('/api/exams/:id/windows', { schema: { tags, summary: '录像时段 Required windows', params: idParam, querystring: windowsQuery, response: { 200: z.object({ windows: z.array(windowSchema) }) } } }, async (req) => ({
      windows: await m.windows.list(actorOf(req), { examId: req.params.id, ...req.query }),
    }));
    s.patch('/api/room-windows/:id', { schema: { tags, summary: '调整录像时段（审计） Edit window (audited)', params: idParam, body: editWindowBody, response: { 200: windowSchema } } }, (req) => m.windows.edit(actorOf(req), req.params.id, req.body));
    s.post('/api/exam-sessions/:id/rooms/:roomId/seal', { schema: { tags, summary: '已封门 Room sealed', params: sessionRoomParam, response: { 200: windowSchema } } }, (req) => m.windows.markSealed(actorOf(req), req.params.id, req.params.roomId));
    s.post('/api/exam-sessions/:id/rooms/:roomId/custody', { schema: { tags, summary: '试卷到达/离开 Papers arrived/left', params: sessionRoomParam, body: custodyBody, response: { 200: windowSchema } } }, (req) =>
      m.windows.custodyEvent(actorOf(req), req.params.id, req.params.roomId, req.body.event),
    );
    s.get('/api/exam-settings/:siteId', { schema: { tags, summary: '考点录像时段默认值 Site window defaults', params: siteParam, response: { 200: settingsBody } } }, (req) => m.windows.getSettings(actorOf(req), req.params.siteId));
    s.put('/api/exam-settings/:siteId', { schema: { tags, summary: '修改考点默认值 Set site window defaults', params: siteParam, body: settingsBody, response: { 200: settingsBody } } }, (req) => m.windows.putSettings(actorOf(req), req.params.siteId, req.body));

    s.get('/api/alarms', { schema: { tags, summary: '报警 Alarms in scope', querystring: alarmQuery, response: { 200: z.object({ alarms: z.array(alarmSchema) }) } } }, async (req) => ({
      alarms: await m.alarmService.list(actorOf(req), alarmFilter(req.query)),
    }));
    s.get('/api/alarms.xlsx', { schema: { tags, summary: '报警记录 Excel Alarm history as .xlsx (audited)', querystring: alarmQuery } }, async (req, reply) => {
      const actor = actorOf(req);
      const rows = await m.alarmService.forExport(actor, { ...alarmFilter(req.query), limit: 5000 });
      // Written in a worker thread, bounded like report files (issue 13 item 9).
      const data = await m.reportLimiter.run(String(actor.userId), () => runInWorker<Buffer>(ALARMS_XLSX_URL, 'alarmsXlsx', rows));
      return reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="alarms.xlsx"').send(data);
    });
    s.post('/api/alarms/:id/ack', { schema: { tags, summary: '确认报警（处置意见） Acknowledge alarm with a disposition', params: idParam, body: ackBody, response: { 200: alarmSchema } } }, (req) =>
      m.alarmService.acknowledge(actorOf(req), req.params.id, req.body?.disposition));

    s.get('/api/exams/:id/report', { schema: { tags, summary: '录像完整性报告 Completeness report', params: idParam, querystring: reportQuery, response: { 200: reportSchema } } }, (req) => m.reports.build(actorOf(req), req.params.id, req.query.sessionId));
    s.get('/api/exams/:id/report.xlsx', { schema: { tags, summary: '报告 Excel Report as .xlsx (audited)', params: idParam, querystring: reportQuery } }, async (req, reply) => {
      const actor = actorOf(req);
      // Off the event loop, bounded per user and in total (issue 13 item 9): 429 over the bounds.
      const file = await m.reportLimiter.run(String(actor.userId), async () => renderReport('xlsx', await m.reports.forExport(actor, req.params.id, req.query.sessionId, 'xlsx')));
      return reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="exam-${req.params.id}-report.xlsx"`).send(file);
    });
    s.get('/api/exams/:id/report.pdf', { schema: { tags, summary: '报告 PDF Report as printable .pdf (audited)', params: idParam, querystring: reportQuery } }, async (req, reply) => {
      const actor = actorOf(req);
      const file = await m.reportLimiter.run(String(actor.userId), async () => renderReport('pdf', await m.reports.forExport(actor, req.params.id, req.query.sessionId, 'pdf'), m.font));
      // inline: 打印PDF opens it in the browser's viewer (as attachment the new tab stayed blank, issue 14 item 18).
      return reply.type('application/pdf').header('content-disposition', `inline; filename="exam-${req.params.id}-report.pdf"`).send(file);
    });
  };
}
