import { List, Tag } from 'antd-mobile';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { useApi } from '../../../shared/use-api';
import { paymentStatusLabel } from './labels';
import type { PaymentOrder } from './types';
import { Money, Section } from './ui';

/** My recent orders of one purpose (entry fee or level purchase), newest first. */
export function PaymentHistory({ purpose }: { purpose: PaymentOrder['purpose'] }) {
  const t = useT();
  const orders = useApi<{ items: PaymentOrder[] }>('/api/member/payments', { limit: 50 });
  const mine = (orders.data?.items ?? []).filter((o) => o.purpose === purpose);
  if (mine.length === 0) return null;
  return (
    <Section title={t('支付记录', 'Payments')} testId="payment-history">
      <List style={{ '--border-top': 'none', '--border-bottom': 'none', '--padding-left': '0', '--padding-right': '0' }}>
        {mine.slice(0, 10).map((o) => {
          const s = paymentStatusLabel(t, o.status);
          return (
            <List.Item
              key={o.orderNo}
              description={<span style={{ wordBreak: 'break-all' }}>{`${formatDateTime(o.createdAt)} · ${o.orderNo}`}</span>}
              extra={
                <Tag color={s.color} fill="outline">
                  {s.text}
                </Tag>
              }
            >
              <Money fen={o.amountFen} />
              {o.simulated ? <span style={{ fontSize: 12, color: 'var(--adm-color-weak)' }}> · {t('模拟', 'sandbox')}</span> : null}
            </List.Item>
          );
        })}
      </List>
    </Section>
  );
}
