import { defineProject } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { phraseTablePlugin } from './build/phrase-table.ts';
import { divisionsPlugin } from './build/divisions.ts';

/**
 * The UI's unit tests: the svelte plugin compiles the runes of `.svelte.ts` state classes, and the
 * `browser` condition picks Svelte's client runtime (reactive `$derived`, as in the kiosk) over its
 * server build. The root vitest.config.ts lists this project, so one `npx vitest run` covers it.
 */
export default defineProject({
  plugins: [svelte(), phraseTablePlugin(), divisionsPlugin()],
  resolve: { conditions: ['browser'] },
  test: {
    name: 'kiosk-ui',
    include: ['src/**/*.test.ts', 'build/**/*.test.ts'],
    environment: 'node',
  },
});
