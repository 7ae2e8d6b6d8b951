import { expect, type Page } from '@playwright/test';

/** The admin's New job form. */
export class NewJobPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/jobs/new');
    await expect(this.page.getByRole('form', { name: 'New job' })).toBeVisible();
  }

  form() {
    return this.page.getByRole('form', { name: 'New job' });
  }

  packageSelect() {
    return this.form().getByLabel('Package');
  }

  machine(hostname: string) {
    return this.form().getByRole('group', { name: 'Machines' }).getByLabel(hostname);
  }

  async fill(values: { packageLabel: string; machine: string; name: string; notBefore: string; deadline: string }) {
    await this.packageSelect().selectOption({ label: values.packageLabel });
    await this.machine(values.machine).check();
    await this.form().getByLabel('Name (optional)').fill(values.name);
    await this.form().getByLabel('Not before (UTC, optional)').fill(values.notBefore);
    await this.form().getByLabel('Deadline (UTC, optional)').fill(values.deadline);
  }

  async create() {
    await this.form().getByRole('button', { name: 'Create job' }).click();
  }

  async expectKept(values: { packageLabel: string; machine: string; name: string; notBefore: string; deadline: string }) {
    await expect(this.packageSelect().locator('option:checked')).toHaveText(values.packageLabel);
    await expect(this.machine(values.machine)).toBeChecked();
    await expect(this.form().getByLabel('Name (optional)')).toHaveValue(values.name);
    await expect(this.form().getByLabel('Not before (UTC, optional)')).toHaveValue(values.notBefore);
    await expect(this.form().getByLabel('Deadline (UTC, optional)')).toHaveValue(values.deadline);
  }
}
