// Live Beijing-time clock for the header.
import { useEffect, useState } from 'react';
import { ClockCircleOutlined } from '@ant-design/icons';
import { formatBeijing } from '../time.ts';
import { useI18n } from '../i18n.ts';

export function BeijingClock() {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  return (
    <span className="xc-clock" data-testid="beijing-clock" title="Asia/Shanghai">
      <ClockCircleOutlined style={{ marginRight: 6 }} />
      {t('beijingTime')} {formatBeijing(now)}
    </span>
  );
}
