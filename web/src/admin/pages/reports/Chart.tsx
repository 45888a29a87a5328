import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/** Colours of the console's charts, in antd's palette. */
export const chartColors = ['#1677ff', '#13c2c2', '#faad14', '#722ed1', '#eb2f96', '#52c41a'];

/**
 * An ECharts chart that follows its container's size and is disposed with
 * the component. The option replaces the previous one whole (`notMerge`), so
 * a month with fewer series leaves none behind.
 */
export function Chart({ option, height = 280, testId }: { option: echarts.EChartsOption; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const instance = echarts.init(el);
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ color: chartColors, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={box} style={{ width: '100%', height }} data-testid={testId} />;
}
