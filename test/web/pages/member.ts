import type { Page } from 'playwright-core';

/**
 * The member H5's pages as a person on a phone uses them. Inputs carry their
 * data-testid on the <input> itself; antd-mobile dialogs confirm with their
 * button text.
 */
export class MemberLoginPage {
  constructor(readonly page: Page) {}

  async signIn(phone: string, password: string) {
    await this.page.goto('/m/login');
    await this.page.getByTestId('page-login').waitFor();
    await this.page.getByTestId('login-phone').fill(phone);
    await this.page.getByTestId('login-password').fill(password);
    await this.page.getByTestId('login-submit').click();
    await this.page.getByTestId('page-home').waitFor();
  }
}

export class RegisterPage {
  constructor(readonly page: Page) {}

  /** Opens the invite link as the invitee receives it. */
  async openInviteLink(link: string) {
    await this.page.goto(link);
    await this.page.getByTestId('page-register').waitFor();
  }

  inviteCode() {
    return this.page.getByTestId('reg-invite');
  }

  async requestSmsCode(phone: string) {
    await this.page.getByTestId('reg-phone').fill(phone);
    await this.page.getByTestId('reg-sms').click();
  }

  async complete(input: { smsCode: string; password: string; name: string }) {
    await this.page.getByTestId('reg-code').fill(input.smsCode);
    await this.page.getByTestId('reg-password').fill(input.password);
    await this.page.getByTestId('reg-password2').fill(input.password);
    await this.page.getByTestId('reg-name').fill(input.name);
    await this.page.getByTestId('reg-submit').click();
  }
}

export type OnboardingForm = Record<'businessName' | 'licenceNo' | 'category' | 'address' | 'contactPhone' | 'legalName' | 'idNumber' | 'bankAccountName' | 'bankName' | 'bankAccountNo', string>;

export class OnboardingPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/m/onboarding');
    await this.page.getByTestId('page-onboarding').waitFor();
  }

  async fill(form: OnboardingForm) {
    for (const [field, value] of Object.entries(form)) await this.page.getByTestId(`ob-${field}`).fill(value);
  }

  /** Chooses a photo for one upload slot (licence, id_front, id_back, storefront) and waits for it to be stored. */
  async upload(kind: string, png: Buffer) {
    const slot = this.page.getByTestId(`upload-${kind}`);
    const done = this.page.waitForResponse((r) => r.url().includes(`/api/member/onboarding/files/${kind}`) && r.request().method() === 'PUT');
    await slot.locator('input[type=file]').setInputFiles({ name: `${kind}.png`, mimeType: 'image/png', buffer: png });
    const res = await done;
    if (!res.ok()) throw new Error(`upload of ${kind} failed: ${res.status()} ${await res.text()}`);
  }

  async submit() {
    await this.page.getByTestId('onboarding-submit').click();
    await this.page.getByRole('button', { name: '确认提交' }).click();
    await this.page.locator('[data-testid="onboarding-state"][data-state="submitted"]').waitFor();
  }

  state() {
    return this.page.getByTestId('onboarding-state');
  }
}

export class PayFeePage {
  constructor(readonly page: Page) {}

  /** Pays the entry fee on the sandbox checkout and comes back to the result. */
  async payInSandbox() {
    await this.page.goto('/m/pay');
    await this.page.getByTestId('page-pay').waitFor();
    await this.page.getByTestId('pay-submit').click();
    await this.page.waitForURL(/\/sandbox\/checkout\//);
    await this.page.getByRole('button', { name: '模拟支付成功' }).click();
    await this.page.waitForURL(/\/m\/pay\?order=/);
    return this.page.getByTestId('payment-result');
  }
}

export class EarningsPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/m/earnings');
    await this.page.getByTestId('page-earnings').waitFor();
  }

  lines() {
    return this.page.getByTestId('statement-line');
  }
}

export class WithdrawPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto('/m/withdraw');
    await this.page.getByTestId('page-withdraw').waitFor();
  }

  /** Fills a withdrawal and waits for its fee preview; the payee's name and bank come filled in from onboarding, the account number is typed. */
  async fill(amountYuan: string, accountNo: string) {
    await this.page.getByTestId('withdraw-amount').fill(amountYuan);
    await this.page.getByTestId('withdraw-account').fill(accountNo);
    await this.page.getByTestId('withdraw-quote').getByText('手续费').waitFor();
    return this.page.getByTestId('withdraw-quote');
  }

  async submit() {
    await this.page.getByTestId('withdraw-submit').click();
    await this.page.getByRole('button', { name: '确认提现' }).click();
  }

  rows() {
    return this.page.getByTestId('withdrawal-row');
  }
}
