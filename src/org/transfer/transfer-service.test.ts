import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { Actor } from '../../auth/actor.ts';
import { AppError } from '../../util/errors.ts';
import { parseCsv } from './csv.ts';
import type { TestApp } from './test-fixture.ts';
import { addScopedAdmin, auditActions, portableTree, startApp } from './test-fixture.ts';

const open: TestApp[] = [];
async function start(sample = true): Promise<TestApp> {
  const t = await startApp(sample);
  open.push(t);
  return t;
}
afterEach(async () => {
  for (const t of open.splice(0)) await t.dispose();
});

/** Adds two cameras with network configuration to the sample's first exam room. */
async function addCameras(app: App, admin: Actor): Promise<void> {
  const site = (await app.org.tree(admin)).find((n) => n.kind === 'site')!;
  const room = site.rooms!.find((r) => r.name === '第01考场')!;
  const net = { host: '10.1.2.3', port: 554, username: 'cam', password: 'S3cret-Cam!' };
  await app.devices.createCamera(admin, { roomId: room.id, name: '前方摄像机', position: 'front', sourceKind: 'rtsp', mainStream: '/Streaming/Channels/101', subStream: '/Streaming/Channels/102', ...net });
  await app.devices.createCamera(admin, { roomId: room.id, name: '后方摄像机', position: 'rear', sourceKind: 'onvif', mainStream: '/main', subStream: '/sub', ...net });
}

const csv = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');

async function importError(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('OrgTransferService', () => {
  it('R-ORG-2 R-SEC-6 CSV export → import into a fresh node rebuilds the same tree, without network config', async () => {
    const src = await start();
    await addCameras(src.app, src.admin);
    const file = await src.app.transfer.export(src.admin, 'csv');
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = file.toString('utf8');
    expect(text).not.toContain('10.1.2.3');
    expect(text).not.toContain('S3cret-Cam!');
    const records = parseCsv(text.slice(1));
    expect(records[0]).toEqual(['层级(level)', '国标编码(gb_code)', '上级国标编码(parent_gb_code)', '名称(name)', '行政区划代码(region_code)', '房间类型(room_kind)', '座位数(seats)', '安装位置(position)', '接入方式(source_kind)', '主码流(main_stream)', '子码流(sub_stream)']);
    // Tree order: every parent appears before its children.
    const seen = new Set<string>(['']);
    for (const r of records.slice(1)) {
      expect(seen.has(r[2])).toBe(true);
      seen.add(r[1]);
    }
    expect(records.length - 1).toBe(6 + 7 + 2);
    expect((await auditActions(src.app)).filter((a) => a.action === 'org.export')).toHaveLength(1);

    const dst = await start(false);
    const result = await dst.app.transfer.import(dst.admin, 'csv', file);
    expect(result).toEqual({ created: 14, updated: 0 }); // the province exists already, unchanged
    expect(await portableTree(dst.app, dst.admin)).toEqual(await portableTree(src.app, src.admin));
    const imports = (await auditActions(dst.app)).filter((a) => a.action === 'org.import');
    expect(imports).toHaveLength(1);
    expect(JSON.parse(imports[0].detail!)).toMatchObject({ created: 14, updated: 0 });

    // Importing the same file again changes nothing.
    expect(await dst.app.transfer.import(dst.admin, 'csv', file)).toEqual({ created: 0, updated: 0 });
  });

  it('R-ORG-2 XLSX export → import round trip; sheet 组织机构 with a bold frozen header', async () => {
    const src = await start();
    await addCameras(src.app, src.admin);
    const file = await src.app.transfer.export(src.admin, 'xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(file).buffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('组织机构');
    expect(ws.getRow(1).getCell(1).value).toBe('层级(level)');
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(2).width).toBeGreaterThan(20);
    const dst = await start(false);
    expect(await dst.app.transfer.import(dst.admin, 'xlsx', file)).toEqual({ created: 14, updated: 0 });
    expect(await portableTree(dst.app, dst.admin)).toEqual(await portableTree(src.app, src.admin));
  });

  it('R-ORG-2 imports UTF-8 CSV with a BOM and GB18030 CSV, Chinese labels and values; seals camera network config', async () => {
    const { app, admin } = await start();
    const site = (await app.org.tree(admin)).find((n) => n.kind === 'site')!;
    const lines = [
      '层级,国标编码,上级国标编码,名称,房间类型,座位数,安装位置,接入方式,主码流,子码流,主机地址,端口,用户名,密码',
      `房间,32010600112160000901,${site.gbCode},第05考场,考场,30,,,,,,,,`,
      `摄像机,,32010600112160000901,前方,,,前,rtsp,/ch1,/ch2,192.168.1.20,8554,u1,"p,w""1"`,
    ];
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(lines)]);
    expect(await app.transfer.import(admin, 'csv', bom)).toEqual({ created: 2, updated: 0 });
    const room = (await app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.find((r) => r.name === '第05考场')!;
    expect(room).toMatchObject({ kind: 'exam', seats: 30, gbCode: '32010600112160000901' });
    expect(room.cameras).toHaveLength(1);
    expect(room.cameras[0]).toMatchObject({ name: '前方', position: 'front', gbCode: '32010600111310000001', hasCredentials: true });
    expect(await app.devices.revealNetwork(admin, room.cameras[0].id)).toMatchObject({ host: '192.168.1.20', port: 8554, username: 'u1', password: 'p,w"1' });

    const gb = iconv.encode([lines[0], `房间,,${site.gbCode},第06考场（机房）,机房考场,40,,,,,,,,`].join('\r\n'), 'gb18030');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gb)).toThrow();
    expect(await app.transfer.import(admin, 'csv', gb)).toEqual({ created: 1, updated: 0 });
    const lab = (await app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.find((r) => r.name === '第06考场（机房）');
    expect(lab).toMatchObject({ kind: 'lab', seats: 40 });
  });

  it('R-SEC-7 a file with 3 bad rows reports exactly those rows and reasons, and changes nothing', async () => {
    const { app, admin } = await start();
    const before = await portableTree(app, admin);
    const site = before.find((n) => (n as { kind: string }).kind === 'site') as { gbCode: string };
    const file = csv([
      'level,gb_code,parent_gb_code,name,room_kind,seats',
      `room,,${site.gbCode},第10考场,exam,30`,
      `hall,,${site.gbCode},第11考场,exam,30`, // row 3: unknown level
      `room,,${site.gbCode},第12考场,exam,thirty`, // row 4: seats
      '',
      `room,,${site.gbCode},第01考场,exam,30`, // row 6: duplicate name in the database
      `room,,${site.gbCode},第13考场,exam,30`,
    ]);
    const err = await importError(app.transfer.import(admin, 'csv', file));
    expect(err.code).toBe('import_invalid');
    expect(err.message).toBe('导入失败：3 行有错误 (import failed)');
    const problems = err.details as Array<{ row: number; message: string }>;
    expect(problems.map((p) => p.row)).toEqual([3, 4, 6]);
    expect(problems[0].message).toContain('unknown level');
    expect(problems[1].message).toContain('seats must be a non-negative integer');
    expect(problems[2].message).toContain('duplicate name');
    expect(await portableTree(app, admin)).toEqual(before);
    expect((await auditActions(app)).some((a) => a.action === 'org.import')).toBe(false);
  });

  it('R-SEC-4 R-SEC-7 a district-scoped admin cannot import into or update objects outside the district', async () => {
    const { app, admin } = await start();
    const all = await portableTree(app, admin);
    const codeOf = (name: string) => (all.find((n) => (n as { name: string }).name === name) as { gbCode: string }).gbCode;
    const gulou = await addScopedAdmin(app, 'gulou-admin', '鼓楼区');
    // Export sees only the district: the district itself (parent left blank), its site, 7 rooms.
    const own = parseCsv((await app.transfer.export(gulou, 'csv')).toString('utf8').slice(1));
    expect(own.slice(1).map((r) => r[3])).toEqual(['鼓楼区', '南京市第一中学考点', ...own.slice(3).map((r) => r[3])]);
    expect(own[1][2]).toBe('');
    expect(own).toHaveLength(1 + 2 + 7);

    const file = csv([
      'level,gb_code,parent_gb_code,name',
      `district,${codeOf('江宁区')},,江宁区（改）`, // update outside the scope
      `site,,${codeOf('玄武区')},新考点`, // create under a node outside the scope
      `site,,${codeOf('鼓楼区')},鼓楼新考点`, // fine on its own
    ]);
    const err = await importError(app.transfer.import(gulou, 'csv', file));
    const problems = err.details as Array<{ row: number; message: string }>;
    expect(problems.map((p) => p.row)).toEqual([2, 3]);
    expect(problems[0].message).toContain('outside your scope');
    expect(problems[1].message).toContain('parent not found in your scope');
    expect(await portableTree(app, admin)).toEqual(all);
    // The district's own row naming its real (out-of-scope) parent is a plain update.
    const own2 = csv(['level,gb_code,parent_gb_code,name', `district,${codeOf('鼓楼区')},${codeOf('南京市')},鼓楼区`]);
    expect(await app.transfer.import(gulou, 'csv', own2)).toEqual({ created: 0, updated: 0 });
    const denied = (await auditActions(app)).filter((a) => a.action === 'org.import');
    expect(denied.map((a) => a.outcome)).toEqual(['denied', 'ok']);
    expect(JSON.parse(denied[0].detail!)).toMatchObject({ rows: [2, 3] });
  });

  it('R-SEC-7 formula-like cells are rejected on import and neutralised on export', async () => {
    const { app, admin } = await start();
    const site = (await app.org.tree(admin)).find((n) => n.kind === 'site')!;
    const bad = csv(['level,parent_gb_code,name', `room,${site.gbCode},"=HYPERLINK(""http://evil"",""x"")"`]);
    const err = await importError(app.transfer.import(admin, 'csv', bad));
    expect(err.details).toEqual([{ row: 2, message: expect.stringContaining('formula-like cell rejected') as string }]);

    // A leading apostrophe keeps such a value as text; export writes it back escaped.
    const ok = csv(['level,parent_gb_code,name', `room,${site.gbCode},'@备用考场`]);
    expect(await app.transfer.import(admin, 'csv', ok)).toEqual({ created: 1, updated: 0 });
    expect((await app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.some((r) => r.name === '@备用考场')).toBe(true);
    const exported = (await app.transfer.export(admin, 'csv')).toString('utf8');
    expect(exported).toContain(",'@备用考场,");
  });

  it('R-SEC-7 rejects unknown columns, oversize files and roles without org.write', async () => {
    const { app, admin } = await start();
    const err = await importError(app.transfer.import(admin, 'csv', csv(['level,name,colour', 'city,X,red'])));
    expect(err.details).toEqual([{ row: 1, message: expect.stringContaining('unknown column') as string }]);
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0x41);
    expect((await importError(app.transfer.import(admin, 'csv', big))).code).toBe('invalid_input');
    const operator: Actor = { ...admin, role: 'operator' };
    expect((await importError(app.transfer.import(operator, 'csv', csv(['level,name'])))).code).toBe('forbidden');
  });
});
