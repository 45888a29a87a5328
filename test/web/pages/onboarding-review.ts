import type { Page } from 'playwright-core';
import { confirmDialog } from './dialogs.js';

/** 入驻审核: the queue and one application. */
export class ReviewQueuePage {
  constructor(readonly page: Page) {}

  async open() {
    const loaded = this.page.waitForResponse((r) => r.url().includes('/api/admin/onboarding?'));
    await this.page.goto('/admin/onboarding');
    await this.page.getByTestId('page-onboarding-queue').waitFor();
    await loaded;
  }

  /** Opens the application of the merchant with this name, paging through the queue (oldest first) until it shows. */
  async openApplication(merchantName: string) {
    const table = this.page.getByTestId('onboarding-table');
    for (let pageNo = 1; pageNo <= 50; pageNo++) {
      // The rows of the page just loaded (the pager's buttons are disabled while a page loads).
      await table.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' });
      await table.locator('tbody tr.ant-table-row').first().waitFor();
      const row = table.getByText(merchantName).first();
      if (await row.isVisible()) break;
      const next = this.page.getByRole('button', { name: '下一页' });
      if (await next.isDisabled()) throw new Error(`${merchantName} is not in the review queue`);
      const loaded = this.page.waitForResponse((r) => r.url().includes('/api/admin/onboarding?'));
      await next.click();
      await loaded;
    }
    await table.getByText(merchantName).first().click();
    await this.page.getByTestId('page-onboarding-detail').waitFor();
    return new ReviewDetailPage(this.page);
  }
}

export class ReviewDetailPage {
  constructor(readonly page: Page) {}

  images() {
    return this.page.locator('[data-testid^="onboarding-file-"] img');
  }

  async approve() {
    await this.page.getByTestId('onboarding-approve').click();
    await confirmDialog(this.page, 'onboarding-approve-confirm');
    await this.page.getByTestId('page-onboarding-queue').waitFor();
  }
}
