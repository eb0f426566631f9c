// 考前检测 (exam readiness, issue 17; R-PRE-1..7, R-CITY-4, R-CITY-5): campaigns in my scope, per
// site ready / not ready / not checked with the reasons, cameras per site by verdict (chart), per
// camera results with thumbnails, re-run of a camera / room / everything, reference and checklist
// sign-offs. Refreshes every 3 s while probes run, every 15 s otherwise.
import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Empty, Progress, Space, Table, Tabs, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { canWrite } from '../../routes.ts';
import type { User } from '../../types.ts';
import { CameraResults } from './CameraResults.tsx';
import { ChecklistPanel } from './ChecklistPanel.tsx';
import type { Campaign, CampaignDetail, SiteState } from './readinessApi.ts';
import { readinessApi } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';
import { SiteChart } from './SiteChart.tsx';
import { BandwidthCell } from './BandwidthCell.tsx';
import { CascadeBandwidthPanel } from './CascadeBandwidthPanel.tsx';
import { ReportedCampaigns } from './ReportedCampaigns.tsx';
import { ReportedBandwidth } from './ReportedBandwidth.tsx';
import { ReportedPanel } from './ReportedPanel.tsx';
import { NewCampaignModal } from './NewCampaignModal.tsx';
import { TemplatesPanel } from './TemplatesPanel.tsx';
import type { ReportedSiteView } from '../../../../src/readiness/upward.ts';

const STATE_COLOR = { ready: 'success', not_ready: 'error', unchecked: 'default' } as const;

export function ReadinessPage({ user }: { user: User }) {
  const { r, err, sv } = useReadinessText();
  const { message } = AntApp.useApp();
  const [campaigns, setCampaigns] = useState<Campaign[]>();
  const [selected, setSelected] = useState<number>();
  const [detail, setDetail] = useState<CampaignDetail>();
  const [reported, setReported] = useState<ReportedSiteView[]>([]);
  const [error, setError] = useState<string>();
  const [bust, setBust] = useState(0);
  const [creating, setCreating] = useState(false);
  const admin = canWrite(user.role);
  const canSign = user.role === 'admin' || user.role === 'operator';

  const load = useCallback(async () => {
    try {
      const [list, rep] = await Promise.all([readinessApi.campaigns().then((x) => x.campaigns), readinessApi.reported().then((x) => x.sites)]);
      setCampaigns(list);
      setReported(rep);
      const id = selected ?? list[0]?.id;
      if (id !== undefined) {
        setSelected(id);
        setDetail(await readinessApi.campaign(id));
      }
      setBust(Date.now());
      setError(undefined);
    } catch (e) {
      setError(err(e));
    }
  }, [selected, err]);
  useEffect(() => {
    void load();
  }, [load]);
  const running = detail?.cameras.some((c) => c.running) ?? false;
  useEffect(() => {
    const id = window.setInterval(() => void load(), running ? 3000 : 15_000);
    return () => window.clearInterval(id);
  }, [load, running]);

  const probeAll = async () => {
    if (!detail) return;
    try {
      void message.info(r('queued', { n: (await readinessApi.probe(detail.id, {})).queued }));
      void load();
    } catch (e) {
      void message.error(err(e));
    }
  };
  const readyShare = (c: Campaign) => (c.sites.length ? c.sites.filter((s) => s.state === 'ready').length / c.sites.length : 0);

  return (
    <div style={{ padding: 16 }}>
      <Space style={{ marginBottom: 12 }} align="baseline">
        <Typography.Title level={4} style={{ margin: 0 }}>{r('title')}</Typography.Title>
        <Typography.Text type="secondary">{r('subtitle')}</Typography.Text>
        <Button icon={<ReloadOutlined />} size="small" onClick={() => void load()}>{r('refresh')}</Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
        <Card size="small" title={r('campaigns')} style={{ width: 380, flex: 'none' }} extra={admin && <Button size="small" type="primary" onClick={() => setCreating(true)} data-testid="open-new-campaign">{r('newCampaign')}</Button>}>
          <Table<Campaign>
            size="small"
            rowKey="id"
            dataSource={campaigns}
            pagination={false}
            onRow={(c) => ({ 'data-testid': `campaign-${c.id}`, onClick: () => setSelected(c.id), style: { cursor: 'pointer', background: c.id === selected ? '#e6f4ff' : undefined } })}
            columns={[
              { title: r('name'), render: (_, c) => <span><b>{c.name}</b><br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.orgNodeName} · {r(c.checks === 'full' ? 'checks_full' : 'checks_clock')} · {r('deadline')} {c.deadline}</Typography.Text>{c.state === 'closed' && <Tag style={{ marginLeft: 4 }}>{r('state_closed')}</Tag>}</span> },
              { title: r('progress'), width: 90, render: (_, c) => <Progress type="circle" size={40} percent={Math.round(readyShare(c) * 100)} format={() => `${c.sites.filter((s) => s.state === 'ready').length}/${c.sites.length}`} /> },
            ]}
          />
        </Card>
        <div style={{ flex: 1, minWidth: 0 }}>
          {!detail ? (
            <Empty description={r('select')} />
          ) : (
            <Card
              size="small"
              title={<span>{detail.name} <Tag>{r(detail.checks === 'full' ? 'checks_full' : 'checks_clock')}</Tag>{detail.origin === 'timetable' && <Tag color="blue">{r('origin_timetable')}</Tag>}<Tag color={detail.state === 'open' ? 'processing' : 'default'}>{r(detail.state === 'open' ? 'state_open' : 'state_closed')}</Tag></span>}
              extra={<Space>
                <Button href={readinessApi.reportUrl(detail.id, 'xlsx')} data-testid="report-xlsx">{r('reportXlsx')}</Button>
                <Button href={readinessApi.reportUrl(detail.id, 'pdf')} target="_blank" data-testid="report-pdf">{r('reportPdf')}</Button>
                {admin && detail.state === 'open' && <Button type="primary" data-testid="probe-all" onClick={() => void probeAll()} loading={running}>{r('probeAll')}</Button>}
              </Space>}
            >
              <Typography.Paragraph type="secondary">
                {r('deadline')}: {detail.deadline} · {r('contacts')}: {detail.contacts.length ? detail.contacts.map((c) => `${c.nodeName} ${c.name} ${c.phone}`).join('；') : r('none')}
              </Typography.Paragraph>
              <Table<SiteState>
                size="small"
                rowKey="siteId"
                dataSource={detail.sites}
                pagination={false}
                columns={[
                  { title: r('site'), dataIndex: 'siteName', width: 150 },
                  { title: r('siteState'), width: 90, render: (_, s) => <Tag color={STATE_COLOR[s.state]} data-testid={`site-state-${s.siteId}`}>{r(s.state)}</Tag> },
                  { title: r('cameras'), width: 150, render: (_, s) => `${r('pass')} ${s.cameras.pass} / ${r('warn')} ${s.cameras.warn} / ${r('fail')} ${s.cameras.fail} / ${r('unchecked')} ${s.cameras.unchecked}` },
                  { title: r('checklist'), width: 90, render: (_, s) => `${s.checklist.signed}/${s.checklist.needed}` },
                  { title: r('bandwidth'), width: 190, render: (_, s) => <BandwidthCell site={s} canEdit={admin} onChanged={() => void load()} /> },
                  { title: r('reasons'), width: 240, render: (_, s) => s.reasons.map((x) => <div key={x}>{sv(x)}</div>) },
                  { title: r('report'), width: 70, render: (_, s) => <a href={readinessApi.reportUrl(detail.id, 'pdf', s.siteId)} target="_blank" rel="noreferrer" data-testid={`site-report-${s.siteId}`}>PDF</a> },
                ]}
              />
              <SiteChart sites={detail.sites} />
              <Tabs
                items={[
                  { key: 'cameras', label: `${r('cameras')} (${detail.cameras.length})`, children: <CameraResults campaign={detail} canProbe={admin} canSign={canSign} bust={bust} onChanged={() => void load()} /> },
                  { key: 'checklist', label: `${r('checklist')} (${detail.checklistItems.length})`, children: <ChecklistPanel campaign={detail} canSign={canSign} onChanged={() => void load()} /> },
                ]}
              />
            </Card>
          )}
        </div>
      </div>
      <ReportedPanel sites={reported} />
      <CascadeBandwidthPanel canMeasure={admin} />
      <ReportedCampaigns reloadKey={reported} />
      <ReportedBandwidth reloadKey={reported} />
      {admin && <TemplatesPanel />}
      <NewCampaignModal open={creating} onClose={() => setCreating(false)} onCreated={(c) => { setCreating(false); setSelected(c.id); }} />
    </div>
  );
}
