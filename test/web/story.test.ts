/**
 * The product's story in a real browser (Debian Chromium), on a server seeded
 * by seed-demo: a viewer is kept out of edit pages; staff edit a reward rule,
 * simulate and publish it; a merchant registers through an invite link,
 * onboards with photos, is approved, pays the entry fee in the sandbox, and
 * the inviter sees the reward; the inviter withdraws a large amount and
 * finance approves it. Each step ends with a screenshot of its last page
 * (test-results/screenshots/).
 */
import fs from 'node:fs';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { request as playwrightRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { idNumber, licenceNo, pngBytes } from '../helpers/onboarding.js';
import {
  browserAvailable, collectPageErrors, DEMO_PASSWORD, type DemoServer, horizontalOverflow, launchBrowser, newConsoleContext,
  newPhoneContext, OWNER, runBrowserTests, screenshot, startDemoServer,
} from './harness.js';
import { ConsoleLoginPage, ConsoleShell } from './pages/console.js';
import { EarningsPage, MemberLoginPage, OnboardingPage, PayFeePage, RegisterPage, WithdrawPage } from './pages/member.js';
import { ReviewQueuePage } from './pages/onboarding-review.js';
import { RewardRulesPage } from './pages/reward-rules.js';
import { WithdrawalsPage } from './pages/withdrawals.js';

if (process.env.CI && !browserAvailable) throw new Error('CI must run the browser tests: /usr/bin/chromium is missing');

/** A step drives several pages and waits for the server's consumers: more than the suite's default minute on a busy CI machine. */
const STEP_TIMEOUT = 240_000;
const INVITER = '13800000001';
const NEWCOMER = { phone: '13912340001', password: 'newpass2026', name: '王小明', shop: '王记早餐店' };

/** On failure, the pages as they were: the first thing to look at. */
function shotsOnFailure(pages: Record<string, () => Page | undefined>) {
  onTestFailed(async () => {
    for (const [name, page] of Object.entries(pages)) {
      const p = page();
      if (p && !p.isClosed()) await screenshot(p, `FAILED-${name}`).catch(() => undefined);
    }
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe.runIf(runBrowserTests).sequential('the story in a browser', () => {
  let server: DemoServer;
  let browser: Browser;
  let api: APIRequestContext;
  let owner: BrowserContext;
  let ownerPage: Page;
  const pageErrors: string[] = [];

  /** An API session of the owner, for setup and for checking what the pages did. */
  async function asOwner() {
    const res = await api.post('/api/staff/login', { data: { ...OWNER, client: 'web' } });
    expect(res.status()).toBe(200);
  }

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    api = await playwrightRequest.newContext({ baseURL: server.url });
    await asOwner();
    owner = await newConsoleContext(browser, server.url);
    ownerPage = await owner.newPage();
    pageErrors.push(...collectPageErrors(ownerPage));
    await new ConsoleLoginPage(ownerPage).signIn(OWNER.username, OWNER.password);
  }, 240_000);

  afterAll(async () => {
    await api?.dispose();
    await browser?.close();
    await server?.stop();
  });

  it('a viewer sees no edit actions and cannot open the owner pages', { timeout: STEP_TIMEOUT }, async () => {
    const created = await api.post('/api/admin/staff', { data: { username: 'viewer1', displayName: '只读员工', roles: ['viewer'] } });
    expect(created.status()).toBe(201);
    const temporary = ((await created.json()) as { temporaryPassword: string }).temporaryPassword;
    const context = await newConsoleContext(browser, server.url);
    const page = await context.newPage();
    shotsOnFailure({ viewer: () => page });
    const errors = collectPageErrors(page);
    // First sign-in with the temporary password: the console insists on a new one.
    await new ConsoleLoginPage(page).signIn('viewer1', temporary);
    await page.getByTestId('page-account').waitFor();
    await page.getByTestId('account-current-password').fill(temporary);
    await page.getByTestId('account-new-password').fill('Viewer-pass-2026');
    await page.getByTestId('account-confirm-password').fill('Viewer-pass-2026');
    await page.getByTestId('account-password-submit').click();
    await page.getByText('密码已修改').first().waitFor();

    // The session goes on with the new password: the whole console is open to the viewer now.
    await page.goto('/admin/');
    await page.getByTestId('page-dashboard').waitFor();
    const shell = new ConsoleShell(page);
    const menu = await shell.menuLabels();
    expect(menu).toContain('会员管理');
    expect(menu).not.toContain('员工与角色');
    expect(menu).not.toContain('审计日志');

    await page.goto('/admin/staff');
    await shell.forbidden().waitFor();
    await page.goto('/admin/audit');
    await shell.forbidden().waitFor();

    const rules = new RewardRulesPage(page);
    await rules.open('draft');
    await page.getByText('当前没有草稿').waitFor();
    expect(await page.getByTestId('draft-create').count()).toBe(0);
    expect(await page.getByTestId('draft-publish').count()).toBe(0);
    expect(await page.getByTestId('draft-save').count()).toBe(0);

    await page.goto('/admin/withdrawals');
    await page.getByTestId('page-withdrawals').waitFor();
    expect(await page.getByTestId('withdrawal-approve').count()).toBe(0);

    // The server refuses regardless of what the page shows.
    const direct = await context.request.put('/api/admin/rewards/draft', { data: {} });
    expect(direct.status()).toBe(403);
    await screenshot(page, '1-viewer-withdrawals');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('staff edit a rule in the draft, simulate it and publish it', { timeout: STEP_TIMEOUT }, async () => {
    shotsOnFailure({ owner: () => ownerPage });
    const rules = new RewardRulesPage(ownerPage);
    await rules.openDraft();
    await rules.setRuleRate('fee-direct', '25');
    await rules.ruleCard('fee-direct').getByText('25%').first().waitFor();
    // Rewards go straight to the available balance from now on (no freeze), so the inviter can withdraw later in this story.
    await rules.settingsField('freezeDays').fill('0');
    await rules.saveDraft();

    const result = await rules.simulate();
    await result.getByTestId('sim-by-rule').getByText('直推入驻奖').waitFor();
    // Payout counts of both sets, draft first.
    await result.getByTestId('sim-by-rule').getByRole('row', { name: /直推入驻奖/ }).getByText(/^\d+ \/ \d+$/).waitFor();
    // Every breakdown sets the draft against the published set, by trigger too.
    await result.getByTestId('sim-by-trigger').getByRole('columnheader', { name: '差额' }).waitFor();
    await screenshot(ownerPage, '2a-rules-simulation');

    await rules.publish();
    await until('the new rule set to be active', async () => {
      const active = (await (await api.get('/api/admin/rewards/rule-sets/active')).json()) as { version: number; body: { freezeDays: number; rules: { id: string; amount: { ppm: number } }[] } };
      return active.version > 1 && active.body.freezeDays === 0 && active.body.rules.find((r) => r.id === 'fee-direct')?.amount.ppm === 250_000;
    });
    await rules.open('active');
    await ownerPage.getByTestId('page-rewards').getByText('25%').first().waitFor();
    await screenshot(ownerPage, '2b-rules-published');
    expect(pageErrors).toEqual([]);
  });

  it('a merchant joins through an invite link, is approved, pays the fee, and the inviter sees the reward', { timeout: STEP_TIMEOUT }, async () => {
    // The inviter's link, as the invite page shows it.
    const inviter = await newPhoneContext(browser, server.url);
    const inviterPage = await inviter.newPage();
    await new MemberLoginPage(inviterPage).signIn(INVITER, DEMO_PASSWORD);
    const invite = (await (await inviter.request.get('/api/member/invite')).json()) as { code: string; link: string };

    const phone = await newPhoneContext(browser, server.url);
    const page = await phone.newPage();
    shotsOnFailure({ newcomer: () => page, owner: () => ownerPage, inviter: () => inviterPage });
    const errors = collectPageErrors(page);
    const register = new RegisterPage(page);
    await register.openInviteLink(new URL(invite.link, server.url).pathname + new URL(invite.link, server.url).search);
    expect(await register.inviteCode().inputValue()).toBe(invite.code);
    await register.requestSmsCode(NEWCOMER.phone);
    const smsCode = await until('the SMS code in the server log', async () => server.smsCode(NEWCOMER.phone));
    await register.complete({ smsCode, password: NEWCOMER.password, name: NEWCOMER.name });

    const onboarding = new OnboardingPage(page);
    await page.waitForURL(/\/m\/onboarding/);
    await page.getByTestId('page-onboarding').waitFor();
    await onboarding.fill({
      businessName: NEWCOMER.shop,
      licenceNo: licenceNo(901),
      category: '餐饮',
      address: '浙江省杭州市西湖区文三路100号',
      contactPhone: NEWCOMER.phone,
      legalName: NEWCOMER.name,
      idNumber: idNumber(901),
      bankAccountName: NEWCOMER.name,
      bankName: '中国工商银行杭州分行',
      bankAccountNo: '6222020000000009011',
    });
    for (const kind of ['licence', 'id_front', 'id_back', 'storefront']) await onboarding.upload(kind, pngBytes(6000));
    await onboarding.submit();
    expect(await horizontalOverflow(page)).toBe(0);

    // Staff review it with the photos in front of them.
    const queue = new ReviewQueuePage(ownerPage);
    await queue.open();
    const detail = await queue.openApplication(NEWCOMER.shop);
    await until('the four photos to load', async () => {
      const widths = await detail.images().evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
      return widths.length === 4 && widths.every((w) => w > 0);
    });
    expect(await horizontalOverflow(ownerPage)).toBe(0);
    await screenshot(ownerPage, '3a-review-detail');
    await detail.approve();

    // The member pays the entry fee on the sandbox checkout and comes back to the result.
    const result = await new PayFeePage(page).payInSandbox();
    await page.locator('[data-testid="payment-result"][data-status="paid"]').waitFor();
    await expect.poll(() => result.innerText()).toContain('999.00');
    await page.goto('/m/onboarding');
    await page.locator('[data-testid="onboarding-state"][data-state="active"]').waitFor();
    await screenshot(page, '3b-newcomer-active');
    expect(errors).toEqual([]);

    // The inviter's statement shows the reward (25% of ¥999.00 under the published rules), with its explanation.
    const earnings = new EarningsPage(inviterPage);
    const line = await until('the reward in the inviter statement', async () => {
      await earnings.open();
      await earnings.lines().first().waitFor({ timeout: 10_000 });
      const first = earnings.lines().filter({ hasText: '249.75' }).first();
      return (await first.count()) > 0 ? first : null;
    }, 60_000);
    await line.click();
    await inviterPage.getByTestId('statement-explanation').getByText('直推').first().waitFor();
    expect(await horizontalOverflow(inviterPage)).toBe(0);
    await screenshot(inviterPage, '3c-inviter-statement');

    // Staff ask why the inviter was paid for that fee: the event replayed, every rule's verdict about the 直推.
    const rewards = (await (await inviter.request.get('/api/member/rewards')).json()) as { items: { eventId: number; amountFen: string }[] };
    const eventId = rewards.items.find((l) => l.amountFen === '24975')!.eventId;
    const why = await new RewardRulesPage(ownerPage).why(eventId, '直推');
    await why.getByText('直推入驻奖').first().waitFor();
    await why.getByText('已发放').first().waitFor();
    await screenshot(ownerPage, '3d-why-paid');
    await inviter.close();
    await phone.close();
  });

  it('the inviter withdraws a large amount and staff approve it', { timeout: STEP_TIMEOUT }, async () => {
    // Withdrawals over ¥100 need a person's approval in this network.
    const settings = (await (await api.get('/api/admin/settings/withdrawals')).json()) as Record<string, unknown>;
    const saved = await api.put('/api/admin/settings/withdrawals', { data: { ...settings, reviewThresholdFen: '10000' } });
    expect(saved.status()).toBe(200);

    const context = await newPhoneContext(browser, server.url);
    const page = await context.newPage();
    shotsOnFailure({ inviter: () => page, owner: () => ownerPage });
    const errors = collectPageErrors(page);
    await new MemberLoginPage(page).signIn(INVITER, DEMO_PASSWORD);
    const withdraw = new WithdrawPage(page);
    await withdraw.open();
    const quote = await withdraw.fill('200', '6217007215716982815');
    await quote.getByText('该金额需平台审核后打款').waitFor();
    await withdraw.submit();
    await page.locator('[data-testid="withdrawal-row"][data-status="requested"]').first().waitFor();

    const review = new WithdrawalsPage(ownerPage);
    await review.open();
    await review.table().getByText('¥200.00').first().waitFor();
    await review.approveFirst();
    await until('the withdrawal to leave review', async () => {
      const list = (await (await api.get('/api/admin/withdrawals?limit=5')).json()) as { items: { amountFen: string; status: string }[] };
      const mine = list.items.find((w) => w.amountFen === '20000');
      return mine && mine.status !== 'requested';
    });
    await review.showTab('已到账');
    await review.table().getByText('¥200.00').first().waitFor();
    expect(await horizontalOverflow(ownerPage)).toBe(0);
    await screenshot(ownerPage, '4a-withdrawal-approved');

    await withdraw.open();
    await until('the member to see the approval', async () => (await page.locator('[data-testid="withdrawal-row"][data-status="requested"]').count()) === 0);
    await screenshot(page, '4b-member-withdrawals');
    expect(errors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('every console page and every H5 page opens without errors, in both languages, and fits its screen', { timeout: STEP_TIMEOUT }, async () => {
    const consolePages: [string, string][] = [
      ['/', 'page-dashboard'], ['/members', 'page-members'], ['/members/1', 'page-member-detail'], ['/onboarding', 'page-onboarding-queue'],
      ['/levels', 'page-levels'], ['/rewards', 'page-rewards'], ['/dividends', 'page-dividend-tiers'], ['/settlement', 'page-settlement-runs'],
      ['/withdrawals', 'page-withdrawals'], ['/ledger', 'page-ledger'], ['/payments', 'page-payments'], ['/reconciliation', 'page-reconciliation'],
      ['/reports', 'page-reports'], ['/channels', 'page-channels'], ['/audit', 'page-audit'], ['/staff', 'page-staff'], ['/settings', 'page-settings'],
      ['/account', 'page-account'],
    ];
    const errors = collectPageErrors(ownerPage);
    shotsOnFailure({ owner: () => ownerPage });
    for (const [path, testId] of consolePages) {
      await ownerPage.goto(`/admin${path}`);
      await ownerPage.getByTestId(testId).waitFor();
      await ownerPage.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 15_000 });
      expect(await horizontalOverflow(ownerPage), path).toBe(0);
      expect(errors, path).toEqual([]);
    }
    // Staff export the list they are looking at.
    await ownerPage.goto('/admin/members');
    await ownerPage.getByTestId('members-table').locator('tbody tr').first().waitFor();
    const [download] = await Promise.all([ownerPage.waitForEvent('download'), ownerPage.getByTestId('members-export').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF会员ID,')).toBe(true);
    expect(csv.split('\r\n').filter(Boolean).length).toBeGreaterThan(400);

    // The dashboard draws its charts from a year of seeded sales.
    await ownerPage.goto('/admin/');
    await ownerPage.getByTestId('page-dashboard').locator('canvas').first().waitFor();
    await screenshot(ownerPage, '5a-dashboard');
    // English: the switch changes the console's words.
    await ownerPage.getByTestId('lang-switch').click();
    await ownerPage.getByTestId('admin-menu').getByText('Dashboard').waitFor();
    await screenshot(ownerPage, '5b-dashboard-en');
    await ownerPage.getByTestId('lang-switch').click();
    await ownerPage.getByTestId('admin-menu').getByText('数据看板').waitFor();

    const phone = await newPhoneContext(browser, server.url);
    const page = await phone.newPage();
    const memberErrors = collectPageErrors(page);
    shotsOnFailure({ member: () => page });
    await new MemberLoginPage(page).signIn(INVITER, DEMO_PASSWORD);
    for (const path of ['/', '/onboarding', '/level', '/invite', '/team', '/earnings', '/withdraw', '/rules', '/me']) {
      await page.goto(`/m${path}`);
      // Lists keep an "加载中" row at their end while more can be scrolled in; settled means the requests are answered.
      await page.waitForLoadState('networkidle');
      expect(await horizontalOverflow(page), path).toBe(0);
      expect(memberErrors, path).toEqual([]);
    }
    // The rules page says what is paid now: the rate published in step 2.
    await page.goto('/m/rules');
    await page.getByTestId('rule-text').filter({ hasText: '25%' }).first().waitFor();
    await page.goto('/m/team');
    await page.getByTestId('team-member').first().waitFor();
    await screenshot(page, '5c-member-team');
    await page.goto('/m/');
    await page.getByTestId('page-home').waitFor();
    await screenshot(page, '5d-member-home');
    await phone.close();
  });
});
