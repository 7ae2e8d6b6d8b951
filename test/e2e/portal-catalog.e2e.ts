import { createSecret, enrollTestMachine } from '../helpers/agent';
import { demoAdmin, demoUser } from '../helpers/demo';
import { api, mustSignIn } from '../helpers/http';
import { manifestFor, seedCabinet, uploadPackage } from '../helpers/seed';
import { baseUrl, expect, test } from './fixtures';
import { CatalogPage } from './pages/catalog-page';

test('an end user chooses an offer for two machines with the keyboard, changes their mind on one, rejects another offer and shows it again', async ({ userPage: page }) => {
  // Set-up through the API: two machines of the demo user, two offers to both.
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  await seedCabinet(baseUrl(), admin, 'e2e-portal');
  const upload = async (id: string, extra: Record<string, unknown>) => (await uploadPackage(baseUrl(), admin, 'e2e-portal', manifestFor(id, extra), '#!/bin/sh\necho hi\n')).body.package!.id;
  const notes = await upload('e2e-notes', { displayName: 'E2E Notes', version: '1.0', publisher: 'Acme', category: 'Office' });
  const paint = await upload('e2e-paint', { displayName: 'E2E Paint', version: '2.1', category: 'Graphics' });
  const secret = await createSecret(baseUrl(), admin, 'e2e portal');
  const machines = [await enrollTestMachine(baseUrl(), secret, 'e2e-desk'), await enrollTestMachine(baseUrl(), secret, 'e2e-laptop')].map((m) => m.identity.machineId);
  const [me] = (await api<{ users: { id: string }[] }>(baseUrl(), `/api/users?q=${demoUser.email}`, { session: admin })).body.users;
  for (const id of machines) expect((await api(baseUrl(), `/api/machines/${id}/owner`, { method: 'PUT', session: admin, json: { ownerId: me.id } })).status).toBe(200);
  for (const packageId of [notes, paint]) expect((await api(baseUrl(), '/api/jobs', { method: 'POST', session: admin, json: { kind: 'offer', packageId, machineIds: machines, allowInstallNow: true } })).status).toBe(201);
  const states = async (packageId: string) => {
    const user = await mustSignIn(baseUrl(), demoUser.email, demoUser.password);
    const { body } = await api<{ entries: { id: string; machines: { hostname: string; state: string; runNow: boolean }[] }[] }>(baseUrl(), '/api/portal/catalog?showRejected=true', { session: user });
    return body.entries.find((e) => e.id === packageId)?.machines.map((m) => `${m.hostname}:${m.state}${m.runNow ? ':now' : ''}`);
  };

  const catalog = new CatalogPage(page);
  await catalog.goto();
  await expect(catalog.card('E2E Notes 1.0')).toContainText('Acme');
  await catalog.expectMachineState('E2E Notes 1.0', 'e2e-desk', 'Offered');

  // Both machines at once, "Install now", by keyboard.
  await catalog.chooseWithKeyboard('E2E Notes 1.0', ['e2e-desk', 'e2e-laptop'], { now: true });
  await catalog.expectStatus('E2E Notes 1.0 installs on e2e-desk and e2e-laptop as soon as each checks in with Depot.');
  await catalog.expectMachineState('E2E Notes 1.0', 'e2e-laptop', 'Chosen');
  expect(await states(notes)).toEqual(['e2e-desk:pending:now', 'e2e-laptop:pending:now']);

  await catalog.press('Change my mind', 'E2E Notes 1.0', 'e2e-laptop');
  await catalog.expectStatus('Changed your mind: E2E Notes 1.0 on e2e-laptop will not install; it stays offered.');
  await catalog.expectMachineState('E2E Notes 1.0', 'e2e-laptop', 'Offered');
  expect(await states(notes)).toEqual(['e2e-desk:pending:now', 'e2e-laptop:offered']);

  // Reject Paint on the laptop: it leaves the card until rejected offers are shown.
  await catalog.press('Reject', 'E2E Paint 2.1', 'e2e-laptop');
  await catalog.expectStatus('Rejected E2E Paint 2.1 on e2e-laptop. Turn on “Show rejected” in the catalog to see it again.');
  await expect(catalog.card('E2E Paint 2.1').getByRole('listitem').filter({ hasText: 'e2e-laptop' })).toHaveCount(0);
  await page.getByLabel('Show rejected').check();
  await page.getByRole('button', { name: 'Search' }).click();
  await catalog.expectMachineState('E2E Paint 2.1', 'e2e-laptop', 'Rejected');
  await catalog.press('Show again', 'E2E Paint 2.1', 'e2e-laptop');
  await catalog.expectStatus('E2E Paint 2.1 on e2e-laptop is offered again.');
  await catalog.expectMachineState('E2E Paint 2.1', 'e2e-laptop', 'Offered');
  expect(await states(paint)).toEqual(['e2e-desk:offered', 'e2e-laptop:offered']);

  // Search and category filter by label.
  await page.getByLabel('Search', { exact: true }).fill('acme');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(catalog.card('E2E Notes 1.0')).toBeVisible();
  await expect(catalog.card('E2E Paint 2.1')).toHaveCount(0);
  await catalog.goto('?category=Graphics');
  await expect(page.getByLabel('Category')).toHaveValue('Graphics');
  await expect(catalog.card('E2E Paint 2.1')).toBeVisible();
  await expect(catalog.card('E2E Notes 1.0')).toHaveCount(0);
});
