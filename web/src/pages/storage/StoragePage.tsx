// 存储与证据 (issue 14 item 14): console pages for what the API already did without one — evidence
// holds, backups and their verification, retention settings and the capacity forecast, per-site
// window defaults and manual recording schedules. Administrators (recording.manage / exam.write).
import { useEffect, useState } from 'react';
import { Card, Tabs, Typography } from 'antd';
import { api } from '../../api.ts';
import type { User } from '../../types.ts';
import { BackupsTab } from './BackupsTab.tsx';
import { HoldsTab } from './HoldsTab.tsx';
import { RetentionTab } from './RetentionTab.tsx';
import { SchedulesTab } from './SchedulesTab.tsx';
import { WindowDefaultsTab } from './WindowDefaultsTab.tsx';
import { cameraOptions } from './storageApi.ts';
import { useStorageText } from './storageText.ts';

export function StoragePage({ user }: { user: User }) {
  const { s } = useStorageText();
  const [tree, setTree] = useState<ReturnType<typeof cameraOptions>>({ options: [], names: new Map(), sites: [] });
  useEffect(() => {
    api.orgTree().then((r) => setTree(cameraOptions(r.nodes)), () => undefined);
  }, []);
  return (
    <Card>
      <Typography.Title level={4} style={{ marginTop: 0 }}>{s('title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{s('subtitle')}</Typography.Paragraph>
      <Tabs
        data-testid="storage-tabs"
        destroyOnHidden
        items={[
          { key: 'holds', label: <span data-testid="tab-holds">{s('tabHolds')}</span>, children: <HoldsTab s={s} cameras={tree.options} names={tree.names} /> },
          { key: 'backups', label: <span data-testid="tab-backups">{s('tabBackups')}</span>, children: <BackupsTab s={s} cameras={tree.options} names={tree.names} /> },
          { key: 'retention', label: <span data-testid="tab-retention">{s('tabRetention')}</span>, children: <RetentionTab s={s} names={tree.names} /> },
          { key: 'defaults', label: <span data-testid="tab-defaults">{s('tabDefaults')}</span>, children: <WindowDefaultsTab s={s} sites={tree.sites} writable={user.role === 'admin'} /> },
          { key: 'schedules', label: <span data-testid="tab-schedules">{s('tabSchedules')}</span>, children: <SchedulesTab s={s} cameras={tree.options} /> },
        ]}
      />
    </Card>
  );
}
