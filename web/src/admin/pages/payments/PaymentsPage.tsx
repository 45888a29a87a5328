import { Badge, Space, Tabs } from 'antd';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { PageTitle } from '../../components';
import { useStaffSession } from '../../session';
import { AnomaliesTable } from './AnomaliesTable';
import type { Anomaly } from './model';
import { OrdersTable } from './OrdersTable';

/** 支付订单: payment orders, and for owner/finance the anomalies that need a person. */
export default function PaymentsPage() {
  const t = useT();
  const { can } = useStaffSession();
  const finance = can('owner', 'finance');
  // Only for the count on the tab; the tab loads its own copy when opened.
  const anomalies = useApi<{ items: Anomaly[] }>(finance ? '/api/admin/payments/anomalies' : null);
  const count = anomalies.data?.items.length ?? 0;
  return (
    <div data-testid="page-payments">
      <PageTitle title={t('支付订单', 'Payments')} sub={t('会员支付的入驻费与等级购买订单，以及通道回调异常', 'Entry fee and level purchase orders, and channel confirmations that need attention')} />
      {finance ? (
        <Tabs
          defaultActiveKey="orders"
          items={[
            { key: 'orders', label: t('支付订单', 'Orders'), children: <OrdersTable /> },
            {
              key: 'anomalies',
              label: (
                <Space size={6} data-testid="anomalies-tab">
                  {t('异常通知', 'Anomalies')}
                  {count > 0 ? <Badge count={count} /> : null}
                </Space>
              ),
              children: <AnomaliesTable />,
            },
          ]}
        />
      ) : (
        <OrdersTable />
      )}
    </div>
  );
}
