// 各级上报 (R-PRE-2): what every site below reported on the node-to-node channel — ready / not
// ready / not checked / not reported — grouped by the lower node it came through, with progress per
// group and drill-down to the failing cameras. A lower whose channel is stale shows "未上报" with the
// last state it reported, never "就绪". Refreshes with the page.
import { Card, Empty, Progress, Space, Table, Tag, Typography } from 'antd';
import type { ReportedSiteView } from '../../../../src/readiness/upward.ts';
import { formatBeijing } from '../../time.ts';
import { useReadinessText } from './readinessText.ts';

const COLOR = { ready: 'success', not_ready: 'error', unchecked: 'default', not_reported: 'warning' } as const;

export function ReportedPanel({ sites }: { sites: ReportedSiteView[] }) {
  const { r } = useReadinessText();
  const groups = new Map<string, ReportedSiteView[]>();
  for (const s of sites) groups.set(s.via, [...(groups.get(s.via) ?? []), s]);
  const count = (l: ReportedSiteView[], k: ReportedSiteView['state']) => l.filter((s) => s.state === k).length;
  return (
    <Card size="small" title={r('reportedTitle')} style={{ marginTop: 16 }} data-testid="reported-panel">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>{r('reportedHint')}</Typography.Paragraph>
      {sites.length === 0 ? (
        <Empty description={r('reportedNone')} />
      ) : (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            {[...groups.entries()].map(([via, l]) => (
              <Card key={via} size="small" style={{ width: 240 }} data-testid={`reported-group-${via}`}>
                <b>{via}</b>
                <Progress percent={Math.round((count(l, 'ready') / l.length) * 100)} format={() => `${count(l, 'ready')}/${l.length}`} status={count(l, 'not_ready') + count(l, 'not_reported') ? 'exception' : undefined} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {r('ready')} {count(l, 'ready')} · {r('not_ready')} {count(l, 'not_ready')} · {r('unchecked')} {count(l, 'unchecked')} · {r('not_reported')} {count(l, 'not_reported')}
                </Typography.Text>
              </Card>
            ))}
          </Space>
          <Table<ReportedSiteView>
            size="small"
            rowKey={(s) => `${s.originCode}:${s.campaignName ?? ''}`}
            dataSource={sites}
            pagination={false}
            expandable={{
              rowExpandable: (s) => s.problems.length > 0,
              expandedRowRender: (s) => (
                <Table
                  size="small"
                  rowKey={(p) => `${p.room}/${p.camera}`}
                  dataSource={s.problems}
                  pagination={false}
                  columns={[
                    { title: r('room'), dataIndex: 'room', width: 160 },
                    { title: r('camera'), dataIndex: 'camera', width: 160 },
                    { title: r('verdict'), width: 80, render: (_, p) => <Tag color={p.verdict === 'fail' ? 'error' : p.verdict === 'warn' ? 'warning' : 'default'}>{r(p.verdict)}</Tag> },
                    { title: r('reasons'), render: (_, p) => p.reasons.join('；') },
                  ]}
                />
              ),
            }}
            columns={[
              { title: r('via'), dataIndex: 'via', width: 160 },
              { title: r('site'), dataIndex: 'siteName', width: 200 },
              { title: r('campaigns'), render: (_, s) => s.campaignName ?? '—', width: 180 },
              {
                title: r('siteState'),
                width: 150,
                render: (_, s) => (
                  <span data-testid={`reported-state-${s.originCode}`}>
                    <Tag color={COLOR[s.state]}>{r(s.state)}</Tag>
                    {s.lastReportedState && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r('lastReported')} {r(s.lastReportedState)}</Typography.Text>}
                  </span>
                ),
              },
              { title: r('reasons'), render: (_, s) => s.reasons.join('；') || '—' },
              { title: r('reportedAt'), width: 170, render: (_, s) => (s.updatedAtMs ? formatBeijing(s.updatedAtMs) : '—') },
            ]}
          />
        </>
      )}
    </Card>
  );
}
