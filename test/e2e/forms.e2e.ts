import { createSecret } from '../helpers/agent';
import { demoAdmin, demoUser } from '../helpers/demo';
import { api, mustSignIn } from '../helpers/http';
import { seedCabinet, uploadPackage } from '../helpers/seed';
import { baseUrl, expect, test } from './fixtures';
import { MyWindowsPage } from './pages/my-windows-page';
import { NewJobPage } from './pages/new-job-page';
import { CabinetsPage } from './pages/packages-pages';

// Forms keep what the user typed when the server refuses it, and show the saved state after a
// save (React resets a form after its action; these failed before ActionForm dispatched by hand).

async function enrolMachine(hostname: string, owner?: string) {
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(baseUrl(), admin, `e2e forms ${hostname}`);
  const enrolled = await api<{ machineId: string; token: string }>(baseUrl(), '/api/agent/v1/enroll', { method: 'POST', json: { secret, hostname, timeZone: 'UTC' } });
  expect(enrolled.status).toBe(201);
  if (owner) {
    const users = await api<{ users: { id: string; email: string }[] }>(baseUrl(), '/api/users', { session: admin });
    const ownerId = users.body.users.find((u) => u.email === owner)!.id;
    expect((await api(baseUrl(), `/api/machines/${enrolled.body.machineId}/owner`, { method: 'PUT', session: admin, json: { ownerId } })).status).toBe(200);
  }
  return { admin, machineId: enrolled.body.machineId };
}

test('a New job the server refuses keeps its package, destinations, name and dates', async ({ adminPage: page }) => {
  const { admin } = await enrolMachine('e2e-forms-job');
  await seedCabinet(baseUrl(), admin, 'e2e-forms');
  expect((await uploadPackage(baseUrl(), admin, 'e2e-forms', { packageId: 'e2e-kept', displayName: 'E2E Kept', version: '1.0', installer: { kind: 'script' } }, '#!/bin/sh\necho kept\n')).status).toBe(201);
  const values = { packageLabel: 'E2E Kept 1.0 (e2e-forms/e2e-kept, generation 1)', machine: 'e2e-forms-job', name: 'E2E kept after a refusal', notBefore: '2019-12-01T08:00', deadline: '2020-01-01T09:30' };

  const job = new NewJobPage(page);
  await job.goto();
  await job.fill(values);
  // Timed by windows with a deadline already passed: only the server knows to refuse it.
  await job.create();
  await expect(job.form().getByRole('alert')).toContainText('this deadline has passed');
  await job.expectKept(values);
  expect((await api<{ jobs: unknown[] }>(baseUrl(), '/api/jobs?q=E2E%20kept', { session: admin })).body.jobs).toHaveLength(0);
});

test('a New cabinet the server refuses keeps its name; a created one empties the form', async ({ adminPage: page }) => {
  const cabinets = new CabinetsPage(page);
  await cabinets.goto();
  await cabinets.create('e2e-forms-taken', 'first');
  await cabinets.expectForm({ name: '', description: '' });
  await cabinets.createRefused('e2e-forms-taken', 'second try', 'a cabinet named "e2e-forms-taken" already exists');
  await cabinets.expectForm({ name: 'e2e-forms-taken', description: 'second try' });
});

test('after Save windows the portal editor shows the saved days', async ({ userPage: page }) => {
  await enrolMachine('e2e-forms-portal', demoUser.email);
  const windows = new MyWindowsPage(page);
  await windows.openFromOverview('e2e-forms-portal');
  const n = await windows.addWindow('22:00');
  await windows.setDay(n, 'Wednesday');
  await windows.save();
  await windows.expectSaved('Saved.');
  await windows.expectDay(n, 'Wednesday');
  await expect(page.getByTestId('windows-now')).toContainText('Wed');
  await page.reload();
  await windows.expectDay(n, 'Wednesday');
});

test('after Save windows the admin machine and group editors show the saved days', async ({ adminPage: page }) => {
  const { admin, machineId } = await enrolMachine('e2e-forms-admin');
  const windows = new MyWindowsPage(page);
  await page.goto(`/machines/${machineId}`);
  const n = await windows.addWindow('21:00');
  await windows.setDay(n, 'Friday');
  await windows.save();
  await expect(page.getByRole('form', { name: 'Installation windows' }).getByRole('status')).toBeVisible();
  await windows.expectDay(n, 'Friday');
  await page.reload();
  await windows.expectDay(n, 'Friday');

  const group = await api<{ group: { id: string } }>(baseUrl(), '/api/groups', { method: 'POST', session: admin, json: { name: 'e2e-forms-group' } });
  await page.goto(`/groups/${group.body.group.id}`);
  // The group page has two editors: its default windows and its guardrails' allowed hours.
  const defaults = page.getByRole('form', { name: 'Installation windows' }).filter({ has: page.getByRole('button', { name: 'Save windows' }) });
  await defaults.getByRole('button', { name: 'Add window' }).click();
  await defaults.getByLabel('Window 1 day').selectOption({ label: 'Thursday' });
  await defaults.getByRole('button', { name: 'Save windows' }).click();
  await expect(defaults.getByRole('status')).toBeVisible();
  await expect(defaults.getByLabel('Window 1 day').locator('option:checked')).toHaveText('Thursday');
});
