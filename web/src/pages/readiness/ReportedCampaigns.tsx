// 各级检测任务进度 (R-PRE-2): every campaign reported on the node-to-node channel — this level's and
// every lower level's — with its progress (sites ready, cameras checked, checklist signed). A
// campaign that came through a stale lower is marked 可能已过期, never shown as fresh. Reloads when
// the page reloads its reported sites.
import { useEffect, useState } from 'react';
import { Card, Progress, Table, Tag } from 'antd';
import type { ReportedCampaignView } from '../../../../src/readiness/upward-campaigns.ts';
import { formatBeijing } from '../../time.ts';
import { readinessApi } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';

export function ReportedCampaigns({ reloadKey }: { reloadKey: unknown }) {
  const { r } = useReadinessText();
  const [rows, setRows] = useState<ReportedCampaignView[]>([]);
  useEffect(() => {
    readinessApi.reportedCampaigns().then((x) => setRows(x.campaigns), () => undefined);
  }, [reloadKey]);
  if (rows.length === 0) return null;
  return (
    <Card size="small" title={r('campaignsReported')} style={{ marginTop: 16 }} data-testid="reported-campaigns">
      <Table<ReportedCampaignView>
        size="small"
        rowKey={(c) => `${c.originCode}:${c.campaignId}`}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: r('node'), dataIndex: 'orgNodeName', width: 160 },
          { title: r('name'), render: (_, c) => <span>{c.name} {c.state === 'closed' && <Tag>{r('state_closed')}</Tag>}{c.stale && <Tag color="warning">{r('staleProgress')}</Tag>}</span> },
          { title: r('deadline'), width: 150, render: (_, c) => formatBeijing(c.deadlineMs) },
          { title: r('progress'), width: 200, render: (_, c) => <Progress size="small" percent={c.sites.total ? Math.round((c.sites.ready / c.sites.total) * 100) : 0} format={() => `${c.sites.ready}/${c.sites.total}`} status={c.sites.notReady || c.stale ? 'exception' : undefined} data-testid={`reported-campaign-${c.originCode}-${c.campaignId}`} /> },
          { title: r('cameras'), width: 150, render: (_, c) => `${r('checked')} ${c.cameras.checked}/${c.cameras.total} · ${r('fail')} ${c.cameras.fail}` },
          { title: r('checklist'), width: 90, render: (_, c) => `${c.checklist.signed}/${c.checklist.needed}` },
          { title: r('reportedAt'), width: 150, render: (_, c) => formatBeijing(c.updatedAtMs) },
        ]}
      />
    </Card>
  );
}
