import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/**
 * An ECharts chart that follows its container's size (the console's layout
 * changes width with the sider and the window) and frees its canvas when it
 * leaves the page.
 */
export function Chart({ option, height = 280, testId }: { option: echarts.EChartsOption; height?: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const instance = echarts.init(node);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // notMerge: a new result replaces the old one entirely (categories may differ).
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}
