import { ExperimentOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, DatePicker, Empty, Result, Row, Space, Statistic, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { EChartsOption } from 'echarts';
import { type ReactNode, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../shared/api';
import { formatDate } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { fenToYuan, formatMoney, ppmToPercent } from '../../../shared/money';
import { ErrorAlert, Money } from '../../components';
import { Chart } from '../../Chart';
import { triggerLabel, type Words } from './describe';
import type { Simulation } from './types';

/** The server refuses periods longer than this (simulation.service.ts). */
const MAX_DAYS = 93;

type T = (zh: string, en: string) => string;

/** A change in payouts: more is shown in red (it costs more), less in green. */
function Diff({ fen }: { fen: string }) {
  const v = BigInt(fen);
  if (v === 0n) return <Typography.Text type="secondary">¥0.00</Typography.Text>;
  return (
    <Typography.Text style={{ color: v > 0n ? '#cf1322' : '#389e0d', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
      {v > 0n ? '+' : ''}
      {formatMoney(fen)}
    </Typography.Text>
  );
}

const axisYuan = (fen: number) => `¥${fenToYuan(Math.trunc(fen)).replace(/\.00$/, '')}`;

function barOption(categories: string[], draft: string[], published: string[], t: T): EChartsOption {
  const draftName = t('草稿', 'Draft');
  const publishedName = t('已发布', 'Published');
  return {
    color: ['#1677ff', '#b7c4d6'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => formatMoney(Math.trunc(Number(v))) },
    legend: { data: [draftName, publishedName], top: 0, right: 0 },
    grid: { left: 8, right: 8, top: 32, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, width: 96, overflow: 'truncate' }, axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => axisYuan(v) }, splitLine: { lineStyle: { type: 'dashed' } } },
    series: [
      { name: draftName, type: 'bar', barMaxWidth: 28, data: draft.map(Number) },
      { name: publishedName, type: 'bar', barMaxWidth: 28, data: published.map(Number) },
    ],
  };
}

/** Payout counts of both sets in one cell, draft first: "12 / 9". */
const countPair = (draft: number | undefined, published: number | undefined) => `${draft ?? 0} / ${published ?? 0}`;

const ruleName = (key: string, name: string | undefined, t: T) => (key === 'profit_share' ? t('级差分润', 'Profit share') : key === 'peer_bonus' ? t('平级奖', 'Peer bonus') : (name ?? key));

function Breakdown({ title, chart, table }: { title: string; chart: EChartsOption; table: ReactNode }) {
  return (
    <Card title={title} style={{ marginBottom: 16 }}>
      <Row gutter={24}>
        <Col xs={24} xl={10}>
          <Chart option={chart} height={260} />
        </Col>
        <Col xs={24} xl={14}>
          {table}
        </Col>
      </Row>
    </Card>
  );
}

function SimulationResult({ sim, words }: { sim: Simulation; words: Words }) {
  const t = useT();
  const byRule = useMemo(
    () =>
      sim.difference.byRule.map((r) => ({
        ...r,
        name: ruleName(r.key, r.name, t),
        count: countPair(sim.draft.byRule.find((d) => d.key === r.key)?.count, sim.published.byRule.find((p) => p.key === r.key)?.count),
      })),
    [sim, t],
  );
  const byLevel = useMemo(() => {
    const ranks = [...new Set([...sim.draft.byLevel, ...sim.published.byLevel].map((l) => l.rank))].sort((a, b) => a - b);
    return ranks.map((rank) => {
      const d = sim.draft.byLevel.find((l) => l.rank === rank);
      const p = sim.published.byLevel.find((l) => l.rank === rank);
      const draftFen = d?.totalFen ?? '0';
      const publishedFen = p?.totalFen ?? '0';
      return {
        rank,
        level: d?.level ?? p?.level ?? t(`序号 ${rank}`, `Rank ${rank}`),
        count: countPair(d?.count, p?.count),
        draftFen,
        publishedFen,
        differenceFen: (BigInt(draftFen) - BigInt(publishedFen)).toString(),
      };
    });
  }, [sim, t]);
  const byTrigger = useMemo(
    () =>
      sim.draft.byTrigger.map((d) => {
        const p = sim.published.byTrigger.find((x) => x.trigger === d.trigger);
        const publishedFen = p?.totalFen ?? '0';
        return { ...d, name: triggerLabel(d.trigger, words), publishedFen, publishedShare: p?.shareOfVolumePpm ?? 0, differenceFen: (BigInt(d.totalFen) - BigInt(publishedFen)).toString() };
      }),
    [sim, words],
  );

  const moneyCol = (title: string, dataIndex: string) => ({ title, dataIndex, align: 'right' as const, render: (v: string) => <Money fen={v} /> });
  const countCol = { title: t('笔数（草稿 / 已发布）', 'Payouts (draft / published)'), dataIndex: 'count', align: 'right' as const };
  const diffCol = { title: t('差额', 'Difference'), dataIndex: 'differenceFen', align: 'right' as const, render: (v: string) => <Diff fen={v} /> };
  const totalDiff = BigInt(sim.difference.totalFen);

  return (
    <>
      {sim.draftVersion === sim.publishedVersion ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('当前没有草稿：以下为生效版本自身的结果，差额为零', 'No draft: these are the active version’s own results, so there is no difference')} />
      ) : null}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} lg={8} xl={4}>
          <Card size="small">
            <Statistic title={t('事件数', 'Events')} value={sim.events} />
          </Card>
        </Col>
        <Col xs={12} lg={8} xl={4}>
          <Card size="small">
            <Statistic title={t('事件金额合计', 'Event volume')} value={formatMoney(sim.volumeFen)} />
          </Card>
        </Col>
        <Col xs={12} lg={8} xl={4}>
          <Card size="small">
            <Statistic title={t(`草稿 v${sim.draftVersion} 发放`, `Draft v${sim.draftVersion} pays`)} value={formatMoney(sim.draft.totalFen)} valueStyle={{ color: '#1677ff' }} />
            <Typography.Text type="secondary">{t(`占金额 ${ppmToPercent(sim.draft.shareOfVolumePpm)}`, `${ppmToPercent(sim.draft.shareOfVolumePpm)} of volume`)}</Typography.Text>
          </Card>
        </Col>
        <Col xs={12} lg={8} xl={4}>
          <Card size="small">
            <Statistic title={t(`已发布 v${sim.publishedVersion} 发放`, `Published v${sim.publishedVersion} pays`)} value={formatMoney(sim.published.totalFen)} />
            <Typography.Text type="secondary">{t(`占金额 ${ppmToPercent(sim.published.shareOfVolumePpm)}`, `${ppmToPercent(sim.published.shareOfVolumePpm)} of volume`)}</Typography.Text>
          </Card>
        </Col>
        <Col xs={12} lg={8} xl={4}>
          <Card size="small">
            <Statistic
              title={t('与已发布相比', 'vs published')}
              value={`${totalDiff > 0n ? '+' : ''}${formatMoney(sim.difference.totalFen)}`}
              valueStyle={{ color: totalDiff > 0n ? '#cf1322' : totalDiff < 0n ? '#389e0d' : undefined }}
            />
          </Card>
        </Col>
        <Col xs={12} lg={8} xl={4}>
          <Card size="small">
            <Statistic title={t('封顶与上限削减', 'Cut by caps')} value={formatMoney(sim.draft.cutFen)} />
            <Typography.Text type="secondary">{t('草稿', 'draft')}</Typography.Text>
          </Card>
        </Col>
      </Row>

      <Breakdown
        title={t('按规则', 'By rule')}
        chart={barOption(byRule.map((r) => r.name), byRule.map((r) => r.draftFen), byRule.map((r) => r.publishedFen), t)}
        table={
          <Table
            rowKey="key"
            size="small"
            pagination={false}
            dataSource={byRule}
            data-testid="sim-by-rule"
            locale={{ emptyText: t('此期间没有发放', 'Nothing paid in this period') }}
            columns={[
              { title: t('规则', 'Rule'), dataIndex: 'name' },
              countCol,
              moneyCol(t('草稿', 'Draft'), 'draftFen'),
              moneyCol(t('已发布', 'Published'), 'publishedFen'),
              diffCol,
            ]}
          />
        }
      />
      <Breakdown
        title={t('按获得者等级', 'By recipient level')}
        chart={barOption(byLevel.map((l) => l.level), byLevel.map((l) => l.draftFen), byLevel.map((l) => l.publishedFen), t)}
        table={
          <Table
            rowKey="rank"
            size="small"
            pagination={false}
            dataSource={byLevel}
            data-testid="sim-by-level"
            locale={{ emptyText: t('此期间没有发放', 'Nothing paid in this period') }}
            columns={[
              { title: t('等级', 'Level'), dataIndex: 'level' },
              countCol,
              moneyCol(t('草稿', 'Draft'), 'draftFen'),
              moneyCol(t('已发布', 'Published'), 'publishedFen'),
              diffCol,
            ]}
          />
        }
      />
      <Breakdown
        title={t('按触发事件', 'By trigger')}
        chart={barOption(byTrigger.map((r) => r.name), byTrigger.map((r) => r.totalFen), byTrigger.map((r) => r.publishedFen), t)}
        table={
          <Table
            rowKey="trigger"
            size="small"
            pagination={false}
            dataSource={byTrigger}
            data-testid="sim-by-trigger"
            columns={[
              { title: t('事件', 'Trigger'), dataIndex: 'name', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
              { title: <span style={{ whiteSpace: 'nowrap' }}>{t('事件数', 'Events')}</span>, dataIndex: 'events', align: 'right' },
              moneyCol(t('事件金额', 'Volume'), 'volumeFen'),
              {
                title: t('草稿发放（占比）', 'Draft (share)'),
                key: 'draft',
                align: 'right',
                render: (_v, r) => (
                  <>
                    <Money fen={r.totalFen} /> <Typography.Text type="secondary">({ppmToPercent(r.shareOfVolumePpm)})</Typography.Text>
                  </>
                ),
              },
              {
                title: t('已发布（占比）', 'Published (share)'),
                key: 'published',
                align: 'right',
                render: (_v, r) => (
                  <>
                    <Money fen={r.publishedFen} /> <Typography.Text type="secondary">({ppmToPercent(r.publishedShare)})</Typography.Text>
                  </>
                ),
              },
              diffCol,
            ]}
          />
        }
      />
      <Card title={t('获得最多的会员（前 10 名，按草稿）', 'Top recipients (10, by draft)')}>
        <Table
          rowKey="memberId"
          size="small"
          pagination={false}
          dataSource={sim.topRecipients.map((r, i) => ({ ...r, place: i + 1, differenceFen: (BigInt(r.draftFen) - BigInt(r.publishedFen)).toString() }))}
          data-testid="sim-top-recipients"
          locale={{ emptyText: t('此期间没有发放', 'Nothing paid in this period') }}
          columns={[
            { title: '#', dataIndex: 'place', width: 48 },
            {
              title: t('会员', 'Member'),
              key: 'member',
              render: (_v, r) => (
                <Link to={`/members/${r.memberId}`}>
                  {r.name || t('（未命名）', '(no name)')} <Typography.Text type="secondary">#{r.memberId}</Typography.Text>
                </Link>
              ),
            },
            moneyCol(t('草稿', 'Draft'), 'draftFen'),
            moneyCol(t('已发布', 'Published'), 'publishedFen'),
            diffCol,
          ]}
        />
      </Card>
    </>
  );
}

/**
 * 模拟: runs the draft and the published set side by side over a past
 * period's stored events (nothing is written) and compares them.
 */
export function SimulationTab({ words, canSimulate, draftVersion }: { words: Words; canSimulate: boolean; draftVersion: number | null }) {
  const t = useT();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(29, 'day').startOf('day'), dayjs().startOf('day')]);
  const [sim, setSim] = useState<Simulation | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!canSimulate) return <Result status="403" subTitle={t('仅所有者、运营和财务可以运行模拟', 'Only owners, ops and finance can run simulations')} />;

  const run = async () => {
    setLoading(true);
    setError(null);
    try {
      // Whole days in the browser's zone: from the first day's midnight to the midnight after the last.
      setSim(await api.post<Simulation>('/api/admin/rewards/simulate', { from: range[0].startOf('day').toISOString(), to: range[1].add(1, 'day').startOf('day').toISOString() }));
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  const today = dayjs().endOf('day');
  return (
    <div data-testid="simulation">
      <Card style={{ marginBottom: 16 }}>
        <Space wrap size={12} align="center">
          <Typography.Text strong>{t('模拟期间', 'Period')}</Typography.Text>
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v) => {
              if (v?.[0] && v[1]) setRange([v[0], v[1]]);
            }}
            disabledDate={(d, info) => d.isAfter(today) || (!!info?.from && Math.abs(d.diff(info.from, 'day')) >= MAX_DAYS)}
            presets={[
              { label: t('最近 7 天', 'Last 7 days'), value: [dayjs().subtract(6, 'day'), dayjs()] },
              { label: t('最近 30 天', 'Last 30 days'), value: [dayjs().subtract(29, 'day'), dayjs()] },
              { label: t('本月', 'This month'), value: [dayjs().startOf('month'), dayjs()] },
              { label: t('上月', 'Last month'), value: [dayjs().subtract(1, 'month').startOf('month'), dayjs().subtract(1, 'month').endOf('month')] },
              { label: t('最近 90 天', 'Last 90 days'), value: [dayjs().subtract(89, 'day'), dayjs()] },
            ]}
            data-testid="simulate-range"
          />
          <Button type="primary" icon={<ExperimentOutlined />} onClick={() => void run()} loading={loading} data-testid="simulate-run">
            {t('运行模拟', 'Run simulation')}
          </Button>
          <Typography.Text type="secondary">
            {draftVersion
              ? t(`用草稿 v${draftVersion} 与已发布版本分别计算此期间已处理的事件，不会写入任何数据`, `Runs draft v${draftVersion} and the published set over this period's processed events; writes nothing`)
              : t('当前没有草稿：将用生效版本计算', 'No draft: the active version is used')}
          </Typography.Text>
        </Space>
        <div style={{ marginTop: 8 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`最长 ${MAX_DAYS} 天。期间内的封顶从零开始计算；已退款的交易不计入。`, `At most ${MAX_DAYS} days. Caps count from zero at the start; refunded sales are left out.`)}
          </Typography.Text>
        </div>
      </Card>
      <ErrorAlert error={error} onRetry={() => void run()} title={t('模拟失败', 'Simulation failed')} />
      {sim ? (
        <div data-testid="simulation-result">
          <Typography.Paragraph type="secondary">
            {t(`${formatDate(sim.from)} 至 ${formatDate(dayjs(sim.to).subtract(1, 'ms').toISOString())} 的结果`, `Results for ${formatDate(sim.from)} – ${formatDate(dayjs(sim.to).subtract(1, 'ms').toISOString())}`)}
          </Typography.Paragraph>
          {sim.events === 0 ? <Card><Empty description={t('此期间没有已处理的事件，请换一个期间', 'No processed events in this period; try another')} /></Card> : <SimulationResult sim={sim} words={words} />}
        </div>
      ) : !loading && !error ? (
        <Card>
          <Empty description={t('选择期间后点击「运行模拟」', 'Choose a period and run the simulation')} />
        </Card>
      ) : null}
    </div>
  );
}
