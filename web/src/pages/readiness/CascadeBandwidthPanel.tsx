// 经级联实测带宽 (R-PRE-4, R-PRE-2): beside what each lower site reported about its bandwidth, an
// administrator of the upper level measures the link for real — every channel of the lower pulled
// at once over GB/T 28181 for a fixed time — and sees achieved bitrate, loss, jitter and the verdict.
import { useEffect, useState } from 'react';
import { App as AntApp, Button, Card, InputNumber, Space, Table, Tag, Typography } from 'antd';
import type { CascadeBandwidthView } from '../../../../src/readiness/cascade-bandwidth-service.ts';
import type { LowerDetailView } from '../../../../src/cascade/service.ts';
import { request } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import { useReadinessText } from './readinessText.ts';

const T = {
  zh: { title: '经级联实测带宽', hint: '上级同时拉取下级全部通道的实时流（国标 INVITE，最多 32 路）一段时间，在接收端测得码率、丢包（RTP 序号缺口）和抖动（RFC 3550）。实测总码率不低于下级上报的所需码率且丢包 < 1% 为合格 (R-PRE-4)。', lower: '下级', measure: '实测', seconds: '秒', achieved: '实测/所需', loss: '丢包', jitter: '抖动', at: '测量时间', unknown: '未上报', never: '未测量', streams: '路数' },
  en: { title: 'Bandwidth measured through the cascade', hint: 'The upper pulls every channel of the lower at once (GB/T 28181 live INVITE, at most 32) for a while and measures bitrate, loss (RTP sequence gaps) and jitter (RFC 3550) at its receiver. Pass: achieved ≥ what the lower reported it needs, loss < 1 % (R-PRE-4).', lower: 'Lower', measure: 'Measure', seconds: 's', achieved: 'Achieved/required', loss: 'Loss', jitter: 'Jitter', at: 'Measured at', unknown: 'not reported', never: 'not measured', streams: 'Streams' },
};
const COLOR = { pass: 'success', warn: 'warning', fail: 'error' } as const;
const mbps = (kbps: number) => `${(kbps / 1000).toFixed(2)} Mbit/s`;

export function CascadeBandwidthPanel({ canMeasure }: { canMeasure: boolean }) {
  const { lang } = useI18n();
  const t = T[lang === 'en' ? 'en' : 'zh'];
  const { r, err, sv } = useReadinessText();
  const { message } = AntApp.useApp();
  const [lowers, setLowers] = useState<LowerDetailView[]>([]);
  const [results, setResults] = useState<CascadeBandwidthView[]>([]);
  const [busy, setBusy] = useState<number | null>(null);
  const [seconds, setSeconds] = useState<number>(10);
  const load = () => {
    request<{ lowers: LowerDetailView[] }>('GET', '/api/cascade/lowers').then((x) => setLowers(x.lowers), () => setLowers([]));
    request<{ lowers: CascadeBandwidthView[] }>('GET', '/api/readiness/lowers/bandwidth').then((x) => setResults(x.lowers), () => undefined);
  };
  useEffect(load, []);
  if (lowers.length === 0) return null;
  const measure = async (id: number) => {
    setBusy(id);
    try {
      await request<CascadeBandwidthView>('POST', `/api/readiness/lowers/${id}/bandwidth`, { durationMs: seconds * 1000 });
      load();
    } catch (e) {
      void message.error(err(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card size="small" title={t.title} style={{ marginTop: 16 }} data-testid="cascade-bandwidth"
      extra={canMeasure && <Space><InputNumber size="small" min={2} max={60} value={seconds} onChange={(v) => setSeconds(v ?? 10)} addonAfter={t.seconds} style={{ width: 110 }} /></Space>}>
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>{t.hint}</Typography.Paragraph>
      <Table<LowerDetailView>
        size="small"
        rowKey="id"
        dataSource={lowers}
        pagination={false}
        columns={[
          { title: t.lower, render: (_, l) => <span>{l.name} <Tag color={l.online ? 'success' : 'default'}>{l.online ? 'online' : 'offline'}</Tag></span>, width: 220 },
          { title: r('verdict'), width: 90, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? <Tag color={COLOR[b.verdict]} data-testid={`cascade-bw-${l.id}`}>{r(b.verdict)}</Tag> : t.never; } },
          { title: t.achieved, width: 200, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? `${mbps(b.achievedKbps)} / ${b.requiredKbps === null ? t.unknown : mbps(b.requiredKbps)}` : '—'; } },
          { title: t.streams, width: 70, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? `${b.streams}/${b.channelsTotal}` : '—'; } },
          { title: t.loss, width: 80, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? `${b.lossPercent.toFixed(2)}%` : '—'; } },
          { title: t.jitter, width: 80, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? `${b.jitterMs.toFixed(1)} ms` : '—'; } },
          { title: `${r('rule')} / ${r('reasons')}`, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? `${sv(b.rule)}${b.reason ? `；${sv(b.reason)}` : ''}` : '—'; } },
          { title: t.at, width: 150, render: (_, l) => { const b = results.find((x) => x.lowerId === l.id); return b ? formatBeijing(b.measuredAtMs) : '—'; } },
          ...(canMeasure ? [{ title: '', width: 80, render: (_: unknown, l: LowerDetailView) => <Button size="small" loading={busy === l.id} disabled={busy !== null} data-testid={`cascade-bw-measure-${l.id}`} onClick={() => void measure(l.id)}>{t.measure}</Button> }] : []),
        ]}
      />
    </Card>
  );
}
