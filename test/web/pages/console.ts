import type { Page } from 'playwright-core';

/** The console's sign-in page and its shell (menu, current person). */
export class ConsoleLoginPage {
  constructor(readonly page: Page) {}

  async signIn(username: string, password: string) {
    await this.page.goto('/admin/');
    await this.page.getByTestId('login-card').waitFor();
    await this.page.getByLabel('用户名').fill(username);
    await this.page.getByLabel('密码').fill(password);
    await this.page.getByRole('button', { name: /登\s*录/ }).click();
    await this.page.getByTestId('current-staff').waitFor();
    return new ConsoleShell(this.page);
  }
}

export class ConsoleShell {
  constructor(readonly page: Page) {}

  /** The labels of the menu entries this person sees. */
  async menuLabels(): Promise<string[]> {
    const items = this.page.getByTestId('admin-menu').locator('.ant-menu-item');
    return (await items.allInnerTexts()).map((s) => s.trim());
  }

  async open(path: string, pageTestId: string) {
    await this.page.goto(`/admin${path}`);
    await this.page.getByTestId(pageTestId).waitFor();
  }

  /** The console's "no access" result (the router refuses pages a role cannot open). */
  forbidden() {
    return this.page.getByText('您的角色无权访问此页面');
  }
}
