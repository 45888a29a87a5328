import type { Page } from 'playwright-core';

/**
 * Confirms an antd confirmation dialog by its OK button and waits until it
 * has closed. The dialog zooms in; a click that lands while it still moves
 * can be lost (seen once in CI under load: the dialog stayed open, its
 * button never loading), so this waits for the motion to end, and clicks
 * again if the dialog is still open, idle, a few seconds later. A button
 * that shows loading has its request running: that is waited for, never
 * clicked twice.
 */
export async function confirmDialog(page: Page, okTestId: string): Promise<void> {
  const ok = page.getByTestId(okTestId);
  await ok.waitFor();
  const dialog = page.locator('.ant-modal-root').filter({ has: ok });
  const moving = dialog.locator('[class*="-appear"], [class*="-enter"]');
  for (let i = 0; i < 100 && (await moving.count()) > 0; i++) await page.waitForTimeout(50);
  for (let attempt = 1; ; attempt++) {
    await ok.click();
    if (await closedWithin(dialog, 5_000)) return;
    if (await ok.evaluate((el) => el.classList.contains('ant-btn-loading')).catch(() => false)) {
      if (await closedWithin(dialog, 30_000)) return;
    }
    if (attempt === 3) throw new Error(`the dialog confirmed with ${okTestId} did not close`);
  }
}

const closedWithin = (dialog: ReturnType<Page['locator']>, timeout: number) =>
  dialog.waitFor({ state: 'detached', timeout }).then(
    () => true,
    () => false,
  );
