// 故障统计 at an upper from the tickets its lowers sent (R-FLT-1, R-FN-3; docs/design/ledger.md
// "Health reports"): a self-cleared ticket counts as 自行恢复, not as repaired, also from a lower
// that predates the `selfCleared` field (a verified ticket that was never repaired). Pure.
import { describe, expect, it } from 'vitest';
import { reportTables } from '../../src/ledger/report-xlsx.ts';
import type { TicketView } from '../../src/ledger/schemas.ts';
import type { ReportedTicketView } from '../../src/ledger/upward.ts';

const H = 3_600_000;
const period = { fromMs: 0, toMs: 24 * H, label: '日报' };

function ticket(id: number, t: Partial<TicketView>): ReportedTicketView {
  const base: TicketView = {
    id, deviceId: id, deviceName: `设备${id}`, deviceCode: `D-${id}`, deviceClass: 'switch', cameraId: null, responsibleName: '', orgNodeId: 9, nodeName: '下级考点', nodeCode: '32010000002160000001',
    kind: 'offline', origin: 'auto', state: 'verified', stateLabel: '', summary: `故障${id}`, openedBy: 'system', openedAtMs: H, acknowledgedAtMs: null, repairingAtMs: null, repairedAtMs: null, verifiedAtMs: 2 * H,
    faultCount: 1, lastFaultAtMs: H, healthy: true, timeToAckMs: 0, timeToRepairMs: 0, ackOverdue: false, repairOverdue: false,
  };
  return { originCode: base.nodeCode, via: '下级平台', ticket: { ...base, ...t }, stale: false, updatedAtMs: 3 * H };
}

describe('故障统计 counts self-cleared tickets apart (R-FLT-1, R-FN-3)', () => {
  it('marked selfCleared, or from an older lower verified without repair: 自行恢复, no repair time', () => {
    const tickets = [
      ticket(1, { selfCleared: true }),
      ticket(2, {}), // an older lower: no selfCleared field, verified, never repaired
      ticket(3, { selfCleared: false, acknowledgedAtMs: H, repairingAtMs: H, repairedAtMs: H + 3 * H / 2, verifiedAtMs: 3 * H, timeToRepairMs: 3 * H / 2 }),
      ticket(4, { state: 'open', verifiedAtMs: null, timeToRepairMs: 5 * H }),
    ];
    const t = reportTables({ tree: [], lowers: [], generatedAtMs: 30 * H }, tickets, period);
    expect(t.stats).toEqual([['下级考点', '下级平台', '4', '1', '2', '1', '0', '1.5', '']]);
    expect(t.detail.map((r) => r[4])).toEqual(['已自行恢复（未经维修）', '已自行恢复（未经维修）', '已验证恢复', '待确认']);
  });
});
