import crypto from 'node:crypto';
import { demoAdmin } from '../helpers/demo';
import { api, mustSignIn } from '../helpers/http';
import { baseUrl, expect, test } from './fixtures';
import { CabinetsPage, UploadPage } from './pages/packages-pages';

test('an admin uploads a package through the page, with progress, and finds it listed', async ({ adminPage }) => {
  const cabinets = new CabinetsPage(adminPage);
  await cabinets.goto();
  await cabinets.create('e2e-tools', 'Tools for the browser test');
  await adminPage.getByRole('link', { name: 'e2e-tools' }).click();
  await expect(adminPage.getByRole('heading', { name: 'This cabinet is empty' })).toBeVisible();
  await adminPage.getByRole('link', { name: 'Upload package' }).click();

  const upload = new UploadPage(adminPage);
  await expect(adminPage.getByLabel('Cabinet', { exact: true })).toHaveValue('e2e-tools');
  await upload.fill({ packageId: 'hello-tool', displayName: 'Hello Tool', version: '1.2.3', kind: 'script' });
  const content = crypto.randomBytes(3 * 1024 * 1024);
  await upload.chooseFile('hello-tool.sh', content);
  const cdp = await upload.throttleUploads(1024 * 1024);
  await upload.submit();
  await expect(upload.progressBar()).toBeVisible();
  await expect.poll(async () => Number(await upload.progressBar().getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await cdp.detach();

  await expect(adminPage).toHaveURL(/\/packages\/[0-9a-f-]{36}$/);
  await expect(adminPage.getByRole('heading', { name: 'Hello Tool' })).toBeVisible();
  await expect(adminPage.getByTestId('package-sha256')).toHaveText(crypto.createHash('sha256').update(content).digest('hex'));
  // Nothing on the page renames or moves it: only description, category and self-service are editable.
  const edit = adminPage.getByRole('form', { name: 'Edit package' });
  await expect(edit.getByRole('textbox')).toHaveCount(2);
  await expect(adminPage.getByLabel('Package ID')).toHaveCount(0);
  await expect(adminPage.getByLabel('Cabinet', { exact: true })).toHaveCount(0);

  await adminPage.goto('/cabinets/e2e-tools');
  await expect(adminPage.getByTestId('package-row-hello-tool-1.2.3-1')).toBeVisible();

  // The rows behind it, read back through the API.
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  const list = await api<{ packages: { packageId: string; size: number; cabinet: string }[] }>(baseUrl(), '/api/packages?q=hello-tool', { session: admin });
  expect(list.body.packages).toEqual([expect.objectContaining({ packageId: 'hello-tool', size: content.length, cabinet: 'e2e-tools' })]);
  // And the API refuses a rename or a move as well.
  const id = adminPage.url().split('/').pop();
  const moved = await api<{ error: { field: string } }>(baseUrl(), `/api/packages/${id}`, { method: 'PATCH', session: admin, json: { cabinet: 'elsewhere' } });
  expect({ status: moved.status, field: moved.body.error.field }).toEqual({ status: 422, field: 'cabinet' });
});

test('a wrong manifest field is shown next to it before anything is uploaded', async ({ adminPage }) => {
  await new CabinetsPage(adminPage).goto();
  await new CabinetsPage(adminPage).create('e2e-errors', 'Bad input');
  await adminPage.goto('/packages/new?cabinet=e2e-errors');
  const upload = new UploadPage(adminPage);
  await upload.fill({ packageId: '../etc/passwd', displayName: 'Sneaky', version: '1', kind: 'script' });
  await upload.chooseFile('x.sh', Buffer.from('echo hi'));
  await upload.submit();
  await expect(adminPage.getByText('packageId: expected 1-64 letters, digits, dots, underscores or hyphens')).toBeVisible();
  await expect(adminPage.getByLabel('Package ID')).toHaveAttribute('aria-invalid', 'true');
  await expect(upload.progressBar()).toHaveCount(0);
});

test('cancelling an upload stores nothing', async ({ adminPage }) => {
  await new CabinetsPage(adminPage).goto();
  await new CabinetsPage(adminPage).create('e2e-cancel', 'Cancelled uploads');
  await adminPage.goto('/packages/new?cabinet=e2e-cancel');
  const upload = new UploadPage(adminPage);
  await upload.fill({ packageId: 'never-stored', displayName: 'Never', version: '1', kind: 'script' });
  await upload.chooseFile('big.bin', crypto.randomBytes(4 * 1024 * 1024));
  await upload.throttleUploads(256 * 1024);
  await upload.submit();
  await expect(upload.progressBar()).toBeVisible();
  await adminPage.getByRole('button', { name: 'Cancel upload' }).click();
  await expect(adminPage.getByRole('alert').filter({ hasText: 'Upload cancelled. Nothing was stored.' })).toBeVisible();
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  const list = await api<{ packages: unknown[] }>(baseUrl(), '/api/packages?q=never-stored', { session: admin });
  expect(list.body.packages).toEqual([]);
});
