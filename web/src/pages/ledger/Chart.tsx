// One ECharts chart (issue 19): initialised on mount, redrawn when its option changes, disposed on
// unmount; resized with its box (the big screen changes size when it goes full screen).
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts';

export function Chart({ option, testId, height = 240, dark = false }: { option: echarts.EChartsOption; testId: string; height?: number | string; dark?: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current, dark ? 'dark' : undefined);
    chart.setOption({ animation: false, ...(dark ? { backgroundColor: 'transparent' } : {}), ...option });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [option, dark]);
  return <div ref={el} data-testid={testId} style={{ width: '100%', height }} />;
}
