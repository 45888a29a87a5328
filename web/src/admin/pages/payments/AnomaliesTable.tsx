import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Table, Tag, Typography } from 'antd';
import { formatDateTime } from '../../../shared/format';
import { useI18n } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { EmptyState, ErrorAlert, Money } from '../../components';
import { type Anomaly, anomalyAdvice, outcomeWords } from './model';

/** Channel confirmations that changed nothing and need a person (the latest 200). */
export function AnomaliesTable() {
  const { t, lang } = useI18n();
  const { data, error, loading, reload } = useApi<{ items: Anomaly[] }>('/api/admin/payments/anomalies');
  const pick = (w: readonly string[] | undefined, fallback: string) => (w ? w[lang === 'en' ? 1 : 0]! : fallback);
  return (
    <Card
      title={t('支付异常通知', 'Payment anomalies')}
      extra={
        <Button icon={<ReloadOutlined />} onClick={reload} loading={loading}>
          {t('刷新', 'Refresh')}
        </Button>
      }
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        message={t(
          '以下通知已记录但未入账：订单不存在、订单已过期、重复支付或金额不符。请在通道后台核实并处理（通常为退款）。',
          'These confirmations were recorded but not applied: unknown or expired order, double payment, wrong amount. Check them on the channel (usually a refund).',
        )}
      />
      <ErrorAlert error={error} onRetry={reload} />
      <Table<Anomaly>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t(`共 ${n} 条`, `${n} in all`) }}
        data-testid="anomalies-table"
        locale={{ emptyText: <EmptyState text={t('没有异常通知', 'No anomalies')} /> }}
        expandable={{
          expandedRowRender: (a) => <Typography.Text type="secondary">{pick(anomalyAdvice[a.outcome], a.outcome)}</Typography.Text>,
        }}
        columns={[
          { title: t('收到时间', 'Received'), dataIndex: 'receivedAt', width: 150, render: (v: string) => formatDateTime(v) },
          {
            title: t('类型', 'Kind'),
            dataIndex: 'outcome',
            width: 120,
            render: (v: string) => <Tag color={outcomeWords[v]?.[2] ?? 'red'}>{pick(outcomeWords[v], v)}</Tag>,
          },
          { title: t('通道', 'Channel'), dataIndex: 'channelId', width: 110, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          {
            title: t('订单号', 'Order no.'),
            dataIndex: 'orderNo',
            render: (v: string) => (
              <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 12 }}>
                {v}
              </Typography.Text>
            ),
          },
          {
            title: t('通道流水号', 'Channel trade no.'),
            dataIndex: 'channelTradeNo',
            render: (v: string | null) => (v ? <Typography.Text copyable style={{ fontFamily: 'monospace', fontSize: 12 }}>{v}</Typography.Text> : '—'),
          },
          { title: t('金额', 'Amount'), dataIndex: 'amountFen', align: 'right', width: 120, render: (v: string | null) => <Money fen={v} /> },
        ]}
      />
    </Card>
  );
}
