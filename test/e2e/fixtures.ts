import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { demoAdmin, demoUser } from '../helpers/demo';
import { SignInPage } from './pages/sign-in-page';
import { UsersPage } from './pages/users-page';

export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: run the browser tests with `npm run test:e2e`');
  return url;
}

/** A fresh browser context signed in as the given account, as a person would do it. */
export async function signedInPage(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl() });
  const page = await context.newPage();
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(email, password);
  await expect(page).not.toHaveURL(/\/signin/);
  return page;
}

export const test = base.extend<{ adminPage: Page; userPage: Page; usersPage: UsersPage }>({
  baseURL: async ({}, use) => use(baseUrl()),
  adminPage: async ({ browser }, use) => {
    const page = await signedInPage(browser, demoAdmin.email, demoAdmin.password);
    await use(page);
    await page.context().close();
  },
  userPage: async ({ browser }, use) => {
    const page = await signedInPage(browser, demoUser.email, demoUser.password);
    await use(page);
    await page.context().close();
  },
  usersPage: async ({ adminPage }, use) => use(new UsersPage(adminPage)),
});

export { expect };
