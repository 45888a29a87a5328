import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { Card, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, Money } from '../../components';
import { CsvButton } from '../../CsvButton';
import type { LevelNames } from './levels';
import type { Evidence, Qualifier, Run } from './model';

type T = (zh: string, en: string) => string;

/** A condition the member met, in words of the console's language (the server's `text` is Chinese only). */
function evidenceText(e: Evidence, t: T): string {
  const money = (fen: string) => formatMoney(fen);
  switch (e.code) {
    case 'team':
      return t(`团队业绩 ${money(e.actual)}，要求 ≥ ${money(e.required)}`, `Team performance ${money(e.actual)}, needs ≥ ${money(e.required)}`);
    case 'personal':
      return t(`个人业绩 ${money(e.actual)}，要求 ≥ ${money(e.required)}`, `Personal performance ${money(e.actual)}, needs ≥ ${money(e.required)}`);
    case 'qualified_directs':
      return t(`合格直推 ${e.actual} 人，要求 ≥ ${e.required} 人`, `${e.actual} qualified direct members, needs ≥ ${e.required}`);
    case 'team_increment':
      return t(`团队增量 ${money(e.actual)}，要求 ≥ ${money(e.required)}`, `Team growth ${money(e.actual)}, needs ≥ ${money(e.required)}`);
    default:
      return e.text;
  }
}

/** The run's qualifiers with the evidence of every condition, a page at a time, by tier. */
export function QualifiersCard({ run, levels }: { run: Run; levels: LevelNames }) {
  const t = useT();
  const [tierId, setTierId] = useState('');
  // While collecting there is no list yet (statistics write it whole when they finish).
  const pages = useCursorPages<Qualifier>(run.state === 'collecting' ? null : `/api/admin/settlement/runs/${run.id}/qualifiers`, { tierId: tierId || undefined }, 20);
  const tierName = new Map(run.tiers.map((x) => [x.tierId, x.name]));

  // The list is written when the statistics finish and marked paid as tiers are paid: reload on each state.
  const { reload } = pages;
  const seenState = useRef(run.state);
  useEffect(() => {
    if (seenState.current === run.state) return;
    seenState.current = run.state;
    reload();
  }, [run.state, reload]);

  const columns: ColumnsType<Qualifier> = [
    {
      title: t('会员', 'Member'),
      key: 'member',
      width: 160,
      render: (_, q) => (
        <div style={{ lineHeight: 1.4 }}>
          <Link to={`/members/${q.memberId}`}>{q.displayName}</Link>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              #{q.memberId} · {q.phone}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    { title: t('等级（月末）', 'Level (month end)'), dataIndex: 'levelRank', width: 130, render: (r: number | null) => levels.nameOf(r) },
    { title: t('档位', 'Tier'), dataIndex: 'tierId', width: 110, render: (id: string) => <Tag color="geekblue">{tierName.get(id) ?? id}</Tag> },
    { title: t('分得', 'Share'), dataIndex: 'shareFen', width: 120, align: 'right', render: (v: string) => <Money fen={v} strong /> },
    {
      title: t('达标依据', 'Evidence'),
      dataIndex: 'evidence',
      render: (ev: Evidence[]) => (
        <Space direction="vertical" size={0}>
          {ev.map((e) => (
            <Typography.Text key={e.code} style={{ fontSize: 13 }}>
              {e.holds ? <CheckCircleFilled style={{ color: '#52c41a', marginRight: 6 }} /> : <CloseCircleFilled style={{ color: '#ff4d4f', marginRight: 6 }} />}
              {evidenceText(e, t)}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    {
      title: t('发放', 'Paid'),
      dataIndex: 'paid',
      width: 90,
      render: (paid: boolean) => (paid ? <Tag color="success">{t('已发放', 'Paid')}</Tag> : <Tag>{t('待发放', 'Pending')}</Tag>),
    },
  ];

  const options = [{ value: '', label: t('全部档位', 'All tiers') }, ...run.tiers.map((x) => ({ value: x.tierId, label: `${x.name} (${x.qualifiers})` }))];

  return (
    <Card
      title={t('合格商户名单', 'Qualifiers')}
      extra={<CsvButton url={`/api/admin/settlement/runs/${run.id}/qualifiers.csv`} filename={`settlement-${run.month}-run-${run.id}.csv`} testId="run-export" disabled={run.state === 'collecting'} />}
      data-testid="run-qualifiers"
    >
      {run.tiers.length > 1 ? <Segmented value={tierId} onChange={(v) => setTierId(String(v))} options={options} style={{ marginBottom: 16 }} data-testid="qualifiers-tier-filter" /> : null}
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<Qualifier>
        rowKey={(q) => `${q.tierId}:${q.memberId}`}
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="run-qualifiers-table"
        locale={{
          emptyText: (
            <EmptyState
              text={run.state === 'collecting' ? t('统计完成后显示合格商户', 'Qualifiers show once the statistics are done') : t('本月没有商户满足档位条件', 'No merchant met a tier’s conditions this month')}
            />
          ),
        }}
      />
      {pages.hasNext || pages.hasPrev ? <CursorPager pages={pages} /> : null}
    </Card>
  );
}
