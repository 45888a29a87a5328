import crypto from 'node:crypto';
import type { Withdrawal } from './withdrawals.schema.js';

export type PayoutOutcome = { ok: true; reference: string } | { ok: false; reason: string };

/** A channel that sends money to a member's bank account. */
export interface PayoutChannel {
  readonly name: string;
  /** True for channels that move no real money; shown as 模拟 wherever they appear. */
  readonly simulated: boolean;
  pay(withdrawal: Withdrawal): Promise<PayoutOutcome>;
}

/**
 * Simulated payouts for development and demos. No money moves; the operator
 * decides through the withdrawal settings whether payouts succeed or fail.
 */
export function createSandboxPayoutChannel(outcome: () => Promise<'succeed' | 'fail'>): PayoutChannel {
  return {
    name: 'sandbox',
    simulated: true,
    async pay(w) {
      if ((await outcome()) === 'fail') return { ok: false, reason: '模拟通道：按设置返回失败 (simulated failure)' };
      return { ok: true, reference: `SANDBOX-${w.id}-${crypto.randomBytes(4).toString('hex')}` };
    },
  };
}
