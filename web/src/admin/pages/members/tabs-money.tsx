import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, DatePicker, Row, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { withQuery } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { formatMoney, ppmToPercent } from '../../../shared/money';
import { useApi } from '../../../shared/use-api';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, Money } from '../../components';
import { useStaffSession } from '../../session';
import { entryTypes, triggerLabel, type RewardLine, type StatementLine, type Wallet } from './model';

export function WalletTab({ memberId }: { memberId: number }) {
  const t = useT();
  const loaded = useApi<Wallet>(`/api/admin/members/${memberId}/wallet`);
  const w = loaded.data;
  const cards: { key: keyof Wallet; zh: string; en: string; hintZh: string; hintEn: string; color?: string }[] = [
    { key: 'availableFen', zh: '可用余额', en: 'Available', hintZh: '可申请提现', hintEn: 'Can be withdrawn', color: '#389e0d' },
    { key: 'frozenFen', zh: '冻结余额', en: 'Frozen', hintZh: '奖励在冻结期满后转入可用', hintEn: 'Rewards move to available after the hold', color: '#1677ff' },
    { key: 'withdrawingFen', zh: '提现中', en: 'Withdrawing', hintZh: '已申请、尚未到账', hintEn: 'Requested, not yet paid' },
    { key: 'debtFen', zh: '欠款', en: 'Debt', hintZh: '退款追回使可用余额为负的部分', hintEn: 'Clawbacks beyond the available balance', color: '#cf1322' },
  ];
  return (
    <>
      <ErrorAlert error={loaded.error} onRetry={loaded.reload} />
      <Row gutter={[16, 16]} data-testid="member-wallet">
        {cards.map((c) => (
          <Col key={c.key} xs={24} sm={12} xl={6}>
            <Card size="small" loading={loaded.loading && !w}>
              <Statistic
                title={t(c.zh, c.en)}
                value={w ? formatMoney(w[c.key] as string) : '—'}
                valueStyle={{ color: w && w[c.key] !== '0' ? c.color : undefined, fontVariantNumeric: 'tabular-nums' }}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(c.hintZh, c.hintEn)}</Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>
      {w ? (
        <div style={{ marginTop: 16 }}>
          {w.canWithdraw ? <Tag color="success">{t('可以提现', 'Can withdraw')}</Tag> : <Tag>{t('暂无可提现金额', 'Nothing to withdraw')}</Tag>}
        </div>
      ) : null}
    </>
  );
}

/** Statement lines with their explanations; filters by entry type and date, CSV for the roles the server allows. */
export function StatementTab({ memberId }: { memberId: number }) {
  const t = useT();
  const { can } = useStaffSession();
  const [types, setTypes] = useState<string[]>([]);
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const query = {
    type: types.length ? types.join(',') : undefined,
    from: range ? range[0].startOf('day').toISOString() : undefined,
    to: range ? range[1].endOf('day').toISOString() : undefined,
  };
  const pages = useCursorPages<StatementLine>(`/api/admin/members/${memberId}/statement`, query, 20);

  const columns: ColumnsType<StatementLine> = [
    { title: t('时间', 'When'), dataIndex: 'at', width: 150, render: (v: string) => formatDateTime(v) },
    { title: t('类型', 'Type'), dataIndex: 'typeLabel', width: 120, render: (v: string) => <Tag>{v}</Tag> },
    { title: t('账户', 'Account'), dataIndex: 'accountLabel', width: 100 },
    {
      title: t('金额', 'Amount'),
      dataIndex: 'amountFen',
      align: 'right',
      width: 120,
      render: (v: string) => (
        <Typography.Text strong type={v.startsWith('-') ? 'danger' : 'success'} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
          {v.startsWith('-') ? formatMoney(v) : `+${formatMoney(v)}`}
        </Typography.Text>
      ),
    },
    { title: t('变动后余额', 'Balance after'), dataIndex: 'balanceAfterFen', align: 'right', width: 120, render: (v: string) => <Money fen={v} /> },
    {
      title: t('说明', 'Explanation'),
      key: 'memo',
      render: (_, l) => (
        <div>
          {l.explanations.length > 0 ? (
            l.explanations.map((e, i) => (
              <div key={i} style={{ fontSize: 13 }}>{e}</div>
            ))
          ) : (
            <span style={{ fontSize: 13 }}>{l.memo ?? '—'}</span>
          )}
          {l.debtRepaidFen !== '0' ? (
            <Typography.Text type="warning" style={{ fontSize: 12 }}>{t(`其中偿还欠款 ${formatMoney(l.debtRepaidFen)}`, `Repaid debt ${formatMoney(l.debtRepaidFen)}`)}</Typography.Text>
          ) : null}
        </div>
      ),
    },
  ];

  return (
    <>
      <Space wrap style={{ marginBottom: 16, justifyContent: 'space-between', width: '100%' }}>
        <Space wrap>
          <Select
            data-testid="statement-type-filter"
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            placeholder={t('全部类型', 'All types')}
            style={{ width: 280 }}
            value={types}
            onChange={setTypes}
            options={entryTypes.map((e) => ({ value: e.value, label: t(e.zh, e.en) }))}
          />
          <DatePicker.RangePicker value={range} onChange={(v) => setRange(v && v[0] && v[1] ? [v[0], v[1]] : null)} allowClear />
        </Space>
        {can('owner', 'finance', 'risk') ? (
          <Tooltip title={t('按当前筛选条件导出，最多 50,000 行', 'Exports the current filter, up to 50,000 lines')}>
            <Button data-testid="statement-csv" icon={<DownloadOutlined />} href={withQuery(`/api/admin/members/${memberId}/statement.csv`, query)}>
              {t('导出 CSV', 'Export CSV')}
            </Button>
          </Tooltip>
        ) : null}
      </Space>
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<StatementLine>
        data-testid="member-statement"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading}
        pagination={false}
        locale={{ emptyText: <EmptyState text={t('没有资金流水', 'No statement lines')} /> }}
      />
      <CursorPager pages={pages} />
    </>
  );
}

export function RewardsTab({ memberId }: { memberId: number }) {
  const t = useT();
  const pages = useCursorPages<RewardLine>(`/api/admin/members/${memberId}/rewards`, {}, 20);
  const columns: ColumnsType<RewardLine> = [
    { title: t('发生时间', 'When'), dataIndex: 'occurredAt', width: 150, render: (v: string) => formatDateTime(v) },
    {
      title: t('来源', 'Source'),
      key: 'source',
      width: 150,
      render: (_, r) => (
        <Space size={4} wrap>
          <Tag color="blue" style={{ marginInlineEnd: 0 }}>{triggerLabel(t, r.trigger)}</Tag>
          <Tag style={{ marginInlineEnd: 0 }}>{r.position}</Tag>
        </Space>
      ),
    },
    { title: t('基数', 'Base'), dataIndex: 'baseFen', align: 'right', width: 110, render: (v: string) => <Money fen={v} /> },
    {
      title: t('比例', 'Rate'),
      key: 'rate',
      align: 'right',
      width: 90,
      render: (_, r) => (r.ratePpm > 0 ? ppmToPercent(r.ratePpm) : r.fixedFen !== '0' ? t(`固定 ${formatMoney(r.fixedFen)}`, `Fixed ${formatMoney(r.fixedFen)}`) : '—'),
    },
    {
      title: t('实得', 'Paid'),
      dataIndex: 'amountFen',
      align: 'right',
      width: 120,
      render: (v: string, r) => (
        <Space direction="vertical" size={0} style={{ alignItems: 'flex-end' }}>
          <Money fen={v} strong />
          {r.grossFen !== v ? <Typography.Text type="secondary" delete style={{ fontSize: 12 }}>{formatMoney(r.grossFen)}</Typography.Text> : null}
        </Space>
      ),
    },
    {
      title: t('状态', 'State'),
      dataIndex: 'clawedBack',
      width: 90,
      render: (v: boolean) => (v ? <Tag color="red">{t('已追回', 'Clawed back')}</Tag> : <Tag color="green">{t('已发放', 'Paid')}</Tag>),
    },
    { title: t('计算说明', 'How it was computed'), dataIndex: 'text', render: (v: string) => <span style={{ fontSize: 13 }}>{v}</span> },
    {
      title: t('事件', 'Event'),
      key: 'event',
      width: 110,
      render: (_, r) => (
        <Link to={`/rewards?tab=why&eventId=${r.eventId}&memberId=${memberId}`} data-testid={`reward-why-${r.id}`}>
          #{r.eventId} {t('原因', 'why')}
        </Link>
      ),
    },
  ];
  return (
    <>
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<RewardLine>
        data-testid="member-rewards"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading}
        pagination={false}
        locale={{ emptyText: <EmptyState text={t('还没有奖励', 'No rewards yet')} /> }}
      />
      <CursorPager pages={pages} />
    </>
  );
}
