// 值班 (issue 18, docs/design/duty.md): check-in at an enrolled workstation and the two-person
// rule, the roster, remote-viewing approvals, today's patrol log with notes, and incidents marked
// here or reported from below with their handling. Each tab's forms call /api/duty/*; the server
// decides (scope, permissions, audit) and the buttons shown follow the user's role.
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Space, Tabs } from 'antd';
import { FilePdfOutlined, ReloadOutlined } from '@ant-design/icons';
import { errorMessage } from '../../api.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { formatBeijing } from '../../time.ts';
import type { User } from '../../types.ts';
import { dutyApi } from './dutyApi.ts';
import type { DutyStatus, IncidentView, PatrolLog, ReceivedIncident, RosterView, ViewRequestView } from './dutyApi.ts';
import { useDutyText } from './dutyText.ts';
import { GrantsTab } from './GrantsTab.tsx';
import { IncidentsTab } from './IncidentsTab.tsx';
import { PatrolTab } from './PatrolTab.tsx';
import { ReviewsTab } from './ReviewsTab.tsx';
import { RosterTab } from './RosterTab.tsx';
import { StatusTab } from './StatusTab.tsx';
import { useDutyOptions } from './useDutyOptions.ts';

const DAY_MS = 24 * 3600_000;

export function DutyPage({ user }: { user: User }) {
  const t = useDutyText();
  const isAdmin = user.role === 'admin';
  const canWatch = isAdmin || user.role === 'operator' || user.role === 'leader';
  const canHandle = isAdmin || user.role === 'operator';
  // 纪检监察 sees the patrol log only (who watched which rooms, how long: issue 14 item 16).
  const patrolOnly = user.role === 'inspector';
  const options = useDutyOptions(isAdmin, !patrolOnly);
  const [status, setStatus] = useState<DutyStatus>();
  const [roster, setRoster] = useState<RosterView[]>([]);
  const [grants, setGrants] = useState<ViewRequestView[]>([]);
  const [patrol, setPatrol] = useState<PatrolLog>();
  const [incidents, setIncidents] = useState<IncidentView[]>([]);
  const [received, setReceived] = useState<ReceivedIncident[]>([]);
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      // Beijing day: UTC+8.
      const dayStart = Math.floor((Date.now() + 8 * 3600_000) / DAY_MS) * DAY_MS - 8 * 3600_000;
      if (patrolOnly) {
        setPatrol(await dutyApi.patrolLog(dayStart, dayStart + DAY_MS));
        setError(undefined);
        return;
      }
      const [s, r, g, p, i, rc] = await Promise.all([
        dutyApi.status(), dutyApi.roster(), dutyApi.grants(), dutyApi.patrolLog(dayStart, dayStart + DAY_MS), dutyApi.incidents(), dutyApi.received(),
      ]);
      setStatus(s);
      setRoster(r.roster);
      setGrants(g.grants);
      setPatrol(p);
      setIncidents(i.incidents);
      setReceived(rc.incidents);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [patrolOnly]);
  useEffect(() => {
    void load();
  }, [load]);
  const changed = () => void load();

  return (
    <Card title={t('title')} extra={(
      <Space>
        {/* 值班记录 (R-DIS-1): today's roster, check-ins, patrol log and incidents as a printable PDF. */}
        {!patrolOnly && <Button icon={<FilePdfOutlined />} href={`/api/duty/record.pdf?date=${formatBeijing(Date.now()).slice(0, 10)}`} target="_blank" data-testid="duty-record-pdf">{t('recordPdf')}</Button>}
        <Button icon={<ReloadOutlined />} onClick={changed} data-testid="duty-refresh">{t('refresh')}</Button>
      </Space>
    )} data-testid="duty-page">
      {error && <ErrorAlert message={error} />}
      <Tabs items={patrolOnly ? [
        { key: 'patrol', label: t('tabPatrol'), children: <PatrolTab t={t} patrol={patrol} canNote={canWatch} options={options} onChanged={changed} /> },
      ] : [
        { key: 'status', label: t('tabStatus'), children: <StatusTab t={t} status={status} isAdmin={isAdmin} monitoringRooms={options.monitoringRooms} onChanged={changed} /> },
        { key: 'roster', label: t('tabRoster'), children: <RosterTab t={t} roster={roster} isAdmin={isAdmin} options={options} onChanged={changed} /> },
        { key: 'grants', label: t('tabGrants'), children: <GrantsTab t={t} grants={grants} canRequest={canWatch} canDecide={isAdmin} options={options} onChanged={changed} /> },
        { key: 'patrol', label: t('tabPatrol'), children: <PatrolTab t={t} patrol={patrol} canNote={canWatch} options={options} onChanged={changed} /> },
        { key: 'incidents', label: t('tabIncidents'), children: <IncidentsTab t={t} incidents={incidents} received={received} canMark={canWatch} canHandle={canHandle} options={options} onChanged={changed} /> },
        { key: 'reviews', label: t('tabReviews'), children: <ReviewsTab t={t} canSign={canWatch} /> },
      ]} />
    </Card>
  );
}
