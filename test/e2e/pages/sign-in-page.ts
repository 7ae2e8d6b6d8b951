import { expect, type Page } from '@playwright/test';

export class SignInPage {
  constructor(readonly page: Page) {}

  async goto(path = '/signin') {
    await this.page.goto(path);
    await expect(this.page.getByRole('heading', { name: 'Sign in to Depot' })).toBeVisible();
  }

  async signIn(email: string, password: string) {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  async expectError(text: RegExp | string) {
    // Scoped to the form: Next's route announcer is an alert too.
    await expect(this.page.locator('form').getByRole('alert')).toContainText(text);
  }
}
