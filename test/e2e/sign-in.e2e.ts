import { demoAdmin, demoUser } from '../helpers/demo';
import { expect, test } from './fixtures';
import { SignInPage } from './pages/sign-in-page';

test('the demo admin signs in and sees the admin dashboard', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(demoAdmin.email, demoAdmin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Admin navigation' }).getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('Demo Admin');
});

test('the demo user signs in and sees the portal', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(demoUser.email, demoUser.password);
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByRole('heading', { name: 'My machines' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Portal navigation' });
  await expect(nav.getByRole('link', { name: 'Catalog' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
});

test('a wrong password gets a clear error and no session', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(demoAdmin.email, 'not-the-password');
  await signIn.expectError('That email and password do not match an active account');
  await expect(page).toHaveURL(/\/signin/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard/);
});

test('a user who opens an admin page gets the 403 page, not the page', async ({ userPage }) => {
  const response = await userPage.goto('/users');
  expect(response?.status()).toBe(403);
  await expect(userPage.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  await expect(userPage.getByRole('table')).toHaveCount(0);
});

test('signing in returns to the page first asked for, and never off-site', async ({ page }) => {
  await page.goto('/audit');
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faudit/);
  await new SignInPage(page).signIn(demoAdmin.email, demoAdmin.password);
  await expect(page).toHaveURL(/\/audit$/);
  await page.context().clearCookies();
  await page.goto('/signin?callbackUrl=https%3A%2F%2Fevil.example%2F');
  await new SignInPage(page).signIn(demoAdmin.email, demoAdmin.password);
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('signing out ends the session', async ({ adminPage }) => {
  await adminPage.getByRole('link', { name: 'Sign out' }).click();
  await adminPage.getByRole('button', { name: 'Sign out' }).click();
  await expect(adminPage).toHaveURL(/\/signin$/);
  await adminPage.goto('/dashboard');
  await expect(adminPage).toHaveURL(/\/signin\?callbackUrl=%2Fdashboard/);
});

test('repeated failures lock the email with a message that says what to do', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  for (let i = 0; i < 4; i++) {
    await signIn.signIn('e2e-lockout@depot.test', `wrong-${i}`);
    await signIn.expectError('That email and password do not match an active account');
  }
  await signIn.signIn('e2e-lockout@depot.test', 'wrong-4');
  await signIn.expectError(/Too many failed sign-ins for this email\. Try again after \d\d:\d\d.*ask an administrator to reset the password/);
});
