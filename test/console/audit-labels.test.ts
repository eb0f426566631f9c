// The audit log page names every action the server records in Chinese, shows *Ms values as Beijing
// time and detail keys in Chinese (issue 14 item 17; R-ACC-1). The action codes are read from the
// server's sources, so a new action without a label fails here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCsv } from '../../src/audit/audit-views.ts';
import type { AuditRow } from '../../src/store/repos/audit-repo.ts';
import { actionLabel, detailKey, detailValue } from '../../web/src/pages/audit/auditLabels.ts';
import { formatBeijing } from '../../web/src/time.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('audit labels (issue 14 item 17)', () => {
  it('every dotted action code recorded by the server has a Chinese name', () => {
    const codes = new Set<string>();
    for (const f of files(path.join(import.meta.dirname, '../../src'))) for (const m of readFileSync(f, 'utf8').matchAll(/action(?::| =) '([a-z_]+\.[a-z_.]+)'/g)) codes.add(m[1]);
    expect(codes.size).toBeGreaterThan(40);
    const missing = [...codes].filter((c) => actionLabel(c, 'zh') === c || !/[\u4e00-\u9fff]/.test(actionLabel(c, 'zh')));
    expect(missing).toEqual([]);
    expect(actionLabel('video.live.start', 'zh')).toBe('开始观看实时视频');
    expect(actionLabel('alarm.ack', 'zh')).toBe('确认报警并处置');
  });

  it('every detail key the server writes has a Chinese name; lengths of time, sizes, nested changes and refusal reasons read as words, not codes or JSON', () => {
    const keys = new Set<string>();
    for (const f of files(path.join(import.meta.dirname, '../../src'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/detail(?::| =) \{([^}]*)\}/g)) {
        for (const k of m[1].matchAll(/(?:^|[{,]\s*)([a-zA-Z]+)(?=\s*[:,}]|\s*$)/g)) keys.add(k[1]);
      }
    }
    expect(keys.size).toBeGreaterThan(100);
    expect([...keys].filter((k) => !/[\u4e00-\u9fff]/.test(detailKey(k, 'zh')) && k !== 'ip' && k !== 'sha256')).toEqual([]);
    // video.live.end: { durationMs, stream, transport } — seen raw on the audit page.
    expect(`${detailKey('durationMs', 'zh')}: ${detailValue('durationMs', 71_872, formatBeijing)}`).toBe('时长: 1分12秒');
    expect(detailValue('durationMs', 4_200, formatBeijing)).toBe('4.2秒');
    expect(detailValue('stream', 'sub', formatBeijing)).toBe('子码流');
    expect([detailValue('kind', 'secrecy', formatBeijing), detailValue('kind', 'proficiency', formatBeijing), detailKey('schedules', 'zh')]).toEqual(['试卷保密室', '学业水平考试', '录像计划数']);
    expect(detailValue('freeBytes', 5 * 1024 ** 3, formatBeijing)).toBe('5.0 GB');
    expect(detailValue('before', { name: '第01考场', seats: 30, startMs: Date.UTC(2026, 5, 7, 1, 0, 0) }, formatBeijing)).toBe('（名称: 第01考场，座位数: 30，开始: 2026-06-07 09:00:00）');
    expect(detailValue('problems', [{ relPath: 'a/b.mp4', problem: 'missing' }], formatBeijing)).not.toContain('{');
    expect(detailValue('reason', 'not found in scope', formatBeijing)).toBe('不在管辖范围内');
    expect(detailValue('reason', 'role operator', formatBeijing)).toBe('角色无此权限（巡查员）');
    expect(detailValue('error', null, formatBeijing)).toBe('—');
  });

  it('epoch milliseconds are shown as Beijing time, keys in Chinese', () => {
    expect(detailKey('fromMs', 'zh')).toBe('开始');
    expect(detailValue('fromMs', Date.UTC(2026, 5, 7, 1, 0, 0), formatBeijing)).toBe('2026-06-07 09:00:00');
    expect(detailValue('count', 3, formatBeijing)).toBe('3');
    expect(detailValue('cameras', ['第01考场前', '第01考场后'], formatBeijing)).toBe('第01考场前、第01考场后');
    // Cameras listed as objects (playback.start) read as their names, else as id and GB code — never JSON.
    expect(detailValue('cameras', [{ id: 8, gbCode: '32010600111310000008', name: '一中 第04考场 后置' }, { id: 9, gbCode: '32010600111310000009' }], formatBeijing)).toBe('一中 第04考场 后置、#9（32010600111310000009）');
    // A refusal names the action it refused in Chinese.
    expect(`${detailKey('for', 'zh')}: ${detailValue('for', 'video.live.start', formatBeijing)}`).toBe('请求的操作: 开始观看实时视频');
    expect(detailValue('windows', ['exam', 'custody'], formatBeijing)).toBe('考试时段、试卷保密时段');
    expect(detailValue('reason', 'no remote-viewing grant', formatBeijing)).toBe('无有效的远程调看授权');
  });

  it('the CSV export reads like the page: Chinese headers, Beijing time, action/role/outcome in Chinese, the name as recorded; codes and JSON kept', () => {
    const row = (over: Partial<AuditRow>): AuditRow => ({ seq: 7, at_ms: Date.UTC(2026, 5, 7, 1, 0, 0), user_id: 3, username: 'gl_op', role: 'operator', ip: '10.0.0.5', workstation: 'ws-1', action: 'video.live.start', object_type: 'camera', object_id: '11', outcome: 'ok', scope_path: '/1/', detail: JSON.stringify({ camera: '第01考场 · 前置摄像机', fromMs: Date.UTC(2026, 5, 7, 0, 30, 0) }), prev_hash: '0'.repeat(64), hash: 'ab'.repeat(32), ...over });
    const text = auditCsv([row({}), row({ seq: 8, action: 'wall.layout.create', object_type: 'wall_layout', outcome: 'denied', role: 'inspector', detail: JSON.stringify({ name: '=两个考场', shared: true }) })]).toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const [header, first, second] = text.slice(1).split('\r\n');
    expect(header).toBe('序号,时间（北京时间）,用户,角色,IP地址,工作站,操作,对象类型,对象编号,对象名称,结果,详情,操作代码,详情原文(JSON),哈希');
    expect(first).toContain('7,2026-06-07 09:00:00,gl_op,巡查员,10.0.0.5,ws-1,开始观看实时视频,摄像机,11,第01考场 · 前置摄像机,成功,摄像机: 第01考场 · 前置摄像机；开始: 2026-06-07 08:30:00,video.live.start,');
    // A name starting with = is neutralised for spreadsheets; booleans read 是/否.
    expect(second).toContain(",纪检监察,10.0.0.5,ws-1,保存画面布局,画面布局,11,'=两个考场,拒绝,名称: =两个考场；共享: 是,wall.layout.create,");
  });
});
