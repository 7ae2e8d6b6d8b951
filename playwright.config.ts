import { defineConfig } from '@playwright/test';
import { chromiumPath } from './test/e2e/chromium';

// Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
// global-setup starts one real Depot server on a fresh database and fails, never skips, when no
// browser is installed.
export default defineConfig({
  testDir: './test/e2e',
  testMatch: '**/*.e2e.ts',
  globalSetup: './test/e2e/global-setup.ts',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: './test-results/e2e',
  use: {
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath(),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
