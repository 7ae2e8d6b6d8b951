import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { createSecret, enrollTestMachine } from '../helpers/agent';
import { demoAdmin, demoUser } from '../helpers/demo';
import { depotAgent } from '../helpers/depot-pack';
import { api, mustSignIn } from '../helpers/http';
import { manifestFor, seedCabinet, uploadPackage } from '../helpers/seed';
import { baseUrl, expect, signedInPage, test } from './fixtures';
import { CatalogPage } from './pages/catalog-page';

test('a user picks an offer and sets a window open now: the real agent installs it; in a closed window nothing runs and the page says when; another user cannot see the machine', async ({ userPage: page, browser }) => {
  test.setTimeout(150_000);
  // Set-up through the API: two offers of script packages to a machine the demo user owns.
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  await seedCabinet(baseUrl(), admin, 'e2e-portal-agent');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-e2e-portal-'));
  const script = (name: string) => `#!/bin/sh\necho "ran" >> "${path.join(work, name)}"\n`;
  const upload = async (id: string, displayName: string) =>
    (await uploadPackage(baseUrl(), admin, 'e2e-portal-agent', manifestFor(id, { displayName, version: '1.0', installer: { kind: 'script' } }), script(id))).body.package!.id;
  const soon = await upload('e2e-soon', 'E2E Soon');
  const later = await upload('e2e-later', 'E2E Later');
  const machine = await enrollTestMachine(baseUrl(), await createSecret(baseUrl(), admin, 'e2e portal agent'), 'e2e-own');
  const id = machine.identity.machineId;
  const runAgent = async () => {
    const run = await depotAgent(['run', '--once'], { DEPOT_AGENT_DIR: machine.dir });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  };
  await runAgent(); // its real inventory: this host's name and time zone
  const [me] = (await api<{ users: { id: string }[] }>(baseUrl(), `/api/users?q=${demoUser.email}`, { session: admin })).body.users;
  expect((await api(baseUrl(), `/api/machines/${id}/owner`, { method: 'PUT', session: admin, json: { ownerId: me.id } })).status).toBe(200);
  for (const packageId of [soon, later]) expect((await api(baseUrl(), '/api/jobs', { method: 'POST', session: admin, json: { kind: 'offer', packageId, machineIds: [id], timing: 'windows' } })).status).toBe(201);
  const user = await mustSignIn(baseUrl(), demoUser.email, demoUser.password);
  const mine = (await api<{ machine: { hostname: string; timeZone: string } }>(baseUrl(), `/api/portal/machines/${id}`, { session: user })).body.machine;
  const zoneNow = () => DateTime.now().setZone(mine.timeZone);

  // A window that is open now, set in the portal's editor on the machine's own clock.
  const setWindow = async (start: DateTime, hours: number) => {
    await page.goto('/portal/windows');
    await page.getByRole('link', { name: `Edit windows of ${mine.hostname}` }).click();
    await expect(page.getByText(`Times are in its own time zone, ${mine.timeZone}`)).toBeVisible();
    if ((await page.getByLabel('Window 1 start').count()) === 0) await page.getByRole('button', { name: 'Add window' }).click();
    await page.getByLabel('Window 1 day').selectOption(String(start.weekday % 7));
    await page.getByLabel('Window 1 start').fill(start.toFormat('HH:mm'));
    await page.getByLabel('Window 1 hours').fill(String(hours));
    await page.getByRole('button', { name: 'Save windows' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  };
  await setWindow(zoneNow().minus({ hours: 1 }).startOf('hour'), 3);

  // Chosen with the keyboard in the catalog; the agent installs it inside the open window.
  const catalog = new CatalogPage(page);
  await catalog.goto();
  await catalog.chooseWithKeyboard('E2E Soon 1.0', [mine.hostname]);
  await catalog.expectMachineState('E2E Soon 1.0', mine.hostname, 'Chosen');
  await runAgent();
  expect(fs.readFileSync(path.join(work, 'e2e-soon'), 'utf8')).toBe('ran\n');
  await page.goto('/portal/history');
  const history = page.getByRole('table').filter({ hasText: 'E2E Soon' });
  await expect(history.getByRole('row').filter({ hasText: 'E2E Soon' }).first()).toContainText('Installed');

  // A window that opens in five hours: the next choice waits, and the machine page says until when.
  const opens = zoneNow().plus({ hours: 5 }).startOf('hour');
  await setWindow(opens, 1);
  await catalog.goto();
  await catalog.chooseWithKeyboard('E2E Later 1.0', [mine.hostname]);
  await catalog.expectMachineState('E2E Later 1.0', mine.hostname, 'Chosen');
  await runAgent();
  expect(fs.existsSync(path.join(work, 'e2e-later'))).toBe(false);
  await page.goto(`/portal/machines/${id}`);
  const pending = page.getByRole('table', { name: 'Pending on this machine' }).getByRole('row').filter({ hasText: 'E2E Later' });
  await expect(pending.getByTestId('pending-when')).toContainText(opens.setLocale('en-GB').toFormat('ccc HH:mm'));
  await expect(page.getByRole('list', { name: 'Timeline' }).getByRole('listitem').filter({ hasText: 'E2E Later' })).toContainText(opens.setLocale('en-GB').toFormat('ccc HH:mm'));

  // Another user: the machine is not found, in the page and the API, and their catalog is empty.
  const other = { email: `e2e-other-${Date.now()}@example.com`, password: 'another-long-password' };
  expect((await api(baseUrl(), '/api/users', { method: 'POST', session: admin, json: { ...other, name: 'Other User', role: 'user' } })).status).toBe(201);
  const otherPage = await signedInPage(browser, other.email, other.password);
  try {
    await otherPage.goto(`/portal/machines/${id}`);
    await expect(otherPage.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await otherPage.goto('/portal/catalog');
    await expect(otherPage.getByText('E2E Later')).toHaveCount(0);
    const otherSession = await mustSignIn(baseUrl(), other.email, other.password);
    expect((await api(baseUrl(), `/api/portal/machines/${id}`, { session: otherSession })).status).toBe(404);
    expect((await api(baseUrl(), `/api/portal/machines/${id}/selections`, { method: 'POST', session: otherSession, json: { packageId: later } })).status).toBe(404);
  } finally {
    await otherPage.context().close();
  }
});
