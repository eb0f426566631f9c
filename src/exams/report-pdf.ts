// Printable PDF of the completeness report: A4, Noto Sans CJK, title, exam and sessions, roll-up,
// detail and gap tables, signature lines, page numbers. Beijing times; durations as 1小时17分26秒;
// 完整率 of a window not started yet is 未开始, and a report made while a window runs is 临时.
import { existsSync, readFileSync } from 'node:fs';
import type PDFDocument from 'pdfkit';
import { loadPdfKit } from '../util/lazy-libs.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { AppError } from '../util/errors.ts';
import { REASON_LABELS } from './coverage.ts';
import { EXAM_KIND_LABELS, LEVEL_LABELS, LINE_STATE_LABELS, ROOM_KIND_LABELS, beijingMs, coverageText, duration, lineState, sessionState } from './labels.ts';
import type { ExamReport } from './report-service.ts';

export const DEFAULT_CJK_FONT = { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' };

export const MARGIN = 40;
const ROW_H = 16;
/** A4 is 595 pt wide: every table's widths add up to 595 − 2 × MARGIN = 515. */

type Doc = InstanceType<typeof PDFDocument>;

const cellWidth = (w: number) => w - 4;

/**
 * A table whose cells wrap (a long room name takes two lines, it is never cut); the header is
 * repeated on every page.
 */
export function table(doc: Doc, title: string, headers: string[], widths: number[], rows: string[][]): void {
  const bottom = doc.page.height - MARGIN - 20;
  const rowHeight = (cells: string[]) => Math.max(ROW_H, ...cells.map((c, i) => doc.heightOfString(c, { width: cellWidth(widths[i]) }) + 5));
  const draw = (cells: string[], y: number) => {
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.text(c, x + 2, y + 2, { width: cellWidth(widths[i]) });
      x += widths[i];
    });
    return x;
  };
  const header = () => {
    doc.fontSize(8).fillColor('#000');
    const y = doc.y;
    const h = rowHeight(headers);
    doc.rect(MARGIN, y - 2, widths.reduce((a, b) => a + b, 0), h).fill('#e8e8e8').fillColor('#000');
    draw(headers, y);
    doc.y = y + h;
  };
  if (doc.y + ROW_H * 3 > bottom) doc.addPage();
  doc.fontSize(11).text(title, MARGIN, doc.y + 6);
  doc.moveDown(0.3);
  header();
  for (const row of rows) {
    const h = rowHeight(row);
    if (doc.y + h > bottom) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    const x = draw(row, y);
    doc.moveTo(MARGIN, y + h - 1).lineTo(x, y + h - 1).lineWidth(0.3).strokeColor('#bbb').stroke();
    doc.y = y + h;
  }
  if (rows.length === 0) doc.text('（无）', MARGIN + 2, doc.y + 2);
  doc.x = MARGIN;
}

/** Font files read once per process (a pooled report worker renders many): the CJK .ttc is ~20 MB. */
const fontCache = new Map<string, Buffer>();
function fontBytes(fontPath: string): Buffer {
  let bytes = fontCache.get(fontPath);
  if (!bytes) fontCache.set(fontPath, (bytes = readFileSync(fontPath)));
  return bytes;
}

/**
 * The start of every printable report (completeness, readiness, duty record): an A4 document in
 * the CJK font with its bytes collected; `done` resolves when `finishA4` has ended it.
 */
export async function startA4(title: string, font: { path: string; family: string }): Promise<{ doc: Doc; done: Promise<Buffer> }> {
  const PDFKit = await loadPdfKit();
  if (!existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  const doc = new PDFKit({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: title, Creator: 'xuncha' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontBytes(font.path), font.family);
  doc.font('cjk');
  return { doc, done };
}

/** Signature lines (on a new page if they do not fit), "第 i 页 / 共 n 页" on every page, end. */
export function finishA4(doc: Doc, signatureLines: string[]): void {
  if (doc.y + 40 + 40 * signatureLines.length > doc.page.height - MARGIN) doc.addPage();
  doc.moveDown(3).fontSize(11);
  signatureLines.forEach((line, i) => {
    if (i > 0) doc.moveDown(1.5);
    doc.text(line, MARGIN, doc.y);
  });
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    doc.page.margins.bottom = 0; // the footer sits in the margin: writing there must not add a page
    doc.fontSize(8).text(`第 ${i + 1} 页 / 共 ${range.count} 页`, MARGIN, doc.page.height - MARGIN + 10, { width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false });
  }
  doc.end();
}

export async function reportPdf(report: ExamReport, font = DEFAULT_CJK_FONT): Promise<Buffer> {
  const { doc, done } = await startA4(`录像完整性报告 ${report.exam.name}`, font);

  const at = report.generatedAtMs;
  doc.fontSize(16).text(`国家教育考试考点视频录像完整性报告${report.provisional ? '（临时）' : ''}`, { align: 'center' });
  doc.moveDown(0.5).fontSize(10);
  if (report.provisional) doc.fillColor('#c00').text('临时报告：生成时仍有场次在进行，数据截至生成时刻，考试结束后请重新生成正式报告。').fillColor('#000');
  doc.text(`考试：${report.exam.name}（${EXAM_KIND_LABELS[report.exam.kind]}）    录像保存期限：${report.exam.retentionDays} 天`);
  for (const s of report.sessions) doc.text(`场次：${s.subject}    ${s.start} ～ ${s.end}    ${LINE_STATE_LABELS[sessionState(s, report.lines, at)]}`);
  doc.text(`生成时间：${formatBeijing(at)}（北京时间）    统计依据：录像系统记录的每段录像的起止时刻`);

  table(doc, '一、汇总', ['层级', '名称', '摄像机×时段', '应录时长', '完整率', '最低完整率', '中断次数', '中断总时长'],
    [40, 115, 60, 75, 50, 55, 40, 80], // 摄像机×时段 on one line
    report.rollups.map((u) => [LEVEL_LABELS[u.level], u.name, String(u.cameras), u.requiredMs > 0 ? duration(u.requiredMs) : '未开始', coverageText(u.coverage, u.requiredMs), coverageText(u.worstCoverage, u.requiredMs), String(u.gaps), duration(u.gapMs)]));

  table(doc, '二、明细（场次 × 房间 × 摄像机）', ['科目', '考点', '房间', '摄像机', '应录时段', '应录时长', '完整率', '中断', '状态'],
    [40, 85, 80, 55, 80, 65, 45, 25, 40],
    report.lines.map((l) => [l.subject, l.siteName, `${l.roomName}（${ROOM_KIND_LABELS[l.roomKind]}）`, l.cameraName, `${formatBeijing(l.windowStartMs).slice(5)}～${formatBeijing(l.windowEndMs).slice(11)}`, lineState(l, at) === 'not_started' ? '—' : duration(l.requiredMs), coverageText(l.coverage, l.requiredMs), String(l.gaps.length), LINE_STATE_LABELS[lineState(l, at)]]));

  table(doc, '三、中断明细', ['科目', '房间', '摄像机', '中断开始', '中断结束', '时长', '原因'],
    [40, 70, 55, 105, 105, 65, 75],
    report.lines.flatMap((l) => l.gaps.map((g) => [l.subject, l.roomName, l.cameraName, beijingMs(g.startMs), g.ongoing ? '（仍在中断）' : beijingMs(g.endMs), duration(g.lengthMs), REASON_LABELS[g.reason] ?? g.reason])));

  finishA4(doc, ['考点负责人：______________    系统管理员：______________    日期：______________']);
  return done;
}
