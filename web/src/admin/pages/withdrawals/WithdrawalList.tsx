import { ReloadOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useCursorPages } from '../../../shared/use-cursor-pages';
import { CursorPager, EmptyState, ErrorAlert, Money } from '../../components';
import { useStaffSession } from '../../session';
import { CsvButton } from '../../CsvButton';
import { withQuery } from '../../../shared/api';
import dayjs from 'dayjs';
import { MemberCell, useMemberLookup } from './members';
import { statusFilters, type Withdrawal } from './model';
import { ReviewActions } from './ReviewActions';
import { StatusTag, WithdrawalDrawer } from './WithdrawalDrawer';

/** The withdrawal list, review queue first, with the detail drawer. */
export function WithdrawalList() {
  const { t, lang } = useI18n();
  const { can } = useStaffSession();
  const canReview = can('owner', 'finance');
  const [filter, setFilter] = useState(statusFilters[0]!.key);
  const [openId, setOpenId] = useState<number | null>(null);
  const statuses = statusFilters.find((f) => f.key === filter)?.statuses;
  const pages = useCursorPages<Withdrawal>('/api/admin/withdrawals', { status: statuses?.join(',') }, 20);
  const members = useMemberLookup(pages.items.map((w) => w.memberId));

  const columns: ColumnsType<Withdrawal> = [
    {
      title: t('编号 / 申请时间', 'No. / requested'),
      dataIndex: 'id',
      width: 130,
      render: (id: number, w) => (
        <Space direction="vertical" size={0}>
          <Typography.Link onClick={() => setOpenId(id)} data-testid="withdrawal-open">
            #{id}
          </Typography.Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatDateTime(w.requestedAt)}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('会员', 'Member'), dataIndex: 'memberId', width: 125, render: (id: number) => <MemberCell id={id} members={members} /> },
    { title: t('提现金额', 'Amount'), dataIndex: 'amountFen', align: 'right', width: 105, render: (v: string) => <Money fen={v} strong /> },
    { title: t('手续费', 'Fee'), dataIndex: 'feeFen', align: 'right', width: 75, render: (v: string) => <Money fen={v} /> },
    { title: t('实际到账', 'Net'), dataIndex: 'netFen', align: 'right', width: 105, render: (v: string) => <Money fen={v} /> },
    {
      title: t('收款账户', 'Payee account'),
      key: 'payee',
      render: (_, w) => (
        <Space direction="vertical" size={0}>
          <Typography.Text>{w.payee.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {w.payee.bank} {w.payee.account}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('状态 / 风控提示', 'Status / risk notes'),
      key: 'status',
      width: 130,
      render: (_, w) => (
        <Space direction="vertical" size={4}>
          <Space size={[4, 4]} wrap>
            <StatusTag status={w.status} />
            {w.reviewRequired ? (
              <Tooltip title={t('金额达到人工审核阈值', 'At or above the manual review threshold')}>
                <Tag color="volcano">{t('大额', 'Large')}</Tag>
              </Tooltip>
            ) : null}
            {w.simulated ? <Tag>{t('模拟', 'Sandbox')}</Tag> : null}
          </Space>
          {w.reason ? (
            <Tooltip title={w.reason}>
              <Typography.Text type="secondary" ellipsis style={{ maxWidth: 110, fontSize: 12 }}>
                {w.reason}
              </Typography.Text>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 140,
      render: (_, w) =>
        canReview && w.status === 'requested' ? (
          <ReviewActions w={w} member={members.get(w.memberId)} size="small" compact onDone={() => pages.reload()} />
        ) : (
          <Button type="link" size="small" onClick={() => setOpenId(w.id)}>
            {t('详情', 'Details')}
          </Button>
        ),
    },
  ];

  return (
    <Card
      title={
        <Segmented
          value={filter}
          onChange={(v) => setFilter(String(v))}
          data-testid="withdrawal-status-filter"
          options={statusFilters.map((f) => ({
            value: f.key,
            label:
              f.key === 'requested' && filter === 'requested' && pages.items.length > 0 ? (
                <Space size={6}>
                  {lang === 'en' ? f.words[1] : f.words[0]}
                  <Badge count={pages.hasNext ? `${pages.items.length}+` : pages.items.length} color="orange" />
                </Space>
              ) : lang === 'en' ? (
                f.words[1]
              ) : (
                f.words[0]
              ),
          }))}
        />
      }
      extra={
        <Space>
          <CsvButton url={withQuery('/api/admin/withdrawals.csv', { status: statuses?.join(',') })} filename={`withdrawals-${dayjs().format('YYYYMMDD-HHmm')}.csv`} testId="withdrawals-csv" capped />
          <Button icon={<ReloadOutlined />} onClick={pages.reload} loading={pages.loading}>
            {t('刷新', 'Refresh')}
          </Button>
        </Space>
      }
    >
      <ErrorAlert error={pages.error} onRetry={pages.reload} />
      <Table<Withdrawal>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={pages.items}
        loading={pages.loading}
        pagination={false}
        scroll={{ x: 940 }}
        data-testid="withdrawals-table"
        locale={{ emptyText: <EmptyState text={filter === 'requested' ? t('没有待审核的提现', 'Nothing awaits review') : t('暂无提现记录', 'No withdrawals')} /> }}
      />
      <CursorPager pages={pages} />
      <WithdrawalDrawer id={openId} onClose={() => setOpenId(null)} onChanged={() => pages.reload()} />
    </Card>
  );
}
