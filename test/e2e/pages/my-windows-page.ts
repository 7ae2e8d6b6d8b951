import { expect, type Page } from '@playwright/test';

/** The portal's installation windows: the overview and one machine's editor. */
export class MyWindowsPage {
  constructor(readonly page: Page) {}

  async openFromOverview(hostname: string) {
    await this.page.goto('/portal/windows');
    await this.page.getByRole('link', { name: `Edit windows of ${hostname}` }).click();
    await expect(this.page.getByRole('heading', { name: `Installation windows · ${hostname}` })).toBeVisible();
  }

  row(n: number) {
    return this.page.getByTestId(`window-row-${n - 1}`);
  }

  async addWindow(start: string) {
    await this.page.getByRole('button', { name: 'Add window' }).click();
    const rows = this.page.locator('[data-testid^="window-row-"]');
    const n = await rows.count();
    await this.page.getByLabel(`Window ${n} start`).fill(start);
    return n;
  }

  async setStart(n: number, start: string) {
    await this.page.getByLabel(`Window ${n} start`).fill(start);
  }

  async setDay(n: number, day: string) {
    await this.page.getByLabel(`Window ${n} day`).selectOption({ label: day });
  }

  /** The day the row's select shows (what the user sees), not React's state. */
  async expectDay(n: number, day: string) {
    await expect(this.page.getByLabel(`Window ${n} day`).locator('option:checked')).toHaveText(day);
  }

  async save() {
    await this.page.getByRole('button', { name: 'Save windows' }).click();
  }

  async clear() {
    await this.page.getByRole('button', { name: 'Clear: use my groups’ defaults' }).click();
  }

  async expectSaved(message: string) {
    await expect(this.page.getByRole('status').filter({ hasText: message })).toBeVisible();
  }

  openings() {
    return this.page.getByTestId('next-openings').getByRole('listitem');
  }
}
