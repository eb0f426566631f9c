// 各级实测带宽 (R-PRE-4, R-PRE-2): every bandwidth measurement through the cascade reported on the
// node-to-node channel — this level's and every lower level's (a city measured its sites; the
// province follows) — with who measured, the verdict and the figures. One that came through a stale
// lower is marked 可能已过期. Reloads when the page reloads its reported sites.
import { useEffect, useState } from 'react';
import { Card, Table, Tag } from 'antd';
import type { ReportedBandwidthView } from '../../../../src/readiness/upward-bandwidth.ts';
import { request } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import { useReadinessText } from './readinessText.ts';

const T = {
  zh: { title: '各级实测带宽', by: '测量方', lower: '下级', achieved: '实测/所需', loss: '丢包', unknown: '未上报', stale: '可能已过期' },
  en: { title: 'Bandwidth measured at every level', by: 'Measured by', lower: 'Lower', achieved: 'Achieved/required', loss: 'Loss', unknown: 'not reported', stale: 'may be stale' },
};
const COLOR = { pass: 'success', warn: 'warning', fail: 'error' } as const;
const mbps = (kbps: number) => `${(kbps / 1000).toFixed(2)} Mbit/s`;

export function ReportedBandwidth({ reloadKey }: { reloadKey: unknown }) {
  const { lang } = useI18n();
  const t = T[lang === 'en' ? 'en' : 'zh'];
  const { r, sv } = useReadinessText();
  const [rows, setRows] = useState<ReportedBandwidthView[]>([]);
  useEffect(() => {
    request<{ measurements: ReportedBandwidthView[] }>('GET', '/api/readiness/reported/bandwidth').then((x) => setRows(x.measurements), () => undefined);
  }, [reloadKey]);
  if (rows.length === 0) return null;
  return (
    <Card size="small" title={t.title} style={{ marginTop: 16 }} data-testid="reported-bandwidth">
      <Table<ReportedBandwidthView>
        size="small"
        rowKey={(b) => `${b.originCode}:${b.lowerSipId}`}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: t.by, dataIndex: 'measuredAt', width: 140 },
          { title: t.lower, render: (_, b) => <span>{b.lowerName} {b.stale && <Tag color="warning">{t.stale}</Tag>}</span>, width: 180 },
          { title: r('verdict'), width: 90, render: (_, b) => <Tag color={COLOR[b.verdict]} data-testid={`reported-bw-${b.lowerSipId}`}>{r(b.verdict)}</Tag> },
          { title: t.achieved, width: 200, render: (_, b) => `${mbps(b.achievedKbps)} / ${b.requiredKbps === null ? t.unknown : mbps(b.requiredKbps)}` },
          { title: t.loss, width: 80, render: (_, b) => `${b.lossPercent.toFixed(2)}%` },
          { title: `${r('rule')} / ${r('reasons')}`, render: (_, b) => `${sv(b.rule)}${b.reason ? `；${sv(b.reason)}` : ''}` },
          { title: r('reportedAt'), width: 150, render: (_, b) => formatBeijing(b.measuredAtMs) },
        ]}
      />
    </Card>
  );
}
