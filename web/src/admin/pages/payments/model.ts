/** Shapes of the payments API (src/modules/payments/payments.routes.ts) and their words. */
type Words = [zh: string, en: string];

export interface PaymentOrder {
  orderNo: string;
  memberId: number;
  purpose: 'entry_fee' | 'level_purchase';
  purposeRef: string | null;
  amountFen: string;
  channel: string;
  simulated: boolean;
  status: string;
  expiresAt: string;
  paidAt: string | null;
  checkoutUrl: string | null;
  createdAt: string;
}

export interface Anomaly {
  id: number;
  channelId: string;
  orderNo: string;
  channelTradeNo: string | null;
  amountFen: string | null;
  outcome: string;
  receivedAt: string;
}

export interface QueryAnswer {
  state: string;
  paid: boolean;
  outcome: string | null;
  order: PaymentOrder;
}

export const orderStatusWords: Record<string, [zh: string, en: string, color: string]> = {
  pending: ['待支付', 'Pending', 'processing'],
  paid: ['已支付', 'Paid', 'green'],
  failed: ['支付失败', 'Failed', 'red'],
  expired: ['已过期', 'Expired', 'default'],
};

export const purposeWords: Record<string, Words> = {
  entry_fee: ['入驻费', 'Entry fee'],
  level_purchase: ['等级购买', 'Level purchase'],
};

/** What a channel confirmation did (payment_notifications.outcome), and "duplicate" for one seen before. */
export const outcomeWords: Record<string, [zh: string, en: string, color: string]> = {
  applied: ['已入账', 'Applied', 'green'],
  failed_payment: ['支付失败', 'Payment failed', 'red'],
  unknown_order: ['订单不存在', 'Unknown order', 'volcano'],
  expired_order: ['订单已过期', 'Order expired', 'orange'],
  already_paid: ['重复支付', 'Paid twice', 'red'],
  amount_mismatch: ['金额不符', 'Amount mismatch', 'red'],
  duplicate: ['重复通知', 'Duplicate', 'default'],
};

/** What to do about each kind of anomaly, for the person looking at it. */
export const anomalyAdvice: Record<string, Words> = {
  unknown_order: ['通道通知的订单在平台不存在：核对通道商户号与订单号，必要时在通道侧退款', 'The channel reported an order we do not have: check the merchant and order number; refund on the channel if needed'],
  expired_order: ['订单过期后才收到支付：联系会员确认，在通道侧退款或人工补单', 'Paid after the order expired: contact the member; refund on the channel or settle by hand'],
  already_paid: ['同一订单被支付了两次：在通道侧退还多付的一笔', 'The order was paid twice: refund the extra payment on the channel'],
  amount_mismatch: ['实付金额与订单金额不符：核对后在通道侧退款', 'The amount paid differs from the order: check, then refund on the channel'],
};

export const channelKindWords: Record<string, Words> = {
  sandbox: ['模拟通道', 'Sandbox'],
  wechatpay: ['微信支付', 'WeChat Pay'],
  alipay: ['支付宝', 'Alipay'],
  push: ['交易推送', 'Transaction push'],
};
