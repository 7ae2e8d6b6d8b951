import { expect, type CDPSession, type Page } from '@playwright/test';

export class CabinetsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto('/cabinets');
    await expect(this.page.getByRole('heading', { name: 'Cabinets', exact: true })).toBeVisible();
  }

  async create(name: string, description: string) {
    const form = this.page.getByRole('form', { name: 'New cabinet' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Description').fill(description);
    await form.getByRole('button', { name: 'Create cabinet' }).click();
    await expect(this.page.getByRole('status')).toContainText(`Cabinet ${name} is ready for packages.`);
    await expect(this.page.getByTestId(`cabinet-row-${name}`)).toBeVisible();
  }

  /** Submits the New cabinet form and expects the server to refuse it, naming the field. */
  async createRefused(name: string, description: string, message: string) {
    const form = this.form();
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Description').fill(description);
    await form.getByRole('button', { name: 'Create cabinet' }).click();
    await expect(form.getByRole('alert')).toContainText(message);
  }

  async expectForm(values: { name: string; description: string }) {
    await expect(this.form().getByLabel('Name')).toHaveValue(values.name);
    await expect(this.form().getByLabel('Description')).toHaveValue(values.description);
  }

  form() {
    return this.page.getByRole('form', { name: 'New cabinet' });
  }
}

export class UploadPage {
  constructor(readonly page: Page) {}

  async fill(values: { packageId: string; displayName: string; version: string; kind: string }) {
    await this.page.getByLabel('Package ID').fill(values.packageId);
    await this.page.getByLabel('Display name').fill(values.displayName);
    await this.page.getByLabel('Version', { exact: true }).fill(values.version);
    await this.page.getByLabel('Installer kind').selectOption(values.kind);
  }

  async chooseFile(name: string, content: Buffer) {
    await this.page.getByLabel('Installer, script or archive').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: content });
  }

  async submit() {
    await this.page.getByRole('button', { name: 'Upload and register' }).click();
  }

  /** Slows uploads down (Chromium's network emulation) so the progress bar can be seen. */
  async throttleUploads(bytesPerSecond: number): Promise<CDPSession> {
    const cdp = await this.page.context().newCDPSession(this.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
    return cdp;
  }

  progressBar() {
    return this.page.getByRole('progressbar', { name: 'Upload progress' });
  }
}
