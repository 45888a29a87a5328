import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/** Colours of the console's charts, in antd's palette (a chart may set its own). */
export const chartColors = ['#1677ff', '#13c2c2', '#faad14', '#722ed1', '#eb2f96', '#52c41a'];

/**
 * One ECharts instance bound to a div: created on mount, resized whenever the
 * div changes size (window, sider collapse, grid breakpoints), disposed on
 * unmount. A new `option` replaces the old one whole (`notMerge`), so a series
 * or category that disappears does not linger.
 */
export function Chart({ option, height = 280, testId }: { option: echarts.EChartsOption; height?: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const div = el.current;
    if (!div) return;
    const instance = echarts.init(div);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(div);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ color: chartColors, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}
