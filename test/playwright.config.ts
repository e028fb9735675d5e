import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: Debian's Chromium (`npx playwright install` cannot work here) against the real
 * agent, which each test file starts itself (test/e2e/agent.ts). Build the UI and the agent bundle first: `npm run build`.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: '../test-results',
  // Two files at a time, each with its own agent and browser: the suite outgrew one worker within CI's
  // 25 minutes on 2 cores. Tests in a file stay in order (fullyParallel false).
  workers: 2,
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
    // The UI's service worker pre-caches 5.6 MB of fonts and code on every fresh page: blocked here, where
    // every test opens fresh pages, and allowed in offline-fonts.spec.ts, which tests it.
    serviceWorkers: 'block',
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
