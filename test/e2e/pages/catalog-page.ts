import { expect, type Locator, type Page } from '@playwright/test';

/** The portal's catalog, as an end user works it: with role and label locators only. */
export class CatalogPage {
  constructor(readonly page: Page) {}

  async goto(query = '') {
    await this.page.goto(`/portal/catalog${query}`);
    await expect(this.page.getByRole('heading', { name: 'Catalog', level: 1 })).toBeVisible();
  }

  /** One package's card, named by its heading ("E2E Notes 1.0"). */
  card(software: string): Locator {
    return this.page.getByRole('article', { name: software });
  }

  /** Ticks the machines with the keyboard (Space) and presses Install (or Install now) with Enter. */
  async chooseWithKeyboard(software: string, hostnames: string[], { now = false } = {}) {
    const form = this.page.getByRole('form', { name: `Choose ${software}` });
    for (const hostname of hostnames) {
      const box = form.getByLabel(hostname);
      await box.focus();
      if (!(await box.isChecked())) await this.page.keyboard.press('Space');
      await expect(box).toBeChecked();
    }
    const button = form.getByRole('button', { name: now ? 'Install now' : 'Install', exact: true });
    await button.focus();
    await this.page.keyboard.press('Enter');
  }

  async press(action: string, software: string, hostname: string) {
    await this.page.getByRole('button', { name: `${action} ${software} on ${hostname}` }).click();
  }

  async expectStatus(text: string | RegExp) {
    await expect(this.page.getByRole('status')).toHaveText(text);
  }

  async expectMachineState(software: string, hostname: string, label: string) {
    await expect(this.card(software).getByRole('list', { name: `Your machines offered ${software}` }).getByRole('listitem').filter({ hasText: hostname })).toContainText(label);
  }
}
