// 考试安排: exams in scope on top (type, national, retention, dates), the chosen exam below with
// its sessions, recording windows (已封门, custody events) and completeness report.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { HTMLAttributes } from 'react';
import { App, Button, Card, Empty, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CalendarOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api, errorMessage } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import type { Exam, OrgNode, User } from '../../types.ts';
import { buildIndex } from '../org/orgModel.ts';
import { buildSelectTree } from '../org/selectTree.ts';
import { ExamDetail } from './ExamDetail.tsx';
import { ExamFormModal } from './ExamFormModal.tsx';
import { bjDate, sessionState } from './examFormat.ts';
import { useExamText } from './examText.ts';
import { SitesModal } from './SitesModal.tsx';

export function ExamsPage({ user }: { user: User }) {
  const { t, label } = useI18n();
  const { x, xl } = useExamText();
  const { message } = App.useApp();
  const [exams, setExams] = useState<Exam[]>([]);
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [form, setForm] = useState<Exam | 'new' | null>(null);
  const [sitesOpen, setSitesOpen] = useState(false);
  const writable = user.role === 'admin';
  const canSeal = user.role === 'admin' || user.role === 'operator';
  // 纪检监察 holds report.read only (issue 14 item 16): the exams and their reports, no org tree or windows.
  const reportOnly = user.role === 'inspector';

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [e, o] = await Promise.all([api.exams(), reportOnly ? Promise.resolve({ nodes: [] }) : api.orgTree()]);
      setExams(e.exams);
      setNodes(o.nodes);
      setSelected((cur) => (cur !== undefined && e.exams.some((ex) => ex.id === cur) ? cur : e.exams[0]?.id));
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setLoading(false);
    }
  }, [message, reportOnly]);
  useEffect(() => { void load(); }, [load]);

  const idx = useMemo(() => buildIndex(nodes), [nodes]);
  const kindLabel = useCallback((k: string) => label('nodeKind', k), [label]);
  const ownerTree = useMemo(() => buildSelectTree(idx, { selectableKinds: 'all', kindLabel }), [idx, kindLabel]);
  const siteTree = useMemo(() => buildSelectTree(idx, { selectableKinds: ['site'], kindLabel }), [idx, kindLabel]);
  const exam = exams.find((e) => e.id === selected);
  const now = Date.now();

  const sorted = [...exams].sort((a, b) => (b.sessions[0]?.startMs ?? b.createdAtMs) - (a.sessions[0]?.startMs ?? a.createdAtMs));
  const dates = (e: Exam) => {
    const ds = [...new Set(e.sessions.map((s) => bjDate(s.startMs)))].sort();
    if (ds.length === 0) return '—';
    return ds.length === 1 ? ds[0] : `${ds[0]} 至 ${ds[ds.length - 1].slice(5)}`;
  };

  const columns: TableColumnsType<Exam> = [
    {
      title: x('examName'),
      dataIndex: 'name',
      render: (v: string, e) => (
        <Space size={8} wrap>
          <Typography.Text strong>{v}</Typography.Text>
          {e.sessions.some((s) => sessionState(s, now) === 'running') && <Tag color="processing">{x('running')}</Tag>}
        </Space>
      ),
    },
    {
      title: x('examKind'),
      key: 'kind',
      width: 220,
      render: (_, e) => (
        <Space size={4}>
          <Tag color="blue">{xl('kind', e.kind)}</Tag>
          {e.national && <Tag color="red">{x('national')}</Tag>}
        </Space>
      ),
    },
    { title: x('date'), key: 'dates', width: 200, render: (_, e) => <span className="xc-time">{dates(e)}</span> },
    { title: x('tabSessions'), key: 'sessions', width: 100, render: (_, e) => x('sessionsCount', { n: e.sessions.length }) },
    { title: x('retention'), dataIndex: 'retentionDays', width: 130, render: (v: number) => x('retentionDays', { n: v }) },
    { title: x('owner'), dataIndex: 'ownerNodeName', width: 140 },
  ];

  return (
    <div data-testid="exams-page">
      <Card
        title={<Space><CalendarOutlined />{x('examList')}</Space>}
        size="small"
        style={{ marginBottom: 16 }}
        extra={
          <Space size={8}>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()}>{x('refresh')}</Button>
            {writable && <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setForm('new')} data-testid="exam-new">{x('newExam')}</Button>}
          </Space>
        }
      >
        <Table<Exam>
          size="small"
          rowKey="id"
          columns={columns}
          dataSource={sorted}
          loading={loading}
          pagination={sorted.length > 5 ? { pageSize: 5, size: 'small' } : false}
          rowSelection={{ type: 'radio', selectedRowKeys: selected === undefined ? [] : [selected], onChange: (keys) => setSelected(Number(keys[0])), columnWidth: 40 }}
          onRow={(e) => ({ onClick: () => setSelected(e.id), style: { cursor: 'pointer' }, 'data-testid': `exam-item-${e.id}` }) as HTMLAttributes<HTMLElement>}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={x('noExams')} /> }}
          data-testid="exam-list"
        />
      </Card>
      {exam ? (
        <ExamDetail
          key={exam.id}
          exam={exam}
          writable={writable}
          canSeal={canSeal}
          reportOnly={reportOnly}
          onEdit={() => setForm(exam)}
          onEditSites={() => setSitesOpen(true)}
          onChanged={() => void load()}
          onDelete={async () => {
            try {
              await api.deleteExam(exam.id);
              void message.success(t('deleted'));
              setSelected(undefined);
              await load();
            } catch (err) {
              void message.error(errorMessage(err));
            }
          }}
        />
      ) : (
        !loading && exams.length > 0 && <Card><Empty description={x('selectExam')} /></Card>
      )}
      {form && (
        <ExamFormModal
          exam={form === 'new' ? null : form}
          ownerTree={ownerTree}
          defaultOwner={user.orgNodeId}
          onClose={() => setForm(null)}
          onSaved={(e) => {
            setForm(null);
            setSelected(e.id);
            void message.success(t('updated'));
            void load();
          }}
        />
      )}
      {sitesOpen && exam && (
        <SitesModal
          exam={exam}
          siteTree={siteTree}
          rooms={idx.rooms}
          onClose={() => setSitesOpen(false)}
          onSaved={() => {
            setSitesOpen(false);
            void message.success(t('updated'));
            void load();
          }}
        />
      )}
    </div>
  );
}
