// 场次安排: the exam's sessions (subject, date, start, end, state), add / edit / delete and timetable import.
import { useState } from 'react';
import { App, Button, Empty, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, EditOutlined, FieldTimeOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { Exam, ExamSession } from '../../types.ts';
import { STATE_COLOR, bjDate, bjTime, sessionState } from './examFormat.ts';
import { useExamText } from './examText.ts';
import { SessionFormModal } from './SessionFormModal.tsx';
import { TimetableImportModal } from './TimetableImportModal.tsx';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

export function SessionsPanel({ exam, writable, nowMs, onChanged, onShowWindows }: {
  exam: Exam;
  writable: boolean;
  nowMs: number;
  onChanged: () => void;
  onShowWindows: (sessionId: number) => void;
}) {
  const { t, lang } = useI18n();
  const { x, xl } = useExamText();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<ExamSession | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const sessions = [...exam.sessions].sort((a, b) => a.startMs - b.startMs);

  const remove = async (s: ExamSession) => {
    try {
      await api.deleteSession(s.id);
      void message.success(t('deleted'));
      onChanged();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  const columns: TableColumnsType<ExamSession> = [
    { title: x('subject'), dataIndex: 'subject', render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
    {
      title: x('date'),
      key: 'date',
      width: 170,
      render: (_, s) => {
        const d = bjDate(s.startMs);
        const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
        return <span className="xc-time">{d}{lang === 'zh' ? `（周${WEEKDAYS[wd]}）` : ''}</span>;
      },
    },
    { title: x('start'), key: 'start', width: 100, render: (_, s) => <span className="xc-time">{bjTime(s.startMs)}</span> },
    { title: x('end'), key: 'end', width: 100, render: (_, s) => <span className="xc-time">{bjTime(s.endMs)}</span> },
    {
      title: x('sessionStatus'),
      key: 'state',
      width: 100,
      render: (_, s) => {
        const st = sessionState(s, nowMs);
        return <Tag color={STATE_COLOR[st]} data-testid={`session-state-${s.id}`}>{xl('state', st)}</Tag>;
      },
    },
    {
      title: t('actions'),
      key: 'actions',
      width: writable ? 250 : 120,
      render: (_, s) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<FieldTimeOutlined />} onClick={() => onShowWindows(s.id)} data-testid={`session-windows-${s.id}`}>{x('viewWindows')}</Button>
          {writable && <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(s)}>{t('edit')}</Button>}
          {writable && (
            <Popconfirm title={x('deleteSessionConfirm', { name: s.subject })} okButtonProps={{ danger: true }} onConfirm={() => void remove(s)} disabled={s.startMs <= nowMs}>
              <Button type="link" size="small" danger icon={<DeleteOutlined />} disabled={s.startMs <= nowMs}>{t('delete')}</Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="sessions-panel">
      {writable && (
        <Space style={{ marginBottom: 12 }}>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="session-add">{x('addSession')}</Button>
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="timetable-import">{x('importTimetable')}</Button>
        </Space>
      )}
      <Table<ExamSession>
        size="middle"
        rowKey="id"
        columns={columns}
        dataSource={sessions}
        pagination={sessions.length > 20 ? { pageSize: 20 } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={x('noSessions')} /> }}
        data-testid="sessions-table"
      />
      {editing && (
        <SessionFormModal
          examId={exam.id}
          session={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void message.success(t('updated'));
            onChanged();
          }}
        />
      )}
      {importing && <TimetableImportModal examId={exam.id} examName={exam.name} onClose={() => setImporting(false)} onDone={onChanged} />}
    </div>
  );
}
