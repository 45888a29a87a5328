import { ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, errorText, withQuery } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, Money } from '../../components';
import { useStaffSession } from '../../session';
import { MemberCell, useMemberLookup } from '../withdrawals/members';
import { CsvButton } from '../../CsvButton';
import dayjs from 'dayjs';
import { apiQuery, isFiltered, type OrderFilters, readFilters, writeFilters } from './filters';
import { orderStatusWords, outcomeWords, type PaymentOrder, purposeWords, type QueryAnswer } from './model';
import { OrderFilterBar } from './OrderFilterBar';

export function OrderStatusTag({ status }: { status: string }) {
  const { lang } = useI18n();
  const w = orderStatusWords[status];
  return <Tag color={w?.[2] ?? 'default'}>{w ? w[lang === 'en' ? 1 : 0] : status}</Tag>;
}

/**
 * Payment orders, newest first, filtered by the server (status, purpose,
 * channel, member, an exact order number or phone, a created/paid day range)
 * and paged by its cursor. The filters live in the address (see filters.ts).
 */
export function OrdersTable() {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const { modal, message } = App.useApp();
  const canQuery = can('owner', 'finance');
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const setFilters = (next: OrderFilters) => setParams(writeFilters(next));
  const filtered = isFiltered(filters);
  const query = apiQuery(filters);
  const pages = useCursorPages<PaymentOrder>('/api/admin/payments', query, 50);
  const members = useMemberLookup(pages.items.map((o) => o.memberId));
  const [querying, setQuerying] = useState<string | null>(null);
  const word = (map: Record<string, readonly string[]>, key: string) => map[key]?.[lang === 'en' ? 1 : 0] ?? key;

  const queryChannel = async (o: PaymentOrder) => {
    setQuerying(o.orderNo);
    try {
      const answer = await api.post<QueryAnswer>(`/api/admin/payments/${encodeURIComponent(o.orderNo)}/query`);
      modal.info({
        title: t('通道查询结果', 'Channel answer'),
        width: 520,
        content: (
          <Descriptions size="small" column={1} bordered style={{ marginTop: 12 }}>
            <Descriptions.Item label={t('订单号', 'Order')}>{o.orderNo}</Descriptions.Item>
            <Descriptions.Item label={t('通道状态', 'Channel state')}>
              <Typography.Text code>{answer.state}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('通道是否已收款', 'Paid at the channel')}>{answer.paid ? t('是', 'Yes') : t('否', 'No')}</Descriptions.Item>
            <Descriptions.Item label={t('处理结果', 'Outcome')}>
              {answer.outcome ? <Tag color={outcomeWords[answer.outcome]?.[2]}>{word(outcomeWords, answer.outcome)}</Tag> : t('无需处理', 'Nothing to apply')}
            </Descriptions.Item>
            <Descriptions.Item label={t('订单状态', 'Order status')}>
              <OrderStatusTag status={answer.order.status} />
            </Descriptions.Item>
          </Descriptions>
        ),
      });
      pages.reload();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setQuerying(null);
    }
  };

  const columns: ColumnsType<PaymentOrder> = [
    {
      title: t('订单号', 'Order no.'),
      dataIndex: 'orderNo',
      width: 230,
      render: (v: string) => (
        <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 12, whiteSpace: 'nowrap' }}>
          {v}
        </Typography.Text>
      ),
    },
    { title: t('会员', 'Member'), dataIndex: 'memberId', width: 120, render: (id: number) => <MemberCell id={id} members={members} /> },
    {
      title: t('用途', 'Purpose'),
      dataIndex: 'purpose',
      width: 100,
      render: (p: string, o) => (
        <Space direction="vertical" size={0}>
          {word(purposeWords, p)}
          {o.purposeRef ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {o.purpose === 'level_purchase' ? t(`等级 ID ${o.purposeRef}`, `Level id ${o.purposeRef}`) : o.purposeRef}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    { title: t('金额', 'Amount'), dataIndex: 'amountFen', align: 'right', width: 95, render: (v: string) => <Money fen={v} strong /> },
    {
      title: t('通道', 'Channel'),
      dataIndex: 'channel',
      width: 80,
      render: (c: string, o) => (o.simulated ? <Tag>{t('模拟', 'Sandbox')}</Tag> : <Typography.Text code>{c}</Typography.Text>),
    },
    {
      title: t('状态', 'Status'),
      dataIndex: 'status',
      width: 85,
      render: (s: string) => <OrderStatusTag status={s} />,
    },
    {
      title: t('创建 / 支付时间', 'Created / paid'),
      key: 'time',
      width: 135,
      render: (_, o) => (
        <Space direction="vertical" size={0}>
          <span>{formatDateTime(o.createdAt)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {o.paidAt ? formatDateTime(o.paidAt) : t(`${formatDateTime(o.expiresAt)} 过期`, `expires ${formatDateTime(o.expiresAt)}`)}
          </Typography.Text>
        </Space>
      ),
    },
  ];
  if (canQuery) {
    columns.push({
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 105,
      render: (_, o) =>
        o.status === 'paid' ? null : o.simulated ? (
          <Tooltip title={t('模拟通道的订单由沙盒收银台确认，无需查询', 'Sandbox orders are confirmed by the sandbox checkout; nothing to query')}>
            <Button size="small" icon={<SyncOutlined />} disabled>
              {t('查询通道', 'Query')}
            </Button>
          </Tooltip>
        ) : (
          <Button size="small" icon={<SyncOutlined />} loading={querying === o.orderNo} onClick={() => void queryChannel(o)} data-testid="payment-query">
            {t('查询通道', 'Query')}
          </Button>
        ),
    });
  }

  return (
    <Card
      title={t('订单列表', 'Orders')}
      extra={
        <Space>
          <CsvButton url={withQuery('/api/admin/payments.csv', query)} filename={`payments-${dayjs().format('YYYYMMDD-HHmm')}.csv`} testId="payments-csv" capped />
          <Button icon={<ReloadOutlined />} onClick={pages.reload} loading={pages.loading} data-testid="payments-refresh">
            {t('刷新', 'Refresh')}
          </Button>
        </Space>
      }
    >
      <OrderFilterBar filters={filters} onChange={setFilters} />
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<PaymentOrder>
        rowKey="orderNo"
        size="middle"
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading}
        pagination={false}
        scroll={{ x: 950 }}
        data-testid="payments-table"
        locale={{ emptyText: <EmptyState text={filtered ? t('没有符合条件的订单', 'No orders match the filters') : t('暂无支付订单', 'No payment orders')} /> }}
      />
      <CursorPager pages={pages} />
    </Card>
  );
}
