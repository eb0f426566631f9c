// 中文 / English toggle.
import { Button } from 'antd';
import { GlobalOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n.ts';

export function LangSwitch({ dark }: { dark?: boolean }) {
  const { lang, setLang, t } = useI18n();
  return (
    <Button
      type="text"
      size="small"
      icon={<GlobalOutlined />}
      data-testid="lang-switch"
      style={dark ? { color: 'rgba(255,255,255,0.85)' } : undefined}
      onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
    >
      {t('language')}
    </Button>
  );
}
