// 平台级联 (GB/T 28181 cascade, R-FN-3, R-FLT-1, R-PRE-2): this node's link to its upper platform,
// its lower platforms with their channel trees, and the alarms they report. Everything refreshes
// every 5 s (the server has no push channel for cascade state; the alarm banner polls the same
// way) and pauses while the browser tab is hidden.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Space, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n.ts';
import { canWrite } from '../../routes.ts';
import { formatBeijing } from '../../time.ts';
import type { OrgNode, User } from '../../types.ts';
import { buildIndex } from '../org/orgModel.ts';
import { buildSelectTree } from '../org/selectTree.ts';
import { AlarmsCard } from './AlarmsCard.tsx';
import { cascadeApi } from './cascadeApi.ts';
import type { CascadeStatus, Lower } from './cascadeApi.ts';
import { useCascadeText } from './cascadeText.ts';
import { LowersCard } from './LowersCard.tsx';
import { SessionsCard } from './SessionsCard.tsx';
import { UpperCard } from './UpperCard.tsx';
import { UplinkCard } from './UplinkCard.tsx';

const REFRESH_MS = 5000;

export function CascadePage({ user }: { user: User }) {
  const { label } = useI18n();
  const { c, err } = useCascadeText();
  const [status, setStatus] = useState<CascadeStatus>();
  const [lowers, setLowers] = useState<Lower[]>();
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const [error, setError] = useState<string>();
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [tick, setTick] = useState(0);
  const writable = canWrite(user.role); // org.write: add / edit / delete lowers, re-query catalogs

  const load = useCallback(async () => {
    try {
      const [s, l] = await Promise.all([cascadeApi.status(), cascadeApi.lowers()]);
      setStatus(s);
      setLowers(l.lowers);
      setError(undefined);
      setUpdatedAt(Date.now());
    } catch (e) {
      setError(err(e));
    }
  }, [err]);
  useEffect(() => {
    void load();
  }, [load, tick]);
  useEffect(() => {
    const id = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') setTick((t) => t + 1);
    }, REFRESH_MS);
    return () => window.clearInterval(id);
  }, []);
  useEffect(() => {
    if (writable) api.orgTree().then((r) => setNodes(r.nodes), () => undefined);
  }, [writable]);
  const orgTree = useMemo(() => buildSelectTree(buildIndex(nodes), { selectableKinds: 'all', kindLabel: (k) => label('nodeKind', k) }), [nodes, label]);

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }} data-testid="cascade-page">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Space size={12} align="baseline" wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>{c('title')}</Typography.Title>
          <Typography.Text type="secondary">{c('subtitle')}</Typography.Text>
        </Space>
        <Space size={12}>
          <Typography.Text type="secondary" data-testid="cascade-updated">
            {c('autoRefresh')}{updatedAt ? ` · ${c('updatedAt', { at: formatBeijing(updatedAt) })}` : ''}
          </Typography.Text>
          <Button icon={<ReloadOutlined />} onClick={() => setTick((t) => t + 1)} data-testid="cascade-refresh">{c('refresh')}</Button>
        </Space>
      </Space>
      {error && <Alert type="error" showIcon title={error} data-testid="cascade-error" />}
      <UpperCard status={status} />
      <SessionsCard status={status} nowMs={updatedAt ?? Date.now()} />
      <LowersCard lowers={lowers ?? []} loading={lowers === undefined && !error} tick={tick} writable={writable} orgTree={orgTree} onChanged={load} />
      <UplinkCard tick={tick} />
      <AlarmsCard lowers={lowers ?? []} tick={tick} />
    </Space>
  );
}
