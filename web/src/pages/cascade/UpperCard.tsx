// 上级平台: this node's SIP identity and its registration upward (state, last registration and
// keepalive in Beijing time, clock offset measured from the upper's Date header, last error).
import { Alert, Card, Descriptions, Empty, Space, Tag, Tooltip, Typography } from 'antd';
import { CloudUploadOutlined } from '@ant-design/icons';
import { formatBeijing } from '../../time.ts';
import type { CascadeStatus, UpperLinkStatus } from './cascadeApi.ts';
import { upperErrorZh } from './cascadeFormat.ts';
import { useCascadeText } from './cascadeText.ts';

const STATE_COLOR: Record<UpperLinkStatus['state'], string> = { registered: 'success', registering: 'processing', failed: 'error', stopped: 'default' };

export function UpperCard({ status }: { status?: CascadeStatus }) {
  const { c, lang } = useCascadeText();
  const at = (ms: number | undefined) => (ms ? formatBeijing(ms) : c('never'));
  const up = status?.upper;
  const addr = status?.upperAddress;

  const offset = (u: UpperLinkStatus) => {
    if (u.clockOffsetMs === undefined) return c('never');
    const ms = Math.round(u.clockOffsetMs);
    const text = ms >= 0 ? c('clockAhead', { ms }) : c('clockBehind', { ms: -ms });
    return (
      <Space size={8} wrap>
        <span data-testid="upper-clock-offset">{text}</span>
        {u.clockAccuracyMs !== undefined && <Typography.Text type="secondary">{c('clockAcc', { ms: Math.round(u.clockAccuracyMs) })}</Typography.Text>}
        {Math.abs(ms) > 1000 && <Tag color="warning">{c('clockWarn')}</Tag>}
      </Space>
    );
  };

  return (
    <Card title={<Space><CloudUploadOutlined />{c('upperTitle')}</Space>} size="small" data-testid="upper-card">
      {status && !status.enabled && <Alert type="info" showIcon title={c('notEnabled')} />}
      {status?.enabled && (
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} title={<Typography.Text type="secondary">{c('thisNode')}</Typography.Text>}>
          <Descriptions.Item label={c('sipId')}><Typography.Text copyable data-testid="node-sip-id">{status.sipId}</Typography.Text></Descriptions.Item>
          <Descriptions.Item label={c('domain')}>{status.domain}</Descriptions.Item>
          <Descriptions.Item label={c('sipPorts')}>UDP {status.udpPort ?? '—'} · TCP {status.tcpPort ?? '—'}</Descriptions.Item>
        </Descriptions>
      )}
      {status?.enabled && !up && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={c('noUpper')} />}
      {up && (
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} style={{ marginTop: 8 }} data-testid="upper-link" title={<Typography.Text type="secondary">{c('upperLink')}</Typography.Text>}>
          <Descriptions.Item label={c('sipId')}><Typography.Text copyable>{up.upperId}</Typography.Text></Descriptions.Item>
          <Descriptions.Item label={c('address')}>{addr ? `${addr.host}:${addr.port} / ${addr.transport.toUpperCase()}` : '—'}</Descriptions.Item>
          <Descriptions.Item label={c('regState')}>
            <Space size={4} wrap>
              <Tag color={STATE_COLOR[up.state]} data-testid="upper-state">{c(`state_${up.state}`)}</Tag>
              {up.queuedNotifications > 0 && <Tag color="warning">{c('queued', { n: up.queuedNotifications })}</Tag>}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={c('lastRegister')}><span data-testid="upper-registered-at">{at(up.registeredAtMs)}</span></Descriptions.Item>
          <Descriptions.Item label={c('expiresAt')}>{at(up.expiresAtMs)}</Descriptions.Item>
          <Descriptions.Item label={c('lastKeepalive')}>
            <Space size={8} wrap>
              <span data-testid="upper-keepalive-at">{at(up.lastKeepaliveOkMs)}</span>
              {addr && <Typography.Text type="secondary">{c('keepaliveEvery', { s: addr.keepaliveS })}</Typography.Text>}
              {up.keepaliveFailures > 0 && <Tag color="error">{c('keepaliveFailures', { n: up.keepaliveFailures })}</Tag>}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={c('clockOffset')}>{offset(up)}</Descriptions.Item>
          <Descriptions.Item label={c('lastError')} span={2}>
            {up.lastError ? (
              <Tooltip title={up.lastError}>
                <Typography.Text type="danger" data-testid="upper-last-error">{lang === 'en' ? up.lastError : upperErrorZh(up.lastError)}</Typography.Text>
              </Tooltip>
            ) : c('none')}
          </Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
