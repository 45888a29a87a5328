import { Card, Table, Tag, Tooltip, Typography } from 'antd';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { ppmToPercent } from '../../../shared/money';
import { EmptyState, Money } from '../../components';
import { sumFen, type Run, type RunTier } from './model';

/** Per tier of the run: the pool, who qualified, the equal share and what the platform keeps. */
export function RunTiersTable({ run }: { run: Run }) {
  const t = useT();
  const payout = (x: RunTier) => (BigInt(x.shareFen) * BigInt(x.qualifiers)).toString();
  return (
    <Card title={t('档位分配', 'Tiers')} style={{ marginBottom: 16 }} extra={<Typography.Text type="secondary">{t(`按分红档位 v${run.tiersVersion} 计算`, `Computed with tiers v${run.tiersVersion}`)}</Typography.Text>}>
      <Table<RunTier>
        rowKey="tierId"
        size="middle"
        dataSource={run.tiers}
        pagination={false}
        scroll={{ x: 900 }}
        data-testid="run-tiers-table"
        locale={{ emptyText: <EmptyState text={run.state === 'collecting' ? t('统计完成后显示各档位的奖池与人数', 'Pools and qualifiers show once the statistics are done') : t('没有档位', 'No tiers')} /> }}
        columns={[
          {
            title: t('档位', 'Tier'),
            dataIndex: 'name',
            render: (name: string, x) => (
              <>
                <Typography.Text strong>{name}</Typography.Text>
                <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>
                  {x.tierId}
                </Typography.Text>
              </>
            ),
          },
          { title: t('奖池比例', 'Pool share'), dataIndex: 'poolPpm', align: 'right', render: (v: number) => ppmToPercent(v) },
          { title: t('奖池金额', 'Pool'), dataIndex: 'poolFen', align: 'right', render: (v: string) => <Money fen={v} /> },
          { title: t('合格人数', 'Qualifiers'), dataIndex: 'qualifiers', align: 'right', render: (v: number) => v.toLocaleString() },
          { title: t('每人分得', 'Each gets'), dataIndex: 'shareFen', align: 'right', render: (v: string) => <Money fen={v} strong /> },
          { title: t('应发合计', 'To pay'), key: 'payout', align: 'right', render: (_, x) => <Money fen={payout(x)} /> },
          {
            title: (
              <Tooltip title={t('奖池平分到分后除不尽的部分，留存平台', 'What is left after equal shares floored to the fen; kept by the platform')}>
                {t('余数（平台留存）', 'Remainder (kept)')}
              </Tooltip>
            ),
            dataIndex: 'remainderFen',
            align: 'right',
            render: (v: string) => <Money fen={v} />,
          },
          {
            title: t('发放', 'Paid'),
            key: 'paid',
            align: 'right',
            render: (_, x) =>
              x.paidAt ? (
                <Tooltip title={formatDateTime(x.paidAt)}>
                  <Tag color="success" style={{ marginInlineEnd: 0 }}>
                    {t('已发放', 'Paid')} <Money fen={x.paidFen} />
                  </Tag>
                </Tooltip>
              ) : (
                <Tag style={{ marginInlineEnd: 0 }}>{t('未发放', 'Unpaid')}</Tag>
              ),
          },
        ]}
        summary={(rows) =>
          rows.length > 1 ? (
            <Table.Summary.Row style={{ background: '#fafafa' }}>
              <Table.Summary.Cell index={0}>
                <Typography.Text strong>{t('合计', 'Total')}</Typography.Text>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                {ppmToPercent(rows.reduce((n, x) => n + x.poolPpm, 0))}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">
                <Money fen={sumFen(rows.map((x) => x.poolFen))} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right">
                {rows.reduce((n, x) => n + x.qualifiers, 0).toLocaleString()}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={4} />
              <Table.Summary.Cell index={5} align="right">
                <Money fen={sumFen(rows.map(payout))} strong />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={6} align="right">
                <Money fen={sumFen(rows.map((x) => x.remainderFen))} />
              </Table.Summary.Cell>
              <Table.Summary.Cell index={7} align="right">
                <Money fen={sumFen(rows.map((x) => x.paidFen))} strong />
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
    </Card>
  );
}
