// Cameras per site stacked by verdict (echarts): progress of a campaign at a glance.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts';
import type { SiteState } from './readinessApi.ts';
import { useReadinessText } from './readinessText.ts';

export function SiteChart({ sites }: { sites: SiteState[] }) {
  const { r } = useReadinessText();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    const names = sites.map((s) => s.siteName);
    const series = (['pass', 'warn', 'fail', 'unchecked'] as const).map((k) => ({
      name: r(k),
      type: 'bar' as const,
      stack: 'cams',
      data: sites.map((s) => s.cameras[k]),
      color: { pass: '#52c41a', warn: '#faad14', fail: '#ff4d4f', unchecked: '#bfbfbf' }[k],
    }));
    chart.setOption({ animation: false, title: { text: r('chartTitle'), textStyle: { fontSize: 13 } }, tooltip: { trigger: 'axis' }, legend: { top: 0, right: 0 }, grid: { left: 120, right: 16, top: 36, bottom: 24 }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: names }, series });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [sites, r]);
  return <div ref={el} data-testid="readiness-chart" style={{ width: '100%', height: Math.max(140, 60 + sites.length * 32) }} />;
}
