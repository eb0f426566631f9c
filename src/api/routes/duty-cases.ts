// Duty roster (R-DIS-1), patrol log and notes, incidents and their handling at the upper (R-FN-2)
// (issue 18, docs/design/duty.md). Thin: parse, call the services (scope, permissions, audit).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { incidentsOf, reviewsOf } from '../../duty/index.ts';
import { PatrolService } from '../../duty/patrol-service.ts';
import { buildDutyRecord } from '../../duty/record-data.ts';
import { renderDutyRecord } from '../../duty/record-render.ts';
import { RosterService } from '../../duty/roster-service.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

const ms = z.coerce.number().int().min(0);
const roster = z.object({ id: z.number(), roomId: z.number(), sessionId: z.number().nullable(), userId: z.number(), name: z.string(), dutyRole: z.enum(['leader', 'watcher', 'tech']), dutyRoleLabel: z.string(), fromMs: z.number(), toMs: z.number(), createdBy: z.string() });
const incident = z.object({ id: z.number(), siteName: z.string(), cameraIds: z.array(z.number()), fromMs: z.number(), toMs: z.number(), category: z.enum(['cheating', 'device', 'emergency']), categoryLabel: z.string(), description: z.string(), reportedBy: z.string(), holdIds: z.array(z.number()), createdAtMs: z.number() });
const step = z.object({ state: z.enum(['received', 'confirmed', 'closed']), note: z.string().nullable(), by: z.string(), atMs: z.number() });
const received = z.object({ originCode: z.string(), key: z.string(), incident: z.unknown(), receivedAtMs: z.number(), state: z.enum(['new', 'received', 'confirmed', 'closed']), steps: z.array(step) });
const note = z.object({ id: z.number(), username: z.string(), cameraId: z.number().nullable(), roomId: z.number().nullable(), text: z.string(), atMs: z.number() });

export function dutyCaseRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['duty'];
    const rosters = new RosterService(app);
    const patrol = new PatrolService(app);
    const incidents = incidentsOf(app);

    s.get('/api/duty/roster', { schema: { tags, summary: '值班表 Duty roster in scope', querystring: z.object({ roomId: z.coerce.number().int().positive().optional(), atMs: ms.optional() }).strict(), response: { 200: z.object({ roster: z.array(roster) }) } } }, async (req) => ({ roster: await rosters.list(actorOf(req), req.query) }));
    s.post(
      '/api/duty/roster',
      { schema: { tags, summary: '排班 Put a person on the roster of a monitoring room (admin; audited)', body: z.object({ roomId: z.number().int().positive(), userId: z.number().int().positive(), dutyRole: z.enum(['leader', 'watcher', 'tech']), fromMs: z.number().int(), toMs: z.number().int(), sessionId: z.number().int().positive().nullish() }).strict(), response: { 200: roster } } },
      (req) => rosters.add(actorOf(req), req.body),
    );
    s.delete('/api/duty/roster/:id', { schema: { tags, summary: '取消排班 Remove a roster entry (admin; audited)', params: idParam, response: { 200: z.object({ ok: z.boolean() }) } } }, async (req) => {
      await rosters.remove(actorOf(req), req.params.id);
      return { ok: true };
    });

    s.get(
      '/api/duty/patrol-log',
      { schema: { tags, summary: '巡查记录 Who watched which rooms, when and how long; notes', querystring: z.object({ fromMs: ms, toMs: ms, username: z.string().max(64).optional() }).strict(), response: { 200: z.object({ viewings: z.array(z.object({ username: z.string(), cameraId: z.number(), cameraName: z.string(), roomId: z.number().nullable(), roomName: z.string().nullable(), startedAtMs: z.number(), durationMs: z.number() })), totals: z.array(z.object({ username: z.string(), roomName: z.string().nullable(), viewings: z.number(), durationMs: z.number() })), notes: z.array(note) }) } } },
      (req) => patrol.log(actorOf(req), req.query),
    );
    s.post('/api/duty/patrol-notes', { schema: { tags, summary: '巡查备注 A note written while watching a camera (audited)', body: z.object({ cameraId: z.number().int().positive(), text: z.string().trim().min(1).max(2000) }).strict(), response: { 200: note } } }, (req) => patrol.addNote(actorOf(req), req.body.cameraId, req.body.text));

    s.get('/api/duty/incidents', { schema: { tags, summary: '事件 Incidents marked here (in scope)', response: { 200: z.object({ incidents: z.array(incident) }) } } }, async (req) => ({ incidents: await incidents.list(actorOf(req)) }));
    s.post(
      '/api/duty/incidents',
      { schema: { tags, summary: '标记事件 Mark an incident: evidence hold on the footage, sent to every level above (audited)', body: z.object({ cameraIds: z.array(z.number().int().positive()).min(1).max(16), fromMs: z.number().int(), toMs: z.number().int(), category: z.enum(['cheating', 'device', 'emergency']), description: z.string().trim().min(2).max(2000) }).strict(), response: { 200: incident } } },
      (req) => incidents.create(actorOf(req), req.body),
    );
    s.post(
      '/api/duty/incidents/mark',
      { schema: { tags, summary: '在实时画面或回放位置标记事件 Mark an incident on a live tile (now) or at a playback position: the footage ±5 min held, sent upward (audited)', body: z.object({ cameraIds: z.array(z.number().int().positive()).min(1).max(16), source: z.enum(['live', 'playback']), atMs: z.number().int().optional(), category: z.enum(['cheating', 'device', 'emergency']), description: z.string().trim().min(2).max(2000) }).strict(), response: { 200: incident.extend({ evidence: z.object({ source: z.enum(['live', 'playback']), atMs: z.number(), holdIds: z.array(z.number()), playbackLink: z.string() }) }) } } },
      (req) => incidents.mark(actorOf(req), req.body),
    );
    const reviewTask = z.object({ id: z.number(), roomId: z.number(), roomName: z.string(), periodFromMs: z.number(), periodToMs: z.number(), dueAtMs: z.number(), state: z.enum(['running', 'due', 'overdue', 'signed']), signedBy: z.string().nullable(), signedAtMs: z.number().nullable(), note: z.string().nullable() });
    s.get(
      '/api/duty/reviews',
      { schema: { tags, summary: '保密室录像回看任务 Custody review tasks (every 6 h of a custody window) overlapping [fromMs, toMs)', querystring: z.object({ fromMs: z.coerce.number().int(), toMs: z.coerce.number().int() }), response: { 200: z.object({ tasks: z.array(reviewTask) }) } } },
      async (req) => ({ tasks: await reviewsOf(app).list(actorOf(req), req.query.fromMs, req.query.toMs) }),
    );
    s.post(
      '/api/duty/reviews/:id/sign',
      { schema: { tags, summary: '签署回看 Sign that the period\'s custody footage was replayed (the logged-in person; once; audited)', params: idParam, body: z.object({ note: z.string().trim().min(2).max(2000) }).strict(), response: { 200: reviewTask } } },
      (req) => reviewsOf(app).sign(actorOf(req), req.params.id, req.body.note),
    );
    s.get('/api/duty/incidents/received', { schema: { tags, summary: '收到的事件 Incidents received from below with their handling here', response: { 200: z.object({ incidents: z.array(received) }) } } }, async (req) => ({ incidents: await incidents.received(actorOf(req)) }));
    s.post(
      '/api/duty/incidents/received/:originCode/:key/handling',
      { schema: { tags, summary: '处理事件 received → confirmed → closed (closing needs a note; audited)', params: z.object({ originCode: z.string().regex(/^[\w.-]{1,40}$/), key: z.string().max(64) }), body: z.object({ state: z.enum(['received', 'confirmed', 'closed']), note: z.string().trim().max(2000).optional() }).strict(), response: { 200: received } } },
      (req) => incidents.handle(actorOf(req), req.params.originCode, req.params.key, req.body.state, req.body.note ?? null),
    );
    // 值班记录 (R-DIS-1): the day's roster, check-ins, patrol log and incidents; JSON and printable PDF.
    const day = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).strict();
    s.get('/api/duty/record', { schema: { tags, summary: '值班记录 The day\'s duty record (Beijing day; today by default)', querystring: day } }, (req) => buildDutyRecord(app, actorOf(req), req.query.date));
    s.get('/api/duty/record.pdf', { schema: { tags, summary: '值班记录 PDF Printable duty record of a Beijing day (audited)', querystring: day } }, async (req, reply) => {
      const actor = actorOf(req);
      const record = await buildDutyRecord(app, actor, req.query.date);
      await app.audit.record(actor, { action: 'duty.record.export', objectType: 'duty_record', objectId: record.date, scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { format: 'pdf', rooms: record.rooms.length, incidents: record.incidents.length } });
      // Off the event loop, bounded per user and in total like the exam reports (429 over the bounds).
      const file = await app.exams.reportLimiter.run(String(actor.userId), () => renderDutyRecord(record, app.exams.font));
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="duty-record-${record.date}.pdf"`).send(file);
    });
  };
}
