// Retention (forecast, settings, alarms, evidence holds) and backups (docs/design/retention.md).
// The composition root registers retentionRoutes(app, module) next to createRetentionModule(app).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { RetentionModule } from '../../retention/index.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

const holdBody = z.object({ cameraId: z.number().int().positive(), fromMs: z.number().int(), toMs: z.number().int(), reason: z.string().trim().min(1).max(500) }).strict();
const releaseBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
const settingsBody = z
  .object({ defaultDays: z.number().int().min(1).max(3650).optional(), minFreePercent: z.number().min(0).max(90).optional(), minFreeBytes: z.number().int().min(0).optional() })
  .strict();
const backupBody = z
  .object({
    examId: z.number().int().positive().optional(),
    sessionId: z.number().int().positive().optional(),
    cameraIds: z.array(z.number().int().positive()).min(1).max(500).optional(),
    fromMs: z.number().int(),
    toMs: z.number().int(),
  })
  .strict();

export function retentionRoutes(_app: App, m: RetentionModule) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['retention'];
    s.get('/api/retention/forecast', { schema: { tags, summary: '存储容量预测 Capacity forecast and locked data' } }, async (req) => m.forecast(actorOf(req)));
    s.get('/api/retention/settings', { schema: { tags, summary: '保存策略 Retention settings' } }, async (req) => m.settings(actorOf(req)));
    s.put('/api/retention/settings', { schema: { tags, summary: '修改保存策略 Change retention settings (audited)', body: settingsBody } }, async (req) => m.saveSettings(actorOf(req), req.body));
    s.get('/api/retention/alarms', { schema: { tags, summary: '磁盘空间告警 Disk pressure alarms' } }, async (req) => ({ alarms: await m.alarmList(actorOf(req)) }));
    s.get('/api/retention/alarms/open', { schema: { tags, summary: '未恢复的磁盘告警 Open disk alarms (alarm banner)' } }, async (req) => ({ alarms: await m.openAlarmList(actorOf(req)) }));
    s.post('/api/retention/run', { schema: { tags, summary: '立即执行录像清理 Run the retention job now' } }, async (req) => m.runNow(actorOf(req)));

    s.get('/api/evidence-holds', { schema: { tags, summary: '证据保全列表 Evidence holds', querystring: z.object({ all: z.enum(['0', '1']).optional() }).strict() } }, async (req) => ({ holds: await m.holds.list(actorOf(req), req.query.all !== '1') }));
    s.post('/api/evidence-holds', { schema: { tags, summary: '证据保全 Hold recordings as evidence (R-FN-2)', body: holdBody } }, async (req) => m.holds.create(actorOf(req), req.body));
    s.post('/api/evidence-holds/:id/release', { schema: { tags, summary: '解除证据保全 Release a hold (administrators, audited)', params: idParam, body: releaseBody } }, async (req) => m.holds.release(actorOf(req), req.params.id, req.body.reason));

    const btags = ['backup'];
    s.get('/api/backups', { schema: { tags: btags, summary: '备份列表 Backups' } }, async (req) => ({ backups: await m.backups.list(actorOf(req)) }));
    s.post('/api/backups', { schema: { tags: btags, summary: '备份录像 Back up required-window recordings (R-RET-2)', body: backupBody } }, async (req) => m.backups.create(actorOf(req), req.body));
    s.get('/api/backups/:id', { schema: { tags: btags, summary: '备份进度 Backup progress', params: idParam } }, async (req) => m.backups.get(actorOf(req), req.params.id));
    s.get('/api/backups/:id/report', { schema: { tags: btags, summary: '备份报告 Backup report (files, sizes, SHA-256, verified)', params: idParam } }, async (req) => m.backups.report(actorOf(req), req.params.id));
    s.post('/api/backups/:id/verify', { schema: { tags: btags, summary: '校验备份 Verify every backup copy (SHA-256)', params: idParam } }, async (req) => m.verifyBackup(actorOf(req), req.params.id));
  };
}
