// 各级上报 (R-PRE-2): what every site below reported on the node-to-node channel — ready / not
// ready / not checked / not reported — grouped by the lower node it came through, with progress per
// group and drill-down to the failing cameras — each failing probe with what the site measured and
// the rule — the per-probe counts and the site's bandwidth verdict (R-PRE-4). A lower whose channel is stale shows "未上报" with the
// last state it reported, never "就绪". Refreshes with the page.
import { Card, Empty, Progress, Space, Table, Tag, Typography } from 'antd';
import type { ReportedSiteView } from '../../../../src/readiness/upward.ts';
import { formatBeijing } from '../../time.ts';
import { useReadinessText } from './readinessText.ts';

const PROBE_KEYS = { probe_online: 1, probe_decode: 1, probe_profile: 1, probe_picture: 1, probe_moved: 1, probe_audio: 1, probe_recording: 1, probe_clock: 1, probe_device: 1, probe_config: 1 } as const;

const COLOR = { ready: 'success', not_ready: 'error', unchecked: 'default', not_reported: 'warning' } as const;
const VCOLOR = { pass: 'success', warn: 'warning', fail: 'error', unchecked: 'default', unset: 'default' } as const;
const mbps = (kbps: number) => `${(kbps / 1000).toFixed(1)} Mbit/s`;

export function ReportedPanel({ sites }: { sites: ReportedSiteView[] }) {
  const { r, sv } = useReadinessText();
  // Probe names this console knows are translated; a newer lower's unknown probe shows its code.
  const probeName = (p: string) => {
    const k = `probe_${p}`;
    return k in PROBE_KEYS ? r(k as keyof typeof PROBE_KEYS) : p;
  };
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
              rowExpandable: (s) => s.problems.length > 0 || s.probes.length > 0,
              expandedRowRender: (s) => (
                <div data-testid={`reported-detail-${s.originCode}`}>
                  <Space wrap size={4} style={{ marginBottom: 8 }}>
                    {s.probes.map((p) => (
                      <Tag key={p.probe} color={p.fail ? 'error' : p.warn ? 'warning' : 'success'}>
                        {probeName(p.probe)} {r('pass')} {p.pass}{p.warn ? ` · ${r('warn')} ${p.warn}` : ''}{p.fail ? ` · ${r('fail')} ${p.fail}` : ''}
                      </Tag>
                    ))}
                  </Space>
                  {s.problems.length > 0 && (
                    <Table
                      size="small"
                      rowKey={(p) => `${p.room}/${p.camera}`}
                      dataSource={s.problems}
                      pagination={false}
                      columns={[
                        { title: r('room'), dataIndex: 'room', width: 140 },
                        { title: r('camera'), dataIndex: 'camera', width: 140 },
                        { title: r('verdict'), width: 80, render: (_, p) => <Tag color={VCOLOR[p.verdict]}>{r(p.verdict)}</Tag> },
                        {
                          title: r('results'),
                          render: (_, p) =>
                            p.results ? (
                              <ul style={{ margin: 0, paddingLeft: 16 }}>
                                {p.results.map((x) => (
                                  <li key={x.probe}>
                                    <Tag color={VCOLOR[x.verdict]}>{probeName(x.probe)}</Tag>
                                    {r('value')}：{sv(x.value)}；{r('rule')}：{sv(x.rule)}{x.reason ? `；${sv(x.reason)}` : ''}
                                  </li>
                                ))}
                              </ul>
                            ) : (
                              p.reasons.map(sv).join('；')
                            ),
                        },
                      ]}
                    />
                  )}
                  {s.problemsOmitted > 0 && <Typography.Text type="secondary">{r('moreCameras', { n: s.problemsOmitted })}</Typography.Text>}
                </div>
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
              { title: r('cameras'), width: 130, render: (_, s) => (s.cameras ? `${r('fail')} ${s.cameras.fail} · ${r('warn')} ${s.cameras.warn} / ${s.cameras.total}` : '—') },
              {
                title: r('bandwidth'),
                width: 170,
                render: (_, s) =>
                  s.bandwidth ? (
                    <Tag color={VCOLOR[s.bandwidth.verdict]} data-testid={`reported-bw-${s.originCode}`}>
                      {mbps(s.bandwidth.requiredKbps)} / {s.bandwidth.capacityKbps === null ? r('bwUnset') : mbps(s.bandwidth.capacityKbps)}
                    </Tag>
                  ) : (
                    '—'
                  ),
              },
              { title: r('reasons'), width: 240, render: (_, s) => (s.reasons.length ? s.reasons.map((x) => <div key={x}>{sv(x)}</div>) : '—') },
              { title: r('reportedAt'), width: 170, render: (_, s) => (s.updatedAtMs ? formatBeijing(s.updatedAtMs) : '—') },
            ]}
          />
        </>
      )}
    </Card>
  );
}
