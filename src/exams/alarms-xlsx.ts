// Excel export of the alarm history (报警记录): Beijing times, Chinese kinds and states, who
// acknowledged, when and the disposition (处置意见) they wrote (issue 14 item 5, R-ACC-1).
import { loadExcelJS } from '../util/lazy-libs.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { reasonLabel } from './coverage.ts';
import type { AlarmView } from './views.ts';

const KIND: Record<string, string> = { recording_gap: '录像中断', camera_not_ready: '摄像机未就绪', ptz_refused: '云台操作被拒' };
const at = (ms: number | null) => (ms === null ? '' : formatBeijing(ms));

export async function alarmsXlsx(alarms: AlarmView[]): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const ws = wb.addWorksheet('报警记录', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [8, 20, 12, 24, 16, 16, 20, 20, 18, 8, 14, 20, 40].map((width) => ({ width }));
  ws.addRow(['编号', '报警时间', '类型', '考点', '房间', '摄像机', '中断开始', '中断结束', '原因', '状态', '确认人', '确认时间', '处置意见']).font = { bold: true };
  for (const a of alarms) {
    ws.addRow([
      a.id, at(a.raisedAtMs), KIND[a.kind] ?? a.kind, a.siteName ?? '', a.roomName ?? '', a.cameraName ?? `#${a.cameraId}`,
      at(a.gapStartMs), at(a.gapEndMs), reasonLabel(a.reason), a.clearedAtMs === null ? '未恢复' : '已恢复',
      a.acknowledgedBy === null ? '未确认' : a.acknowledgedByName && a.acknowledgedByName !== a.acknowledgedBy ? `${a.acknowledgedByName}（${a.acknowledgedBy}）` : a.acknowledgedBy, at(a.acknowledgedAtMs), a.disposition ?? '',
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
