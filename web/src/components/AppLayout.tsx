// Shell: dark left menu (grouped, ready for future items) + header with user, role, org, clock, language, logout.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { Avatar, Button, Divider, Layout, Menu, Space, Tag, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import {
  AlertOutlined, ApartmentOutlined, AuditOutlined, DatabaseOutlined, DesktopOutlined, LockOutlined, LogoutOutlined, SafetyCertificateOutlined, MenuFoldOutlined, MenuUnfoldOutlined, TeamOutlined, UserOutlined,
} from '@ant-design/icons';
import { ScheduleOutlined } from '@ant-design/icons';
import { HistoryOutlined } from '@ant-design/icons';
import { ClusterOutlined } from '@ant-design/icons';
import { CheckCircleOutlined } from '@ant-design/icons';
import { ToolOutlined } from '@ant-design/icons';
import type { User } from '../types.ts';
import type { NodeIdentity } from '../../../src/org/node-identity.ts';
import type { PageKey } from '../routes.ts';
import { useI18n } from '../i18n.ts';
import type { MsgKey } from '../i18n.ts';
import { AlarmBanner } from './AlarmBanner.tsx';
import { DiskAlarmBanner } from './DiskAlarmBanner.tsx';
import { BeijingClock } from './BeijingClock.tsx';
import { LangSwitch } from './LangSwitch.tsx';
import { ChangePasswordModal } from './ChangePasswordModal.tsx';
import { TotpModal } from './TotpModal.tsx';

/**
 * Menu groups. Future pages get their own entries once they exist: a 视频巡查 group (视频墙, 录像回放) above
 * these, 考试安排 and 设备台账 under 基础数据. Empty groups are hidden, so no dead links are shown.
 */
const MENU: { group: MsgKey; items: { key: PageKey; label: MsgKey; icon: ReactNode }[] }[] = [
  { group: 'menuPatrol', items: [{ key: 'wall', label: 'menuWall', icon: <DesktopOutlined /> }, { key: 'playback', label: 'menuPlayback', icon: <HistoryOutlined /> }, { key: 'alarms', label: 'menuAlarmHistory', icon: <AlertOutlined /> }, { key: 'duty', label: 'menuDuty', icon: <SafetyCertificateOutlined /> }, { key: 'cascade', label: 'menuCascade', icon: <ClusterOutlined /> }] },
  { group: 'menuExamMgmt', items: [{ key: 'exams', label: 'menuExams', icon: <ScheduleOutlined /> }, { key: 'readiness', label: 'menuReadiness', icon: <CheckCircleOutlined /> }] },
  { group: 'menuBase', items: [{ key: 'org', label: 'menuOrg', icon: <ApartmentOutlined /> }, { key: 'ledger', label: 'menuLedger', icon: <ToolOutlined /> }] },
  {
    group: 'menuSystem',
    items: [
      { key: 'users', label: 'menuUsers', icon: <TeamOutlined /> },
      { key: 'audit', label: 'menuAudit', icon: <AuditOutlined /> },
      { key: 'storage', label: 'menuStorage', icon: <DatabaseOutlined /> },
    ],
  },
];

interface Props {
  user: User;
  node?: NodeIdentity;
  page: PageKey;
  pages: PageKey[];
  onNavigate: (p: PageKey) => void;
  onLogout: () => void;
  children: ReactNode;
}

export function AppLayout({ user, node, page, pages, onNavigate, onLogout, children }: Props) {
  const { t, label } = useI18n();
  const [collapsed, setCollapsed] = useState(false);
  const [pwOpen, setPwOpen] = useState(false);
  const [totpOpen, setTotpOpen] = useState(false);

  const items: MenuProps['items'] = MENU.map((g) => ({
    type: 'group' as const,
    key: g.group,
    label: collapsed ? null : t(g.group),
    children: g.items.filter((i) => pages.includes(i.key)).map((i) => ({
      key: i.key,
      icon: i.icon,
      label: <span data-testid={`menu-${i.key}`}>{t(i.label)}</span>,
    })),
  })).filter((g) => g.children.length > 0);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} collapsible collapsed={collapsed} trigger={null} style={{ position: 'sticky', top: 0, height: '100vh' }}>
        <div className="xc-brand xc-sider-brand">
          <span className="xc-logo">巡</span>
          {!collapsed && <span className="xc-brand-text">{t('brandShort')}</span>}
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[page]}
          items={items}
          onClick={(e) => onNavigate(e.key as PageKey)}
          style={{ borderInlineEnd: 0, paddingTop: 8 }}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="xc-header">
          <Space size={12}>
            <Button
              type="text"
              icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
              onClick={() => setCollapsed(!collapsed)}
            />
            <BeijingClock />
            {node && <Tag color={node.kind === 'province' ? 'red' : node.kind === 'site' ? 'green' : 'orange'} data-testid="header-node">{node.name} · {node.levelLabel}</Tag>}
          </Space>
          <Space size={4} separator={<Divider orientation="vertical" />}>
            <Space size={8} data-testid="header-user">
              <Avatar size="small" style={{ background: '#1f5fbf' }} icon={<UserOutlined />} />
              <Typography.Text strong>{user.displayName || user.username}</Typography.Text>
              <Tag color={user.role === 'admin' ? 'blue' : user.role === 'inspector' ? 'purple' : 'geekblue'} style={{ marginInlineEnd: 0 }} data-testid="header-role">
                {label('role', user.role)}
              </Tag>
              <Typography.Text type="secondary" data-testid="header-org">{user.orgNodeName}</Typography.Text>
            </Space>
            <LangSwitch />
            <Space size={0}>
              <Tooltip title={t('changePassword')}>
                <Button type="text" size="small" icon={<LockOutlined />} onClick={() => setPwOpen(true)} data-testid="change-password" />
              </Tooltip>
              <Tooltip title={t('totpTitle')}>
                <Button type="text" size="small" icon={<SafetyCertificateOutlined />} onClick={() => setTotpOpen(true)} data-testid="totp" />
              </Tooltip>
              <Button type="text" size="small" icon={<LogoutOutlined />} onClick={onLogout} data-testid="logout">
                {t('logout')}
              </Button>
            </Space>
          </Space>
        </Layout.Header>
        <AlarmBanner user={user} />
        <DiskAlarmBanner user={user} />
        <Layout.Content className="xc-content">{user.mustChangePassword ? null : children}</Layout.Content>
      </Layout>
      <ChangePasswordModal open={pwOpen || Boolean(user.mustChangePassword)} forced={Boolean(user.mustChangePassword)} onClose={() => setPwOpen(false)} />
      <TotpModal open={totpOpen} enabled={user.totpEnabled} onClose={() => setTotpOpen(false)} />
    </Layout>
  );
}
