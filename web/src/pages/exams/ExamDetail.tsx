// One exam: summary (type, national, owner, retention, sites) and tabs 场次安排 / 录像时段 / 完整性报告.
import { useEffect, useState } from 'react';
import { Button, Card, Descriptions, Popconfirm, Space, Tabs, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, EnvironmentOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n.ts';
import type { Exam } from '../../types.ts';
import { focusSession } from './examFormat.ts';
import { useExamText } from './examText.ts';
import { ReportPanel } from './ReportPanel.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';
import { WindowsPanel } from './WindowsPanel.tsx';

type Tab = 'sessions' | 'windows' | 'report';

export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(h);
  }, [everyMs]);
  return now;
}

export function ExamDetail({ exam, writable, canSeal, reportOnly = false, onEdit, onEditSites, onDelete, onChanged }: {
  exam: Exam;
  writable: boolean;
  canSeal: boolean;
  /** Only the 完整性报告 tab (the inspector: report.read without exam.read). */
  reportOnly?: boolean;
  onEdit: () => void;
  onEditSites: () => void;
  onDelete: () => Promise<void>;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { x, xl } = useExamText();
  const nowMs = useNow(10_000);
  const [tab, setTab] = useState<Tab>(reportOnly ? 'report' : 'sessions');
  const [windowsSession, setWindowsSession] = useState<number | undefined>(() => focusSession(exam.sessions, Date.now())?.id);
  const [reportSession, setReportSession] = useState<number | undefined>(undefined);

  // Another exam selected, or the focused session deleted: focus again.
  useEffect(() => {
    setWindowsSession((cur) => (cur !== undefined && exam.sessions.some((s) => s.id === cur) ? cur : focusSession(exam.sessions, Date.now())?.id));
    setReportSession((cur) => (cur !== undefined && exam.sessions.some((s) => s.id === cur) ? cur : undefined));
  }, [exam]);

  const narrowed = exam.selectedRoomIds.length;
  return (
    <Card
      data-testid="exam-detail"
      title={
        <Space size={10} wrap>
          <span data-testid="exam-detail-name">{exam.name}</span>
          <Tag color="blue">{xl('kind', exam.kind)}</Tag>
          {exam.national && <Tag color="red">{x('national')}</Tag>}
        </Space>
      }
      extra={
        writable && (
          <Space>
            <Button icon={<EditOutlined />} onClick={onEdit} data-testid="exam-edit">{t('edit')}</Button>
            <Popconfirm title={x('deleteExamConfirm', { name: exam.name })} okButtonProps={{ danger: true }} onConfirm={() => void onDelete()}>
              <Button danger icon={<DeleteOutlined />}>{t('delete')}</Button>
            </Popconfirm>
          </Space>
        )
      }
    >
      <Descriptions size="small" column={3} style={{ marginBottom: 8 }}>
        <Descriptions.Item label={x('owner')}>{exam.ownerNodeName}</Descriptions.Item>
        <Descriptions.Item label={x('retention')}>{x('retentionDays', { n: exam.retentionDays })}</Descriptions.Item>
        <Descriptions.Item label={x('tabSessions')}>{x('sessionsCount', { n: exam.sessions.length })}</Descriptions.Item>
        <Descriptions.Item label={x('sites')} span={3}>
          <Space size={[4, 4]} wrap data-testid="exam-sites">
            {exam.sites.length === 0 && <Typography.Text type="warning">{x('noSites')}</Typography.Text>}
            {exam.sites.map((s) => <Tag key={s.siteId} icon={<EnvironmentOutlined />} color="geekblue">{s.name}</Tag>)}
            {narrowed > 0 && <Typography.Text type="secondary">{x('roomsNarrowed', { n: narrowed })}</Typography.Text>}
            {writable && <Button size="small" type="link" onClick={onEditSites} data-testid="exam-sites-edit">{x('sitesEdit')}</Button>}
          </Space>
        </Descriptions.Item>
      </Descriptions>
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as Tab)}
        items={[
          ...(reportOnly ? [] : [{
            key: 'sessions',
            label: <span data-testid="tab-sessions">{x('tabSessions')}</span>,
            children: (
              <SessionsPanel
                exam={exam}
                writable={writable}
                nowMs={nowMs}
                onChanged={onChanged}
                onShowWindows={(id) => {
                  setWindowsSession(id);
                  setTab('windows');
                }}
              />
            ),
          },
          {
            key: 'windows',
            label: <span data-testid="tab-windows">{x('tabWindows')}</span>,
            children: <WindowsPanel exam={exam} sessionId={windowsSession} onSessionChange={setWindowsSession} canSeal={canSeal} nowMs={nowMs} />,
          }]),
          {
            key: 'report',
            label: <span data-testid="tab-report">{x('tabReport')}</span>,
            children: <ReportPanel exam={exam} sessionId={reportSession} onSessionChange={setReportSession} />,
          },
        ]}
        destroyOnHidden
      />
    </Card>
  );
}
