// A lower's remote catalog (remote_channel) as a tree: groups and cameras with ON/OFF, refreshed
// with the page; a camera that this node pulls as one of its own (source GB/T 28181) can be
// watched live, and any camera channel's recordings listed through RecordInfo.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { FolderOutlined, HistoryOutlined, PlayCircleOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { cascadeApi } from './cascadeApi.ts';
import type { Lower, RemoteChannel } from './cascadeApi.ts';
import { channelTree, groupKeys, infoLines, infoSummary } from './cascadeFormat.ts';
import type { ChannelNode } from './cascadeFormat.ts';
import { useCascadeText } from './cascadeText.ts';
import { RecordsModal } from './RecordsModal.tsx';
import { WatchModal } from './WatchModal.tsx';

/** Above this many items only the first level opens by itself (a 20,000-channel catalog must stay usable). */
const EXPAND_ALL_MAX = 300;

function statusTag(status: string | null, c: ReturnType<typeof useCascadeText>['c']) {
  if (status === 'ON') return <Tag color="success" data-testid="channel-status">ON · {c('on')}</Tag>;
  if (status === 'OFF') return <Tag color="error" data-testid="channel-status">OFF · {c('off')}</Tag>;
  return <Tag data-testid="channel-status">{status ?? c('unknown')}</Tag>;
}

export function ChannelTree({ lower, tick }: { lower: Lower; tick: number }) {
  const { c, err, lang } = useCascadeText();
  const [channels, setChannels] = useState<RemoteChannel[]>();
  const [error, setError] = useState<string>();
  const [expanded, setExpanded] = useState<string[] | undefined>(undefined);
  const [watch, setWatch] = useState<RemoteChannel>();
  const [records, setRecords] = useState<RemoteChannel>();

  useEffect(() => {
    let stop = false;
    cascadeApi.channels(lower.id).then(
      (r) => {
        if (stop) return;
        setChannels(r.channels);
        setError(undefined);
      },
      (e: unknown) => !stop && setError(err(e)),
    );
    return () => {
      stop = true;
    };
  }, [lower.id, tick, err]);

  const tree = useMemo(() => channelTree(channels ?? []), [channels]);
  // Open the tree once, when the first catalog arrives; later refreshes keep what the user opened.
  useEffect(() => {
    if (expanded !== undefined || !channels) return;
    setExpanded(channels.length <= EXPAND_ALL_MAX ? groupKeys(tree) : tree.map((n) => n.key));
  }, [channels, tree, expanded]);

  const columns: TableColumnsType<ChannelNode> = [
    {
      title: c('channelName'),
      key: 'name',
      render: (_, n) => (
        <Space size={6}>
          {n.kind === 'channel' ? <VideoCameraOutlined /> : <FolderOutlined />}
          <span>{n.name}</span>
          {n.kind !== 'channel' && n.children && <Typography.Text type="secondary">({n.children.length})</Typography.Text>}
        </Space>
      ),
    },
    { title: c('channelId'), dataIndex: 'deviceId', width: 200, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    { title: c('kind'), key: 'kind', width: 90, render: (_, n) => c(n.kind === 'channel' ? 'camera' : n.kind === 'group' ? 'group' : 'device') },
    { title: c('status'), key: 'status', width: 120, render: (_, n) => (n.kind === 'group' && n.status === null ? null : statusTag(n.status, c)) },
    { title: c('vendor'), key: 'vendor', width: 160, render: (_, n) => [n.manufacturer, n.model].filter(Boolean).join(' / ') || '—' },
    {
      // The catalog <Info> the lower sent (2016/2022 A.2.4.4): a short reading, every field in the tooltip.
      title: c('attributes'),
      key: 'info',
      width: 200,
      render: (_, n) => {
        const lines = infoLines(n.info, lang);
        if (lines.length === 0) return n.kind === 'channel' ? <Typography.Text type="secondary">{c('unknown')}</Typography.Text> : null;
        return (
          <Tooltip title={<div>{lines.map((l) => <div key={l}>{l}</div>)}</div>}>
            <span data-testid={`info-${n.deviceId}`}>{infoSummary(n.info, lang) || c('more')}</span>
          </Tooltip>
        );
      },
    },
    {
      title: c('actions'),
      key: 'actions',
      width: 200,
      render: (_, n) =>
        n.kind === 'channel' && (
          <Space size={4}>
            <Tooltip title={n.cameraId === null ? c('watchNoCamera') : undefined}>
              <Button size="small" type="link" icon={<PlayCircleOutlined />} disabled={n.cameraId === null} onClick={() => setWatch(n)} data-testid={`watch-${n.deviceId}`}>
                {c('watch')}
              </Button>
            </Tooltip>
            <Button size="small" type="link" icon={<HistoryOutlined />} onClick={() => setRecords(n)} data-testid={`records-${n.deviceId}`}>
              {c('records')}
            </Button>
          </Space>
        ),
    },
  ];

  return (
    <div data-testid={`channels-${lower.sipId}`}>
      {!lower.online && channels && channels.length > 0 && <Alert type="warning" showIcon title={c('staleHint')} style={{ marginBottom: 8 }} />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
      <Table<ChannelNode>
        size="small"
        rowKey="key"
        columns={columns}
        dataSource={tree}
        loading={channels === undefined && !error}
        pagination={tree.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        expandable={{ expandedRowKeys: expanded ?? [], onExpandedRowsChange: (keys) => setExpanded(keys.map(String)) }}
        locale={{ emptyText: c('noChannels') }}
      />
      {watch?.cameraId != null && <WatchModal cameraId={watch.cameraId} name={watch.name} onClose={() => setWatch(undefined)} />}
      {records && <RecordsModal channel={records} onClose={() => setRecords(undefined)} />}
    </div>
  );
}
