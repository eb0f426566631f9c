// 录像时段 of one session: per participating room the required window and where each bound came
// from, with 已封门 for exam rooms (after the session's end) and 试卷到达/试卷离开 for custody rooms.
import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Empty, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ExportOutlined, ImportOutlined, LockOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { formatBeijing } from '../../time.ts';
import type { Exam, RoomWindow, WindowBoundSource } from '../../types.ts';
import { STATE_COLOR, bjShort, duration, sessionLabel, sessionState } from './examFormat.ts';
import { useExamText } from './examText.ts';

const SOURCE_COLOR: Record<WindowBoundSource, string> = { default: 'default', sealed: 'green', custody: 'blue', edited: 'orange' };
const KIND_ORDER: Record<string, number> = { exam: 0, lab: 1, affairs: 2, secrecy: 3 };

export function WindowsPanel({ exam, sessionId, onSessionChange, canSeal, nowMs }: {
  exam: Exam;
  sessionId: number | undefined;
  onSessionChange: (id: number) => void;
  canSeal: boolean;
  nowMs: number;
}) {
  const { t, lang } = useI18n();
  const { x, xl } = useExamText();
  const { message } = App.useApp();
  const [windows, setWindows] = useState<RoomWindow[]>([]);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const session = exam.sessions.find((s) => s.id === sessionId);

  const load = useCallback(async () => {
    if (sessionId === undefined) return;
    setLoading(true);
    try {
      const r = await api.examWindows(exam.id, sessionId);
      setWindows(r.windows.sort((a, b) => a.siteName.localeCompare(b.siteName, 'zh-CN') || (KIND_ORDER[a.roomKind] ?? 9) - (KIND_ORDER[b.roomKind] ?? 9) || a.roomName.localeCompare(b.roomName, 'zh-CN')));
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [exam.id, sessionId, message]);
  useEffect(() => { void load(); }, [load]);

  const act = async (w: RoomWindow, what: 'seal' | 'arrived' | 'left') => {
    setBusy(`${what}-${w.roomId}`);
    try {
      if (what === 'seal') await api.sealRoom(w.sessionId, w.roomId);
      else await api.custodyEvent(w.sessionId, w.roomId, what);
      void message.success(x(what === 'seal' ? 'sealDone' : what === 'arrived' ? 'arrivedDone' : 'leftDone'));
      await load();
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const ref = session?.startMs ?? nowMs;
  const bound = (ms: number, src: WindowBoundSource, which: 'startSource' | 'endSource', w: RoomWindow, id: string) => (
    <Space size={6} data-testid={id}>
      <span className="xc-time" data-testid={`${id}-time`}>{bjShort(ms, ref)}</span>
      <Tooltip title={src === 'sealed' && w.sealedBy ? x('sealedBy', { by: w.sealedBy, at: formatBeijing(w.sealedAtMs ?? 0) }) : src === 'edited' && w.editedBy ? w.editedBy : undefined}>
        <Tag color={SOURCE_COLOR[src]} style={{ marginInlineEnd: 0 }} data-testid={`${id}-source`}>{xl(which, src)}</Tag>
      </Tooltip>
    </Space>
  );

  const ended = session ? nowMs >= session.endMs : false;
  const columns: TableColumnsType<RoomWindow> = [
    { title: x('site'), dataIndex: 'siteName', width: 200, onCell: () => ({ style: { color: '#595959' } }) },
    {
      title: x('room'),
      key: 'room',
      render: (_, w) => (
        <Space size={8}>
          <Typography.Text strong>{w.roomName}</Typography.Text>
          <Tag color={w.kind === 'exam' ? 'geekblue' : 'purple'}>{xl('room', w.roomKind)}</Tag>
        </Space>
      ),
    },
    { title: x('windowStart'), key: 'start', width: 190, render: (_, w) => bound(w.startMs, w.startSource, 'startSource', w, `win-start-${w.roomId}`) },
    { title: x('windowEnd'), key: 'end', width: 190, render: (_, w) => bound(w.endMs, w.endSource, 'endSource', w, `win-end-${w.roomId}`) },
    { title: lang === 'zh' ? '时长' : 'Length', key: 'len', width: 130, render: (_, w) => <span className="xc-time">{duration(w.endMs - w.startMs, lang)}</span> },
    {
      title: t('actions'),
      key: 'actions',
      width: 230,
      render: (_, w) => {
        if (!canSeal) return null;
        if (w.kind === 'exam') {
          if (w.endSource === 'sealed') return <Tooltip title={x('sealedBy', { by: w.sealedBy ?? '', at: formatBeijing(w.sealedAtMs ?? 0) })}><Tag icon={<LockOutlined />} color="success">{x('sealed')}</Tag></Tooltip>;
          if (!ended) return <Typography.Text type="secondary" data-testid={`seal-wait-${w.roomId}`}>{x('sealNotYet')}</Typography.Text>;
          return (
            <Popconfirm title={x('sealConfirm', { room: w.roomName })} onConfirm={() => void act(w, 'seal')} okButtonProps={{ 'data-testid': `seal-ok-${w.roomId}` }}>
              <Button size="small" type="primary" ghost icon={<LockOutlined />} loading={busy === `seal-${w.roomId}`} data-testid={`seal-${w.roomId}`}>{x('seal')}</Button>
            </Popconfirm>
          );
        }
        return (
          <Space size={6}>
            <Popconfirm title={x('arrivedConfirm', { room: w.roomName })} onConfirm={() => void act(w, 'arrived')} disabled={nowMs >= w.endMs}>
              <Button size="small" icon={<ImportOutlined />} disabled={nowMs >= w.endMs} loading={busy === `arrived-${w.roomId}`} data-testid={`arrived-${w.roomId}`}>{x('arrived')}</Button>
            </Popconfirm>
            <Popconfirm title={x('leftConfirm', { room: w.roomName })} onConfirm={() => void act(w, 'left')} disabled={nowMs <= w.startMs || w.endSource === 'custody'}>
              <Button size="small" icon={<ExportOutlined />} disabled={nowMs <= w.startMs || w.endSource === 'custody'} loading={busy === `left-${w.roomId}`} data-testid={`left-${w.roomId}`}>{x('left')}</Button>
            </Popconfirm>
          </Space>
        );
      },
    },
  ];

  const sorted = [...exam.sessions].sort((a, b) => a.startMs - b.startMs);
  return (
    <div data-testid="windows-panel">
      <Space style={{ marginBottom: 12 }} wrap>
        <Typography.Text type="secondary">{x('session')}：</Typography.Text>
        <Select
          style={{ width: 340 }}
          value={sessionId}
          onChange={onSessionChange}
          data-testid="windows-session"
          options={sorted.map((s) => ({ value: s.id, label: sessionLabel(s) }))}
        />
        {session && <Tag color={STATE_COLOR[sessionState(session, nowMs)]}>{xl('state', sessionState(session, nowMs))}</Tag>}
        <Button icon={<ReloadOutlined />} onClick={() => void load()}>{x('refresh')}</Button>
      </Space>
      <Alert type="info" showIcon title={x('windowsHint')} style={{ marginBottom: 12 }} />
      <Table<RoomWindow>
        size="middle"
        rowKey="id"
        loading={loading}
        columns={columns}
        dataSource={windows}
        pagination={windows.length > 30 ? { pageSize: 30 } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={x('noWindows')} /> }}
        data-testid="windows-table"
      />
    </div>
  );
}
