import type { Page } from 'playwright-core';

/** 入驻审核: the queue and one application. */
export class ReviewQueuePage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/admin/onboarding');
    await this.page.getByTestId('page-onboarding-queue').waitFor();
  }

  /** Opens the application of the merchant with this name from the queue. */
  async openApplication(merchantName: string) {
    await this.page.getByTestId('onboarding-table').getByText(merchantName).first().click();
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
    await this.page.getByTestId('onboarding-approve-confirm').click();
    await this.page.getByTestId('page-onboarding-queue').waitFor();
  }
}
