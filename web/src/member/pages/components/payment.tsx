import { Button, Dialog, Result, Space, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../../../shared/api';
import { formatDateTime } from '../../../shared/format';
import { useT } from '../../../shared/i18n';
import { formatMoney } from '../../../shared/money';
import { useErrorText } from './errors';
import { paymentStatusLabel } from './labels';
import type { PaymentOrder } from './types';
import { InlineLoading, LoadError } from './ui';

type CreatedOrder = PaymentOrder & { pay: Record<string, unknown> };

/** Where the member pays: the sandbox checkout page, or a real channel's H5 page. */
function payUrlOf(order: CreatedOrder): string | null {
  for (const key of ['checkoutUrl', 'h5Url', 'payUrl'] as const) {
    const v = order.pay[key];
    if (typeof v === 'string' && v) return v;
  }
  return order.checkoutUrl;
}

/**
 * The sandbox checkout sends the payer back to `return` once paid (as a real
 * cashier does with its return URL); real channels configure theirs.
 */
function withReturn(url: string, back: string): string {
  if (!url.startsWith('/sandbox/')) return url;
  return `${url}${url.includes('?') ? '&' : '?'}return=${encodeURIComponent(`/m${back}`)}`;
}

/**
 * Creates the order and leaves for its checkout page. The current page is
 * first replaced by `returnPath?order=…`, so the back button (or the
 * checkout's return) lands on a page that shows the order's result.
 */
export function useCheckout() {
  const t = useT();
  const errText = useErrorText();
  const [busy, setBusy] = useState(false);
  const start = async (body: { purpose: 'entry_fee' | 'level_purchase'; purposeRef?: string }, returnPath: string, replace: (path: string) => void) => {
    setBusy(true);
    try {
      const order = await api.post<CreatedOrder>('/api/member/payments', body);
      const url = payUrlOf(order);
      if (!url) {
        Toast.show({ content: t('该支付方式暂不支持网页支付，请联系客服', 'This payment channel cannot be paid from the web page') });
        return;
      }
      const back = `${returnPath}?order=${encodeURIComponent(order.orderNo)}`;
      replace(back);
      window.location.assign(withReturn(url, back));
    } catch (err) {
      const pending = err instanceof ApiError ? (err.details as { pendingOrderNo?: unknown } | undefined)?.pendingOrderNo : undefined;
      if (typeof pending === 'string') await offerPending(pending, returnPath, replace);
      else Toast.show({ content: errText(err) });
    } finally {
      setBusy(false);
    }
  };
  /** The server allows one open level purchase at a time: offer to finish that one. */
  const offerPending = async (orderNo: string, returnPath: string, replace: (path: string) => void) => {
    const go = await Dialog.confirm({
      title: t('有未完成的订单', 'Unfinished order'),
      content: t('您有一笔未完成支付的订单，是否继续支付？', 'You have an order waiting for payment. Continue to pay it?'),
      confirmText: t('继续支付', 'Continue'),
      cancelText: t('稍后', 'Later'),
    });
    if (!go) return;
    try {
      const order = await api.get<PaymentOrder>(`/api/member/payments/${encodeURIComponent(orderNo)}`);
      const back = `${returnPath}?order=${encodeURIComponent(order.orderNo)}`;
      replace(back);
      if (order.checkoutUrl) window.location.assign(withReturn(order.checkoutUrl, back));
    } catch (err) {
      Toast.show({ content: errText(err) });
    }
  };
  return { start, busy };
}

const POLL_MS = 2000;
const POLL_LIMIT = 60;

/**
 * The outcome of an order after the checkout: asks the server every two
 * seconds while it is still pending (the channel's notification may arrive
 * after the member is back), up to two minutes.
 */
export function PaymentResult({ orderNo, onDone, doneText }: { orderNo: string; onDone: () => void; doneText: string }) {
  const t = useT();
  const [order, setOrder] = useState<PaymentOrder>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const [stopAt, setStopAt] = useState(POLL_LIMIT);
  const refresh = () => {
    setTick((n) => n + 1);
    setStopAt(tick + 1 + POLL_LIMIT);
  };
  useEffect(() => {
    let stopped = false;
    api
      .get<PaymentOrder>(`/api/member/payments/${encodeURIComponent(orderNo)}`)
      .then((o) => {
        if (!stopped) {
          setOrder(o);
          setError(undefined);
        }
      })
      .catch((e: unknown) => {
        if (!stopped) setError(e);
      });
    return () => {
      stopped = true;
    };
  }, [orderNo, tick]);
  const pending = order?.status === 'pending';
  useEffect(() => {
    if (!pending || tick >= stopAt) return;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [pending, tick, stopAt]);

  if (error && !order) return <LoadError error={error} onRetry={refresh} />;
  if (!order) return <InlineLoading text={t('正在查询支付结果', 'Checking the payment')} />;
  const label = paymentStatusLabel(t, order.status);
  const detail = (
    <div style={{ fontSize: 13, lineHeight: 1.8 }}>
      <div>{formatMoney(order.amountFen)}</div>
      <div style={{ wordBreak: 'break-all' }}>{t('订单号', 'Order')} {order.orderNo}</div>
      {order.paidAt ? <div>{t('支付时间', 'Paid at')} {formatDateTime(order.paidAt)}</div> : null}
      {order.simulated ? <div style={{ color: 'var(--adm-color-warning)' }}>{t('模拟支付通道，不产生真实扣款', 'Sandbox channel: no real money moves')}</div> : null}
    </div>
  );
  return (
    <div data-testid="payment-result" data-status={order.status}>
      <Result
        status={order.status === 'paid' ? 'success' : order.status === 'pending' ? 'waiting' : 'error'}
        title={order.status === 'pending' ? t('等待支付结果…', 'Waiting for the payment…') : label.text}
        description={detail}
      />
      <Space direction="vertical" block style={{ padding: '0 16px 16px', '--gap': '12px' }}>
        {order.status === 'paid' ? (
          <Button block color="primary" size="large" onClick={onDone} data-testid="payment-done">
            {doneText}
          </Button>
        ) : null}
        {order.status === 'pending' && order.checkoutUrl ? (
          <Button block color="primary" size="large" onClick={() => window.location.assign(order.checkoutUrl!)} data-testid="payment-continue">
            {t('继续支付', 'Continue to pay')}
          </Button>
        ) : null}
        {order.status === 'pending' ? (
          <Button block size="large" onClick={refresh}>
            {t('我已支付，刷新结果', 'I have paid — refresh')}
          </Button>
        ) : null}
        {order.status !== 'paid' && order.status !== 'pending' ? (
          <Button block size="large" onClick={onDone}>
            {t('返回重新支付', 'Back to pay again')}
          </Button>
        ) : null}
      </Space>
    </div>
  );
}
