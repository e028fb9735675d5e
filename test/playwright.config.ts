import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Debian's Chromium (`npx playwright install` cannot work here) against the real
 * agent, which each test file starts itself (test/e2e/agent.ts). Build the UI first: `npm run build`.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: '../test-results',
  // One worker: the machine has 2 cores and every file starts its own agent.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1080, height: 1920 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
