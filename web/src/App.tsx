// Session bootstrap (GET /api/auth/me), login gate and hash routing between pages.
import { useCallback, useEffect, useState } from 'react';
import { Spin } from 'antd';
import { api, setCsrfToken, setUnauthorizedHandler } from './api.ts';
import type { Session } from './api.ts';
import { LoginPage } from './pages/LoginPage.tsx';
import { AppLayout } from './components/AppLayout.tsx';
import { OrgPage } from './pages/org/OrgPage.tsx';
import { UsersPage } from './pages/UsersPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { ExamsPage } from './pages/exams/ExamsPage.tsx';
import { WallPage } from './pages/wall/WallPage.tsx';
import { PlaybackPage } from './pages/playback/PlaybackPage.tsx';
import { CascadePage } from './pages/cascade/CascadePage.tsx';
import { ReadinessPage } from './pages/readiness/ReadinessPage.tsx';
import { AlarmHistoryPage } from './pages/alarms/AlarmHistoryPage.tsx';
import { LedgerPage } from './pages/ledger/LedgerPage.tsx';
import { DutyPage } from './pages/duty/DutyPage.tsx';
import { StoragePage } from './pages/storage/StoragePage.tsx';
import { allowedPages, defaultPage } from './routes.ts';
import type { PageKey } from './routes.ts';
import { useHashRoute } from './useHashRoute.ts';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [route, navigate] = useHashRoute();

  const acceptSession = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? '');
    setSession(s);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => acceptSession(null));
    let cancelled = false;
    api.me().then(
      (s) => { if (!cancelled) acceptSession(s); },
      () => { if (!cancelled) acceptSession(null); },
    );
    return () => {
      cancelled = true;
      setUnauthorizedHandler(null);
    };
  }, [acceptSession]);

  if (session === undefined) {
    return (
      <div style={{ height: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        <Spin size="large" />
      </div>
    );
  }
  if (session === null) return <LoginPage onLoggedIn={acceptSession} />;

  document.title = session.node ? `${session.node.name}（${session.node.levelLabel}）· 巡查` : '巡查 · 考点视频巡查系统';
  const pages = allowedPages(session.user.role);
  const page: PageKey = pages.includes(route as PageKey) ? (route as PageKey) : defaultPage(session.user.role);
  const logout = () => {
    void api.logout().catch(() => undefined).finally(() => acceptSession(null));
  };

  return (
    <AppLayout user={session.user} node={session.node} page={page} pages={pages} onNavigate={navigate} onLogout={logout}>
      {page === 'wall' && <WallPage user={session.user} />}
      {page === 'playback' && <PlaybackPage user={session.user} />}
      {page === 'org' && <OrgPage user={session.user} />}
      {page === 'users' && <UsersPage user={session.user} />}
      {page === 'audit' && <AuditPage />}
      {page === 'exams' && <ExamsPage user={session.user} />}
      {page === 'readiness' && <ReadinessPage user={session.user} />}
      {page === 'cascade' && <CascadePage user={session.user} />}
      {page === 'alarms' && <AlarmHistoryPage />}
      {page === 'ledger' && <LedgerPage user={session.user} />}
      {page === 'duty' && <DutyPage user={session.user} />}
      {page === 'storage' && <StoragePage user={session.user} />}
    </AppLayout>
  );
}
