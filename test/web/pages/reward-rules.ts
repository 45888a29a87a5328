import type { Page } from 'playwright-core';
import { confirmDialog } from './dialogs.js';

/** 奖励规则: the draft editor, the simulation and publishing. */
export class RewardRulesPage {
  constructor(readonly page: Page) {}

  async open(tab: 'active' | 'draft' | 'simulate' | 'versions' | 'why' = 'active') {
    await this.page.goto(tab === 'active' ? '/admin/rewards' : `/admin/rewards?tab=${tab}`);
    await this.page.getByTestId('page-rewards').waitFor();
  }

  /** 奖励解释 for one event: looks it up, then asks why the upline member at `position` (直推/间推/第3代) was (not) paid. */
  async why(eventId: number, position: string) {
    await this.open('why');
    await this.page.getByTestId('why-event').fill(String(eventId));
    await this.page.getByTestId('why-submit').click();
    const people = this.page.getByTestId('why-people');
    await people.waitFor();
    await people.getByRole('row').filter({ hasText: position }).getByRole('button').click();
    const result = this.page.getByTestId('why-result');
    await result.waitFor();
    return result;
  }

  /** Opens the draft tab, creating the draft from the published set when there is none. */
  async openDraft() {
    await this.open('draft');
    const create = this.page.getByTestId('draft-create');
    const editor = this.page.getByTestId('draft-editor');
    await Promise.race([create.waitFor(), editor.waitFor()]);
    if (await create.isVisible()) await create.click();
    await editor.waitFor();
  }

  /** Changes the rate (percent) of one rule through its generated form. */
  async setRuleRate(ruleId: string, percent: string) {
    await this.page.getByTestId(`rule-edit-${ruleId}`).click();
    const drawer = this.page.getByTestId('rule-drawer');
    await drawer.waitFor();
    const rate = drawer.getByTestId('field-amount.ppm');
    await rate.fill(percent);
    await this.page.getByTestId('rule-submit').click();
    await drawer.waitFor({ state: 'hidden' });
  }

  /** A field of the rule set's own settings (级差与平级设置), e.g. freezeDays. */
  settingsField(path: string) {
    return this.page.getByTestId('draft-settings').getByTestId(`field-${path}`);
  }

  ruleCard(ruleId: string) {
    return this.page.getByTestId(`rule-card-${ruleId}`);
  }

  async saveDraft() {
    await this.page.getByTestId('draft-save').click();
    await this.page.getByTestId('draft-dirty').waitFor({ state: 'hidden' });
  }

  /** Runs the simulation of the saved draft over the default period and waits for its result. */
  async simulate() {
    await this.page.getByRole('tab', { name: /模拟/ }).click();
    await this.page.getByTestId('simulate-run').click();
    const result = this.page.getByTestId('simulation-result');
    await result.waitFor();
    return result;
  }

  async publish() {
    await this.page.getByRole('tab', { name: /草稿编辑/ }).click();
    await this.page.getByTestId('draft-publish').click();
    await confirmDialog(this.page, 'publish-confirm');
  }
}
