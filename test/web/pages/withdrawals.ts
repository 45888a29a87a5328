import type { Page } from 'playwright-core';
import { confirmDialog } from './dialogs.js';

/** 提现审核 in the console. */
export class WithdrawalsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/admin/withdrawals');
    await this.page.getByTestId('page-withdrawals').waitFor();
  }

  table() {
    return this.page.getByTestId('withdrawals-table');
  }

  /** Approves the first withdrawal in the review queue from its row, through the confirmation. */
  async approveFirst() {
    await this.table().getByTestId('withdrawal-approve').first().click();
    await confirmDialog(this.page, 'withdrawal-approve-confirm');
  }

  /** Shows one of the status tabs (待审核, 待打款 / 打款中, 已到账, …). */
  async showTab(label: string) {
    await this.page.getByTestId('withdrawal-status-filter').getByText(label, { exact: true }).click();
  }
}
