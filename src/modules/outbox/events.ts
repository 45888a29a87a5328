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

export interface DomainEvents {
  transaction_settled: TransactionEventPayload;
  transaction_refunded: TransactionEventPayload;
  payment_confirmed: PaymentConfirmedPayload;
}
export type DomainEventType = keyof DomainEvents;
