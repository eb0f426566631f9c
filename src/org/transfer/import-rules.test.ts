import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../util/errors.ts';
import type { TestApp } from './test-fixture.ts';
import { portableTree, startApp } from './test-fixture.ts';

const open: TestApp[] = [];
async function start(sample = true): Promise<TestApp> {
  const t = await startApp(sample);
  open.push(t);
  return t;
}
afterEach(async () => {
  for (const t of open.splice(0)) await t.dispose();
});

const csv = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
async function problemsOf(p: Promise<unknown>): Promise<Array<{ row: number; message: string }>> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('import_invalid');
  return (err as AppError).details as Array<{ row: number; message: string }>;
}

describe('organisation import rules', () => {
  it('R-ORG-2 builds a new branch from parents earlier in the file; generated codes skip codes the file reserves', async () => {
    const { app, admin } = await start(false);
    const [province] = await app.org.tree(admin);
    const result = await app.transfer.import(
      admin,
      'csv',
      csv([
        'level,gb_code,parent_gb_code,name,region_code,room_kind,seats',
        `市,32050000112160000001,${province.gbCode},苏州市,320500,,`,
        '区县,,32050000112160000001,姑苏区,,,', // generated: must skip …0000002, given below
        '考点,32050000112160000002,32050000112160000001,苏州中学考点,320508,,',
        '房间,32050800112160000010,32050000112160000002,第01考场,,考场,30',
      ]),
    );
    expect(result).toEqual({ created: 4, updated: 0 });
    const tree = await app.org.tree(admin);
    expect(tree.find((n) => n.name === '姑苏区')).toMatchObject({ kind: 'district', regionCode: '320500', gbCode: '32050000112160000003' });
    expect(tree.find((n) => n.name === '苏州中学考点')!.rooms).toEqual([expect.objectContaining({ name: '第01考场', seats: 30 })]);
  });

  it('R-ORG-2 updates matched objects in place (name, kind, seats, streams) and counts only real changes', async () => {
    const { app, admin } = await start();
    const site = (await app.org.tree(admin)).find((n) => n.kind === 'site')!;
    const room = site.rooms!.find((r) => r.name === '第02考场')!;
    const result = await app.transfer.import(
      admin,
      'csv',
      csv([
        '层级(level),国标编码(gb_code),上级国标编码(parent_gb_code),名称(name),房间类型(room_kind),座位数(seats)',
        `room,${room.gbCode},${site.gbCode},第02考场（新）,lab,36`,
        `site,${site.gbCode},,${site.name},,`,
      ]),
    );
    expect(result).toEqual({ created: 0, updated: 1 });
    const after = (await app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.find((r) => r.id === room.id);
    expect(after).toMatchObject({ name: '第02考场（新）', kind: 'lab', seats: 36 });
  });

  it('R-ORG-2 reports every kind of row problem in one pass', async () => {
    const { app, admin } = await start();
    const tree = await app.org.tree(admin);
    const code = (name: string) => tree.find((n) => n.name === name)!.gbCode;
    const site = tree.find((n) => n.kind === 'site')!;
    const before = await portableTree(app, admin);
    const problems = await problemsOf(
      app.transfer.import(
        admin,
        'csv',
        csv([
          'level,gb_code,parent_gb_code,name,seats,port,host',
          `site,,${code('南京市')},,,,`, // 2 missing name
          `room,,${code('鼓楼区')},A,,,`, // 3 room under a district
          `district,,${code('玄武区')},B,,,`, // 4 district under a district
          `camera,,${site.rooms![0].gbCode},C,,70000,10.0.0.1`, // 5 port out of range
          `site,1234,${code('鼓楼区')},D,,,`, // 6 bad code
          `room,32010600111310000001,${site.gbCode},E,,,`, // 7 camera type code on a room
          `site,,32010600112169999999,F,,,`, // 8 parent only appears later
          `site,32010600112169999999,${code('鼓楼区')},G,,,`, // 9 fine
          `site,32010600112169999999,${code('鼓楼区')},H,,,`, // 10 duplicate code in file
          `site,,${code('鼓楼区')},G,,,`, // 11 duplicate name in file
          `district,${code('鼓楼区')},${code('玄武区')},鼓楼区,,,`, // 12 move
          `room,,${site.gbCode},X,-1,,`, // 13 formula-like
          `room,,${site.gbCode},Y,1.5,,`, // 14 seats not an integer
        ]),
      ),
    );
    const byRow = new Map<number, string>();
    for (const p of problems) byRow.set(p.row, `${byRow.get(p.row) ?? ''}${p.message};`);
    expect([...byRow.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14]);
    expect(byRow.get(2)).toContain('name is required');
    expect(byRow.get(3)).toContain('a district cannot hold a room');
    expect(byRow.get(4)).toContain('a district cannot hold a district');
    expect(byRow.get(5)).toContain('port out of range');
    expect(byRow.get(6)).toContain('20 digits');
    expect(byRow.get(7)).toContain('type code');
    expect(byRow.get(8)).toContain('earlier row');
    expect(byRow.get(10)).toContain('duplicate gb_code in file');
    expect(byRow.get(11)).toContain('duplicate name');
    expect(byRow.get(12)).toContain('cannot move');
    expect(byRow.get(13)).toContain('formula-like');
    expect(byRow.get(14)).toContain('non-negative integer');
    expect(await portableTree(app, admin)).toEqual(before);
  });

  it('R-SEC-7 XLSX: formula cells and codes mangled into numbers are rejected', async () => {
    const { app, admin } = await start();
    const site = (await app.org.tree(admin)).find((n) => n.kind === 'site')!;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['level', 'gb_code', 'parent_gb_code', 'name']);
    ws.addRow(['room', '', site.gbCode, { formula: 'CONCAT("a","b")', result: 'ab' }]);
    ws.addRow(['room', 32010600112160000000, site.gbCode, 'Z']);
    ws.addRow(['room', '', site.gbCode, 'OK']);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const problems = await problemsOf(app.transfer.import(admin, 'xlsx', data));
    expect(problems.map((p) => p.row)).toEqual([2, 3]);
    expect(problems[0].message).toContain('formula-like cell rejected');
    expect(problems[1].message).toContain('format the column as text');
  });
});
