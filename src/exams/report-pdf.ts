// Printable PDF of the completeness report: A4, Noto Sans CJK, title, exam and sessions, roll-up,
// detail and gap tables, signature lines, page numbers. Beijing times.
import { existsSync } from 'node:fs';
import type PDFDocument from 'pdfkit';
import { loadPdfKit } from '../util/lazy-libs.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { AppError } from '../util/errors.ts';
import { REASON_LABELS } from './coverage.ts';
import { EXAM_KIND_LABELS, LEVEL_LABELS, ROOM_KIND_LABELS, beijingMs, pct, seconds } from './labels.ts';
import type { ExamReport } from './report-service.ts';

export const DEFAULT_CJK_FONT = { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' };

export const MARGIN = 40;
const ROW_H = 16;

type Doc = InstanceType<typeof PDFDocument>;

function fit(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let t = text;
  while (t.length > 1 && doc.widthOfString(`${t}…`) > width) t = t.slice(0, -1);
  return `${t}…`;
}

export function table(doc: Doc, title: string, headers: string[], widths: number[], rows: string[][]): void {
  const bottom = doc.page.height - MARGIN - 20;
  const header = () => {
    doc.fontSize(8).fillColor('#000');
    let x = MARGIN;
    const y = doc.y;
    doc.rect(MARGIN, y - 2, widths.reduce((a, b) => a + b, 0), ROW_H).fill('#e8e8e8').fillColor('#000');
    headers.forEach((h, i) => {
      doc.text(fit(doc, h, widths[i] - 4), x + 2, y + 2, { lineBreak: false });
      x += widths[i];
    });
    doc.y = y + ROW_H;
  };
  if (doc.y + ROW_H * 3 > bottom) doc.addPage();
  doc.fontSize(11).text(title, MARGIN, doc.y + 6);
  doc.moveDown(0.3);
  header();
  for (const row of rows) {
    if (doc.y + ROW_H > bottom) {
      doc.addPage();
      header();
    }
    let x = MARGIN;
    const y = doc.y;
    row.forEach((cell, i) => {
      doc.text(fit(doc, cell, widths[i] - 4), x + 2, y + 2, { lineBreak: false });
      x += widths[i];
    });
    doc.moveTo(MARGIN, y + ROW_H - 1).lineTo(x, y + ROW_H - 1).lineWidth(0.3).strokeColor('#bbb').stroke();
    doc.y = y + ROW_H;
  }
  if (rows.length === 0) doc.text('（无）', MARGIN + 2, doc.y + 2);
  doc.x = MARGIN;
}

export async function reportPdf(report: ExamReport, font = DEFAULT_CJK_FONT): Promise<Buffer> {
  const PDFKit = await loadPdfKit();
  if (!existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  const doc = new PDFKit({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: `录像完整性报告 ${report.exam.name}`, Creator: 'xuncha' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.family);
  doc.font('cjk');

  doc.fontSize(16).text('国家教育考试考点视频录像完整性报告', { align: 'center' });
  doc.moveDown(0.5).fontSize(10);
  doc.text(`考试：${report.exam.name}（${EXAM_KIND_LABELS[report.exam.kind]}）    录像保存期限：${report.exam.retentionDays} 天`);
  for (const s of report.sessions) doc.text(`场次：${s.subject}    ${s.start} ～ ${s.end}`);
  doc.text(`生成时间：${formatBeijing(report.generatedAtMs)}（北京时间）    统计依据：录像运行记录（recording_run）`);

  table(doc, '一、汇总', ['层级', '名称', '摄像机×时段', '应录(分钟)', '完整率', '最低完整率', '中断次数', '中断时长(秒)'],
    [50, 145, 60, 60, 55, 55, 45, 65],
    report.rollups.map((u) => [LEVEL_LABELS[u.level], u.name, String(u.cameras), (u.requiredMs / 60_000).toFixed(1), pct(u.coverage), pct(u.worstCoverage), String(u.gaps), seconds(u.gapMs)]));

  table(doc, '二、明细（场次 × 房间 × 摄像机）', ['科目', '考点', '房间', '摄像机', '应录时段', '完整率', '中断'],
    [50, 110, 75, 75, 135, 45, 25],
    report.lines.map((l) => [l.subject, l.siteName, `${l.roomName}(${ROOM_KIND_LABELS[l.roomKind]})`, l.cameraName, `${formatBeijing(l.windowStartMs).slice(5)}～${formatBeijing(l.windowEndMs).slice(11)}`, pct(l.coverage), String(l.gaps.length)]));

  table(doc, '三、中断明细', ['科目', '房间', '摄像机', '中断开始', '中断结束', '时长(秒)', '原因'],
    [45, 65, 60, 110, 110, 40, 85],
    report.lines.flatMap((l) => l.gaps.map((g) => [l.subject, l.roomName, l.cameraName, beijingMs(g.startMs), g.ongoing ? '（仍在中断）' : beijingMs(g.endMs), seconds(g.lengthMs), REASON_LABELS[g.reason] ?? g.reason])));

  if (doc.y + 80 > doc.page.height - MARGIN) doc.addPage();
  doc.moveDown(3).fontSize(11);
  doc.text('考点负责人：______________    系统管理员：______________    日期：______________', MARGIN, doc.y);

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    doc.page.margins.bottom = 0; // the footer sits in the margin: writing there must not add a page
    doc.fontSize(8).text(`第 ${i + 1} 页 / 共 ${range.count} 页`, MARGIN, doc.page.height - MARGIN + 10, { width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false });
  }
  doc.end();
  return done;
}
