import { demoAdmin } from '../helpers/demo';
import { api, mustSignIn } from '../helpers/http';
import { baseUrl, expect, signedInPage, test } from './fixtures';

test('an admin creates a user who can then sign in', async ({ usersPage, browser }) => {
  await usersPage.goto();
  await usersPage.createUser({ name: 'Grace Hopper', email: 'grace@depot.test', role: 'deployer', password: 'compilers-rule-1952' });
  await usersPage.expectCreated('grace@depot.test');

  // The row, read back through the API: the right role, active, and an audit entry.
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  const list = await api<{ users: { email: string; role: string; disabled: boolean }[] }>(baseUrl(), '/api/users?q=grace@depot.test', { session: admin });
  expect(list.body.users).toEqual([expect.objectContaining({ email: 'grace@depot.test', role: 'deployer', disabled: false })]);
  const audit = await api<{ entries: { action: string; actorLabel: string }[] }>(baseUrl(), '/api/audit?q=grace@depot.test', { session: admin });
  expect(audit.body.entries).toEqual([expect.objectContaining({ action: 'user.create', actorLabel: demoAdmin.email })]);

  const grace = await signedInPage(browser, 'grace@depot.test', 'compilers-rule-1952');
  await expect(grace).toHaveURL(/\/dashboard$/);
  await expect(grace.getByTestId('current-user')).toHaveText('Grace Hopper');
  // A deployer has no Users page.
  await expect(grace.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await grace.context().close();
});

test('the form names the field at fault', async ({ usersPage }) => {
  await usersPage.goto();
  await usersPage.createUser({ name: 'Short', email: 'short@depot.test', role: 'user', password: 'short' });
  await expect(usersPage.page.getByText('password: expected at least 10 characters')).toBeVisible();
  await expect(usersPage.page.getByLabel('Initial password')).toHaveAttribute('aria-invalid', 'true');
  await usersPage.createUser({ name: 'Bad', email: 'not-an-email', role: 'user', password: 'long-enough-password' });
  await expect(usersPage.page.getByText('email: expected an email address')).toBeVisible();
});

test('a disabled user is thrown out on their next request', async ({ usersPage, browser }) => {
  await usersPage.goto();
  await usersPage.createUser({ name: 'Temp Worker', email: 'temp@depot.test', role: 'user', password: 'temporary-access-1' });
  await usersPage.expectCreated('temp@depot.test');
  const temp = await signedInPage(browser, 'temp@depot.test', 'temporary-access-1');
  await expect(temp.getByRole('heading', { name: 'My machines' })).toBeVisible();

  await usersPage.openUser('temp@depot.test');
  await usersPage.disableOpenUser();

  await temp.getByRole('link', { name: 'Catalog' }).click();
  await expect(temp).toHaveURL(/\/signin\?callbackUrl=%2Fportal%2Fcatalog&reason=ended/);
  await expect(temp.getByRole('status')).toContainText('Your session has ended');
  await temp.getByLabel('Email').fill('temp@depot.test');
  await temp.getByLabel('Password').fill('temporary-access-1');
  await temp.getByRole('button', { name: 'Sign in' }).click();
  await expect(temp.locator('form').getByRole('alert')).toContainText('do not match an active account');
  await temp.context().close();
});
