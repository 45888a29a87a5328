import { Card, Col, DatePicker, Empty, Row, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import type { EChartsOption } from 'echarts';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useT } from '../../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { ErrorAlert, Money, PageTitle } from '../../components';
import { CsvButton } from '../../CsvButton';
import { Kpi } from '../dividends/Kpi';
import { useLevelNames } from '../dividends/levels';
import { Chart } from '../../Chart';

type PayoutType = 'rule' | 'profit_share' | 'peer_bonus' | 'dividend';
const payoutTypes: PayoutType[] = ['rule', 'profit_share', 'peer_bonus', 'dividend'];

interface MonthlyReport {
  month: string;
  volumeFen: string;
  payouts: { type: PayoutType; fen: string }[];
  byLevel: { levelRank: number | null; type: PayoutType; fen: string }[];
  totalFen: string;
  /** Payouts as ppm of the volume; null in a month without volume. */
  shareOfVolumePpm: number | null;
}

type T = (zh: string, en: string) => string;

function typeName(type: PayoutType, t: T): string {
  switch (type) {
    case 'rule':
      return t('奖励规则', 'Reward rules');
    case 'profit_share':
      return t('级差分润', 'Profit share');
    case 'peer_bonus':
      return t('平级奖', 'Peer bonus');
    case 'dividend':
      return t('分红', 'Dividends');
  }
}

/** `part` of `whole` as a percent with two decimals, on integers (fen stay exact). */
function shareText(part: string, whole: string): string {
  const w = BigInt(whole);
  if (w <= 0n) return '—';
  const basisPoints = (BigInt(part) * 10_000n) / w;
  return `${basisPoints / 100n}.${(basisPoints % 100n).toString().padStart(2, '0')}%`;
}

/** Chart values are plain numbers of fen; these are labels only (the tables hold the exact amounts). */
const chartNumber = (fen: string) => Number(fen);
const axisYuan = (fen: number) => (Number.isSafeInteger(fen) ? formatMoney(fen).replace(/\.00$/, '') : '');

interface LevelRow {
  key: string;
  levelRank: number | null;
  byType: Record<PayoutType, string>;
  totalFen: string;
}

/** 月度报表: a month's platform volume and what it paid out, by type and by level, with the payout share. */
export default function ReportsPage() {
  const t = useT();
  const levels = useLevelNames(t);
  const [params, setParams] = useSearchParams();
  // The month lives in the address so a report can be linked; the default is the last month that has ended.
  const month = params.get('month') ?? dayjs().subtract(1, 'month').format('YYYY-MM');
  const { data, error, loading, reload } = useApi<MonthlyReport>('/api/admin/reports/monthly', { month });
  const report = data?.month === month ? data : undefined;

  const levelRows = useMemo<LevelRow[]>(() => {
    if (!report) return [];
    const rows = new Map<string, LevelRow>();
    for (const r of report.byLevel) {
      const key = r.levelRank === null ? 'none' : String(r.levelRank);
      const row = rows.get(key) ?? { key, levelRank: r.levelRank, byType: { rule: '0', profit_share: '0', peer_bonus: '0', dividend: '0' }, totalFen: '0' };
      row.byType[r.type] = (BigInt(row.byType[r.type]) + BigInt(r.fen)).toString();
      row.totalFen = (BigInt(row.totalFen) + BigInt(r.fen)).toString();
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) => (a.levelRank ?? 0) - (b.levelRank ?? 0));
  }, [report]);

  const hasPayouts = !!report && BigInt(report.totalFen) !== 0n;

  const pieOption = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'item', valueFormatter: (v) => formatMoney(v as number) },
      legend: { bottom: 0, icon: 'circle' },
      series: [
        {
          type: 'pie',
          radius: ['42%', '64%'],
          center: ['50%', '45%'],
          avoidLabelOverlap: true,
          itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 4 },
          // The same exact percentages as the table (ECharts would round its own way).
          label: { overflow: 'none', formatter: (p) => `${p.name}\n${shareText(String(p.value), report?.totalFen ?? '0')}` },
          data: (report?.payouts ?? []).filter((p) => BigInt(p.fen) > 0n).map((p) => ({ name: typeName(p.type, t), value: chartNumber(p.fen) })),
        },
      ],
    }),
    [report, t],
  );

  const barOption = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => formatMoney(v as number) },
      legend: { bottom: 0, icon: 'roundRect' },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: levelRows.map((r) => (r.levelRank === null ? t('无等级', 'No level') : levels.nameOf(r.levelRank))), axisTick: { show: false } },
      yAxis: { type: 'value', axisLabel: { formatter: axisYuan }, splitLine: { lineStyle: { type: 'dashed' } } },
      // Only the types the month paid, stacked per level.
      series: payoutTypes
        .filter((type) => levelRows.some((r) => r.byType[type] !== '0'))
        .map((type) => ({ name: typeName(type, t), type: 'bar', stack: 'payouts', barMaxWidth: 48, data: levelRows.map((r) => chartNumber(r.byType[type])) })),
    }),
    [levelRows, levels, t],
  );

  const typeColumns: ColumnsType<{ type: PayoutType; fen: string }> = [
    { title: t('发放类型', 'Type'), dataIndex: 'type', render: (type: PayoutType) => typeName(type, t) },
    { title: t('金额', 'Amount'), dataIndex: 'fen', align: 'right', render: (fen: string) => <Money fen={fen} /> },
    { title: t('占发放合计', 'Of payouts'), key: 'share', align: 'right', render: (_, p) => shareText(p.fen, report?.totalFen ?? '0') },
    { title: t('占交易额', 'Of volume'), key: 'volume', align: 'right', render: (_, p) => shareText(p.fen, report?.volumeFen ?? '0') },
  ];

  const levelColumns: ColumnsType<LevelRow> = [
    { title: t('等级', 'Level'), key: 'level', render: (_, r) => (r.levelRank === null ? t('无等级', 'No level') : levels.nameOf(r.levelRank)) },
    // Only the types the month paid: four columns of zeros would push the total out of view.
    ...payoutTypes.filter((type) => levelRows.some((r) => r.byType[type] !== '0')).map((type) => ({
      title: typeName(type, t),
      key: type,
      align: 'right' as const,
      render: (_: unknown, r: LevelRow) => <Money fen={r.byType[type]} />,
    })),
    { title: t('合计', 'Total'), dataIndex: 'totalFen', align: 'right', render: (fen: string) => <Money fen={fen} strong /> },
  ];

  const noData = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('本月没有发放', 'Nothing paid this month')} style={{ padding: '72px 0' }} />;

  return (
    <div data-testid="page-reports">
      <PageTitle
        title={t('月度报表', 'Monthly report')}
        sub={t('平台当月交易额与各类奖励发放（已扣除退款追回），按类型与等级汇总', 'The month’s platform volume and what it paid out (less refund claw-backs), by type and by level')}
        extra={
          <Space>
            <DatePicker
              picker="month"
              allowClear={false}
              value={dayjs(`${month}-01`)}
              onChange={(d) => d && setParams({ month: d.format('YYYY-MM') }, { replace: true })}
              disabledDate={(d) => d.isAfter(dayjs(), 'month')}
              data-testid="report-month"
            />
            <CsvButton url={`/api/admin/reports/monthly.csv?month=${month}`} filename={`report-${month}.csv`} testId="report-export" />
          </Space>
        }
      />
      <ErrorAlert error={error} onRetry={reload} />
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} lg={6}>
          <Kpi label={t('平台交易额', 'Platform volume')} value={report ? formatMoney(report.volumeFen) : null} loading={!report && loading} accent="#1677ff" note={t('会员当月净结算业绩之和', 'Members’ net settled sales')} testId="report-kpi-volume" />
        </Col>
        <Col xs={12} lg={6}>
          <Kpi label={t('发放合计', 'Payouts')} value={report ? formatMoney(report.totalFen) : null} loading={!report && loading} accent="#13c2c2" note={t('奖励、分润、平级奖与分红', 'Rewards, profit share, peer bonus, dividends')} testId="report-kpi-payouts" />
        </Col>
        <Col xs={12} lg={6}>
          <Kpi
            label={t('发放占交易额', 'Payouts of volume')}
            value={report ? (report.shareOfVolumePpm === null ? '—' : ppmToPercent(report.shareOfVolumePpm)) : null}
            loading={!report && loading}
            accent="#faad14"
            note={report?.shareOfVolumePpm === null ? t('当月没有交易额，无法计算占比', 'No volume this month') : t('发放合计 ÷ 平台交易额', 'Payouts ÷ volume')}
            testId="report-kpi-share"
          />
        </Col>
        <Col xs={12} lg={6}>
          <Kpi
            label={t('其中分红', 'Of which dividends')}
            value={report ? formatMoney(report.payouts.find((p) => p.type === 'dividend')?.fen ?? '0') : null}
            loading={!report && loading}
            accent="#722ed1"
            note={t('当月结算已入账的分红', 'Dividends posted by the month’s settlement')}
            testId="report-kpi-dividends"
          />
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={10}>
          <Card title={t('按发放类型', 'By type')} style={{ height: '100%' }} loading={!report && loading}>
            {hasPayouts ? <Chart option={pieOption} height={260} testId="report-chart-type" /> : noData}
            <Table
              rowKey="type"
              size="small"
              columns={typeColumns}
              dataSource={report?.payouts ?? []}
              pagination={false}
              style={{ marginTop: 12 }}
              data-testid="report-by-type"
              summary={() =>
                report ? (
                  <Table.Summary.Row style={{ background: '#fafafa' }}>
                    <Table.Summary.Cell index={0}>
                      <Typography.Text strong>{t('合计', 'Total')}</Typography.Text>
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={1} align="right">
                      <Money fen={report.totalFen} strong />
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={2} align="right">
                      {hasPayouts ? '100.00%' : '—'}
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={3} align="right">
                      {report.shareOfVolumePpm === null ? '—' : ppmToPercent(report.shareOfVolumePpm)}
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                ) : null
              }
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('按会员等级', 'By level')} style={{ height: '100%' }} loading={!report && loading}>
            {levelRows.length ? <Chart option={barOption} height={260} testId="report-chart-level" /> : noData}
            <Table<LevelRow>
              rowKey="key"
              size="small"
              columns={levelColumns}
              dataSource={levelRows}
              pagination={levelRows.length > 10 ? { pageSize: 10, size: 'small' } : false}
              style={{ marginTop: 12 }}
              data-testid="report-by-level"
              locale={{ emptyText: t('本月没有按等级的发放', 'No payouts by level this month') }}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
