/**
 * The domain events of the outbox and their payloads. Producers and consumers
 * both use these types, so a change of shape is a compile error on both sides.
 */
export interface TransactionEventPayload {
  transactionId: number;
  channelId: string;
  channelTxnId: string;
  memberId: number;
  /** Fen as a digit string. */
  amountFen: string;
  occurredAt: string;
  originalTxnId: string | null;
}

export interface PaymentConfirmedPayload {
  orderId: number;
  orderNo: string;
  memberId: number;
  purpose: 'entry_fee' | 'level_purchase';
  purposeRef: string | null;
  amountFen: string;
  channelId: string;
  paidAt: string;
}

/** The entry fee is paid: the member is active. Produces onboarding rewards (SPEC §6). */
export interface OnboardingFeePaidPayload {
  memberId: number;
  orderId: number;
  orderNo: string;
  amountFen: string;
  paidAt: string;
}

/**
 * A level purchase is paid (SPEC §4): the base of level-purchase rewards is
 * the amount paid. `toLevelId` is the level bought; when the member had
 * already reached it (or higher) the level stays `fromLevelId`.
 */
export interface LevelPurchasedPayload {
  memberId: number;
  orderId: number;
  orderNo: string;
  fromLevelId: number;
  toLevelId: number;
  amountFen: string;
  paidAt: string;
}

export interface DomainEvents {
  onboarding_fee_paid: OnboardingFeePaidPayload;
  transaction_settled: TransactionEventPayload;
  transaction_refunded: TransactionEventPayload;
  payment_confirmed: PaymentConfirmedPayload;
  level_purchased: LevelPurchasedPayload;
}
export type DomainEventType = keyof DomainEvents;
