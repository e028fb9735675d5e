import { defineConfig } from 'vitest/config';

// One vitest run covers the unit and integration tests of every workspace.
// End-to-end browser tests live in test/e2e and run under Playwright instead.
export const config = defineConfig({
  test: {
    include: [
      'device-agent/src/**/*.test.ts',
      'device-agent/test/**/*.test.ts',
      'forms/src/**/*.test.ts',
      'kiosk-ui/src/**/*.test.ts',
      'test/integration/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

// vitest loads the default export of its config file (tool configs are exempt from the named-exports rule).
export default config;
