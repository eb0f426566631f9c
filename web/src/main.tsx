// Entry: mounts the console with antd locale + theme and our i18n context.
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { App as AntApp, ConfigProvider } from 'antd';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'antd/dist/reset.css';
import './styles.css';
import { I18nContext, initialLang, makeI18n, persistLang } from './i18n.ts';
import type { Lang } from './i18n.ts';
import { App } from './App.tsx';
import { enUS, zhCN } from './locales.ts';

const REDUCED_MOTION = '(prefers-reduced-motion: reduce)';

/**
 * The system's "reduce motion" setting (accessibility; also set by the Chromium tests): antd then
 * opens and closes dialogs, dropdowns and messages without animation, so nothing is clicked while
 * it is still zooming in.
 */
function usePrefersReducedMotion(): boolean {
  const [reduced, setReduced] = useState(() => window.matchMedia(REDUCED_MOTION).matches);
  useEffect(() => {
    const mq = window.matchMedia(REDUCED_MOTION);
    const onChange = (): void => setReduced(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return reduced;
}

function Root() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const reducedMotion = usePrefersReducedMotion();
  const i18n = useMemo(() => {
    const setLang = (l: Lang) => {
      persistLang(l);
      dayjs.locale(l === 'zh' ? 'zh-cn' : 'en');
      document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
      setLangState(l);
    };
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
    return makeI18n(lang, setLang);
  }, [lang]);
  return (
    <ConfigProvider
      locale={lang === 'zh' ? zhCN : enUS}
      theme={{
        token: {
          colorPrimary: '#1f5fbf',
          borderRadius: 6,
          motion: !reducedMotion,
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
        },
        components: {
          Layout: { siderBg: '#0d2547', headerBg: '#ffffff', bodyBg: '#f0f2f5' },
          Menu: { darkItemBg: '#0d2547', darkSubMenuItemBg: '#0a1e3a', darkItemSelectedBg: '#1f5fbf' },
        },
      }}
    >
      <AntApp>
        <I18nContext.Provider value={i18n}>
          <App />
        </I18nContext.Provider>
      </AntApp>
    </ConfigProvider>
  );
}

const el = document.getElementById('root');
if (el) {
  createRoot(el).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
