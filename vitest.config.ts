import { configDefaults, defineConfig } from 'vitest/config';

const FLEET_TEST = 'test/integration/forms-fleet.test.ts';

// One vitest run covers the unit and integration tests of every workspace.
// End-to-end browser tests live in test/e2e and run under Playwright instead.
export const config = defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Both cores: the default leaves one free, and the suite's wall time then is the sum of its files.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'device-agent/protocol/src/**/*.test.ts',
            'device-agent/src/**/*.test.ts',
            'device-agent/test/**/*.test.ts',
            'forms/src/**/*.test.ts',
            'test/integration/**/*.test.ts',
            // Issue 11: the standing security suite (one test per finding of the adversarial review).
            'test/security/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, FLEET_TEST],
          // Every file in a fresh process (vitest's default isolation). `isolate: false` saved about
          // 100 s of imports here, but the project's CI run that first had it hung in the next project
          // for over an hour, which no run on this machine reproduced: not worth the minute and a half.
        },
      },
      // Issue 16: ten agent processes (about 50 s of CPU to start them) would starve the files running
      // beside them into timeouts; this file runs alone, after every other project.
      {
        extends: true,
        test: { name: 'fleet', include: [FLEET_TEST], sequence: { groupOrder: 1 } },
      },
      // The UI's state tests need the svelte compiler for runes: kiosk-ui/vitest.config.ts.
      'kiosk-ui/vitest.config.ts',
    ],
  },
});

// vitest loads the default export of its config file (tool configs are exempt from the named-exports rule).
export default config;
