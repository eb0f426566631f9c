// 级联会话: what this node carries over the cascade right now — video streams sent to the upper,
// and every voice leg (the upper's 喊话/对讲 into one of our rooms, our 喊话 down to a lower's
// channel), so an operator sees an upper speaking into a room without reading the audit log.
import { Card, Descriptions, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { SoundOutlined } from '@ant-design/icons';
import { formatBeijing } from '../../time.ts';
import type { CascadeStatus, VoiceLeg } from './cascadeApi.ts';
import { useCascadeText } from './cascadeText.ts';

/** 1 分 05 秒 / 1 min 05 s: how long a leg has run, at the page's 5-s refresh. */
export function runningFor(ms: number, lang: 'zh' | 'en'): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const rest = String(s % 60).padStart(2, '0');
  if (lang === 'en') return m > 0 ? `${m} min ${rest} s` : `${s % 60} s`;
  return m > 0 ? `${m} 分 ${rest} 秒` : `${s % 60} 秒`;
}

export function SessionsCard({ status, nowMs }: { status?: CascadeStatus; nowMs: number }) {
  const { c, lang } = useCascadeText();
  if (!status?.enabled) return null;
  const legs = status.voiceLegs;
  const kindText = (l: VoiceLeg) => (l.kind === 'broadcast' ? c('kind_broadcast') : l.twoWay ? c('kind_talk2') : c('kind_talk'));
  return (
    <Card title={<Space><SoundOutlined />{c('sessionsTitle')}</Space>} size="small" data-testid="sessions-card">
      <Descriptions size="small" column={{ xs: 1, md: 2 }}>
        <Descriptions.Item label={c('mediaSessions')}><span data-testid="media-sessions">{c('mediaSessionsN', { n: status.mediaSessions })}</span></Descriptions.Item>
      </Descriptions>
      <Typography.Text type="secondary">{c('voiceTitle')} · {c('voiceHint')}</Typography.Text>
      {legs.length === 0 ? (
        <div style={{ marginTop: 8 }}><Typography.Text data-testid="voice-none">{c('noVoice')}</Typography.Text></div>
      ) : (
        <Table<VoiceLeg>
          size="small" rowKey="callId" dataSource={legs} pagination={false} style={{ marginTop: 8 }} data-testid="voice-legs"
          columns={[
            { title: c('direction'), key: 'dir', render: (_, l) => <Tag color={l.direction === 'from_upper' ? 'purple' : 'blue'} data-testid="voice-direction">{c(`dir_${l.direction}`)}</Tag> },
            { title: c('voiceKind'), key: 'kind', render: (_, l) => <span data-testid="voice-kind">{kindText(l)}</span> },
            {
              title: c('camera'), key: 'camera',
              render: (_, l) => <Tooltip title={`${c('channelId')} ${l.channelId}`}><span data-testid="voice-camera">{l.cameraName ?? l.channelId}</span></Tooltip>,
            },
            { title: c('peer'), dataIndex: 'peerId', render: (v: string) => <Typography.Text copyable>{v}</Typography.Text> },
            { title: c('transport'), dataIndex: 'transport', render: (v: string) => v.toUpperCase() },
            { title: c('startedAt'), dataIndex: 'startedAtMs', render: (v: number) => formatBeijing(v) },
            { title: c('duration'), key: 'for', render: (_, l) => runningFor(nowMs - l.startedAtMs, lang) },
          ]}
        />
      )}
    </Card>
  );
}
