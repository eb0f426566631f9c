// Excel export of the completeness report: 汇总 (roll-ups), 明细 (session × room × camera) and
// 中断明细 (one row per gap), Chinese headers and reasons, Beijing times, durations as the PDF
// writes them (1小时17分26秒), 未开始 / 临时 as in the PDF, frozen bold header rows.
import type ExcelJS from 'exceljs';
import { loadExcelJS } from '../util/lazy-libs.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { REASON_LABELS } from './coverage.ts';
import { END_SOURCE_LABELS, EXAM_KIND_LABELS, LEVEL_LABELS, LINE_STATE_LABELS, ROOM_KIND_LABELS, beijingMs, duration, lineState, sessionState } from './labels.ts';
import type { ExamReport } from './report-service.ts';
import { neutralise } from '../org/transfer/columns.ts';

/** Names typed by users (rooms, cameras, subjects) may start with = + - @: never a formula (CWE-1236). */
const cells = (values: ReadonlyArray<string | number>): Array<string | number> => values.map((v) => (typeof v === 'string' ? neutralise(v) : v));

function sheet(wb: ExcelJS.Workbook, name: string, title: string[], headers: string[], widths: number[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: title.length + 1 }] });
  ws.columns = widths.map((width) => ({ width }));
  for (const t of title) ws.addRow(cells([t]));
  const h = ws.addRow(headers);
  h.font = { bold: true };
  return ws;
}

/** 完整率 as a percentage cell, or the text 未开始 when nothing is required yet. */
function coverageCell(row: ExcelJS.Row, col: number, coverage: number, requiredMs: number): void {
  const c = row.getCell(col);
  if (requiredMs > 0) {
    c.value = coverage;
    c.numFmt = '0.00%';
  } else c.value = '未开始';
}

export async function reportXlsx(report: ExamReport): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const at = report.generatedAtMs;
  const title = [
    ...(report.provisional ? ['临时报告：生成时仍有场次在进行，数据截至生成时刻，考试结束后请重新生成正式报告。'] : []),
    `考试：${report.exam.name}（${EXAM_KIND_LABELS[report.exam.kind]}）  录像保存期限：${report.exam.retentionDays}天`,
    `场次：${report.sessions.map((s) => `${s.subject} ${s.start}～${s.end.slice(11)}（${LINE_STATE_LABELS[sessionState(s, report.lines, at)]}）`).join('；')}`,
    `生成时间：${formatBeijing(at)}（北京时间）`,
  ];

  const sum = sheet(wb, '汇总', title, ['层级', '名称', '摄像机×时段', '应录时长', '实录时长', '完整率', '最低完整率', '中断次数', '中断总时长'], [10, 28, 12, 16, 16, 10, 12, 10, 16]);
  for (const u of report.rollups) {
    const row = sum.addRow(cells([LEVEL_LABELS[u.level], u.name, u.cameras, duration(u.requiredMs), duration(u.recordedMs), '', '', u.gaps, duration(u.gapMs)]));
    coverageCell(row, 6, u.coverage, u.requiredMs);
    coverageCell(row, 7, u.worstCoverage, u.requiredMs);
  }

  const det = sheet(wb, '明细', title, ['科目', '设区市', '县区', '考点', '房间', '房间类型', '摄像机', '应录开始', '应录结束', '结束方式', '应录时长', '实录时长', '完整率', '中断次数', '状态'], [12, 10, 10, 24, 16, 10, 16, 20, 20, 10, 16, 16, 10, 8, 8]);
  for (const l of report.lines) {
    const row = det.addRow(cells([l.subject, l.cityName, l.districtName, l.siteName, l.roomName, ROOM_KIND_LABELS[l.roomKind], l.cameraName, formatBeijing(l.windowStartMs), formatBeijing(l.windowEndMs), END_SOURCE_LABELS[l.endSource], duration(l.requiredMs), duration(l.recordedMs), '', l.gaps.length, LINE_STATE_LABELS[lineState(l, at)]]));
    coverageCell(row, 13, l.coverage, l.requiredMs);
  }

  const gaps = sheet(wb, '中断明细', title, ['科目', '考点', '房间', '摄像机', '中断开始', '中断结束', '时长', '原因'], [12, 24, 16, 16, 24, 24, 14, 24]);
  for (const l of report.lines) {
    for (const g of l.gaps) gaps.addRow(cells([l.subject, l.siteName, l.roomName, l.cameraName, beijingMs(g.startMs), g.ongoing ? '（仍在中断）' : beijingMs(g.endMs), duration(g.lengthMs), REASON_LABELS[g.reason] ?? g.reason]));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
