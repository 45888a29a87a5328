import type { EChartsOption } from 'echarts';
import { formatMoney } from '../../../shared/money';
import { axisYuan, chartYuan, fenOf, levelName, payoutColors, payoutTypeNames, payoutTypes, type Dashboard, type MonthFigures } from './model';

type T = (zh: string, en: string) => string;

/** Tooltips are HTML: names (level names are typed by staff) are escaped. */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One tooltip row: a coloured dot, a name and a right-aligned value. */
const row = (color: string, name: string, value: string) =>
  `<div style="display:flex;justify-content:space-between;gap:24px"><span><span style="display:inline-block;width:8px;height:8px;border-radius:4px;background:${color};margin-right:6px"></span>${esc(name)}</span><b style="font-variant-numeric:tabular-nums">${value}</b></div>`;
const sub = (name: string, value: string) =>
  `<div style="display:flex;justify-content:space-between;gap:24px;color:#8c8c8c;padding-left:14px"><span>${esc(name)}</span><span style="font-variant-numeric:tabular-nums">${value}</span></div>`;

const indexOf = (params: unknown): number => {
  const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined;
  return first?.dataIndex ?? 0;
};

const monthLabel = (month: string, lang: string) => (lang === 'en' ? month : `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`);
const axisMonth = (month: string, lang: string) => (lang === 'en' ? month.slice(2) : `${Number(month.slice(5, 7))}月`);

const grid = { left: 16, right: 16, top: 48, bottom: 8, containLabel: true };

/** Volume (¥, left axis) and new members (people, right axis) over the months. */
export function volumeOption(series: MonthFigures[], t: T, lang: string): EChartsOption {
  const volume = t('交易额', 'Volume');
  const joined = t('新增会员', 'New members');
  const activated = t('激活会员', 'Activated');
  return {
    color: ['#1677ff', '#52c41a', '#95de64'],
    grid: { ...grid, right: 24 },
    legend: { top: 0, left: 'center', icon: 'roundRect', itemWidth: 12, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const m = series[indexOf(params)]!;
        return [
          `<div style="margin-bottom:4px;font-weight:600">${monthLabel(m.month, lang)}</div>`,
          row('#1677ff', volume, formatMoney(m.volume.totalFen)),
          sub(t('销售净额', 'Net sales'), formatMoney(m.volume.salesFen)),
          sub(t('入驻费', 'Onboarding fees'), formatMoney(m.volume.onboardingFeesFen)),
          sub(t('等级购买', 'Level purchases'), formatMoney(m.volume.levelPurchasesFen)),
          row('#52c41a', joined, t(`${m.newMembers} 人`, String(m.newMembers))),
          row('#95de64', activated, t(`${m.activatedMembers} 人`, String(m.activatedMembers))),
        ].join('');
      },
    },
    xAxis: { type: 'category', boundaryGap: false, data: series.map((m) => axisMonth(m.month, lang)), axisTick: { show: false } },
    yAxis: [
      { type: 'value', name: t('交易额', 'Volume'), nameTextStyle: { align: 'left' }, axisLabel: { formatter: (v: number) => axisYuan(v, lang) }, splitLine: { lineStyle: { type: 'dashed' } } },
      { type: 'value', name: t('人数', 'People'), nameTextStyle: { align: 'right' }, minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      {
        name: volume,
        type: 'line',
        smooth: true,
        symbolSize: 6,
        data: series.map((m) => chartYuan(m.volume.totalFen)),
        areaStyle: { color: { type: 'linear', x: 0, y: 0, x2: 0, y2: 1, colorStops: [{ offset: 0, color: 'rgba(22,119,255,0.25)' }, { offset: 1, color: 'rgba(22,119,255,0.02)' }] } },
      },
      { name: joined, type: 'line', yAxisIndex: 1, smooth: true, symbolSize: 6, data: series.map((m) => m.newMembers) },
      { name: activated, type: 'line', yAxisIndex: 1, smooth: true, symbolSize: 4, lineStyle: { type: 'dashed' }, data: series.map((m) => m.activatedMembers) },
    ],
  };
}

/** Payouts per month stacked by type. */
export function payoutTypeOption(series: MonthFigures[], t: T, lang: string): EChartsOption {
  return {
    grid,
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 12, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const m = series[indexOf(params)]!;
        return [
          `<div style="margin-bottom:4px;font-weight:600">${monthLabel(m.month, lang)}</div>`,
          ...payoutTypes.map((type) => row(payoutColors[type], t(...payoutTypeNames[type]), formatMoney(fenOf(m, type)))),
          `<div style="border-top:1px solid #f0f0f0;margin-top:4px;padding-top:4px">${row('transparent', t('合计', 'Total'), formatMoney(m.payoutTotalFen))}</div>`,
        ].join('');
      },
    },
    xAxis: { type: 'category', data: series.map((m) => axisMonth(m.month, lang)), axisTick: { show: false } },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => axisYuan(v, lang) }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: payoutTypes.map((type) => ({
      name: t(...payoutTypeNames[type]),
      type: 'bar',
      stack: 'payouts',
      barMaxWidth: 28,
      itemStyle: { color: payoutColors[type] },
      emphasis: { focus: 'series' },
      data: series.map((m) => chartYuan(fenOf(m, type))),
    })),
  };
}

/** Sums of byLevel over the months given, in fen; ranks with nothing paid are left out. */
export function levelTotals(months: MonthFigures[]): { levelRank: number | null; fen: bigint }[] {
  const sums = new Map<number | null, bigint>();
  for (const m of months) for (const l of m.byLevel) sums.set(l.levelRank, (sums.get(l.levelRank) ?? 0n) + BigInt(l.fen));
  return [...sums.entries()].filter(([, fen]) => fen > 0n).map(([levelRank, fen]) => ({ levelRank, fen }));
}

const levelPalette = ['#1677ff', '#13c2c2', '#52c41a', '#faad14', '#fa8c16', '#eb2f96', '#722ed1', '#2f54eb', '#a0d911', '#8c8c8c'];

/** Payouts by the recipient's level: a ring with the share of each level. */
export function levelOption(totals: { levelRank: number | null; fen: bigint }[], levels: Dashboard['levels'], t: T): EChartsOption {
  const data = totals.map((x) => ({ name: levelName(x.levelRank, levels, t), value: chartYuan(x.fen.toString()), fen: x.fen.toString() }));
  return {
    color: levelPalette,
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const item = p as { name: string; percent: number; color: string; data: { fen: string } };
        return row(item.color, item.name, `${formatMoney(item.data.fen)}（${item.percent}%）`);
      },
    },
    legend: {
      bottom: 0,
      left: 'center',
      icon: 'circle',
      itemWidth: 8,
      itemHeight: 8,
      itemGap: 14,
      formatter: (name: string) => `${name}  ${formatMoney(data.find((x) => x.name === name)?.fen ?? '0')}`,
    },
    series: [
      {
        type: 'pie',
        radius: ['38%', '68%'],
        percentPrecision: 1,
        center: ['50%', '44%'],
        itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 4 },
        // Percentages on the ring itself; a slice too thin to hold one shows it in the tooltip.
        label: { position: 'inside', formatter: (p: { percent?: number }) => ((p.percent ?? 0) >= 6 ? `${p.percent}%` : ''), color: '#fff', fontSize: 11 },
        labelLine: { show: false },
        data,
      },
    ],
  };
}
