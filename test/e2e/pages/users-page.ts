import { expect, type Page } from '@playwright/test';

export class UsersPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/users');
    await expect(this.page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  }

  async createUser(user: { name: string; email: string; role: string; password: string }) {
    const form = this.page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Name').fill(user.name);
    await form.getByLabel('Email').fill(user.email);
    await form.getByLabel('Role').selectOption(user.role);
    await form.getByLabel('Initial password').fill(user.password);
    await form.getByRole('button', { name: 'Create user' }).click();
  }

  async expectCreated(email: string) {
    await expect(this.page.getByRole('status')).toContainText(`${email} can now sign in.`);
    await expect(this.page.getByTestId(`user-row-${email}`)).toBeVisible();
  }

  async openUser(email: string) {
    await this.page.getByRole('link', { name: `Manage ${email}` }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toBeVisible();
  }

  async disableOpenUser() {
    await this.page.getByRole('button', { name: 'Disable user' }).click();
    await expect(this.page.getByRole('status')).toContainText('is disabled and signed out');
  }
}
