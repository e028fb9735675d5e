import { expect, test } from '@playwright/test';
import { measureInitialJs } from '../bench/ui-size.bench.ts';

/**
 * Issue 9: the UI's initial JS (the entry chunk and its static imports, as `npm run bench` measures it)
 * stays under 60 KB gzip. A size, not a time: it fails when an eager module starts importing a schema
 * module (zod) or a journey's texts, as happened once with a constant kept beside its schema.
 */
test('the first screen loads under 60 KB of gzipped JS', async () => {
  const initial = await measureInitialJs();
  expect(initial, 'kiosk-ui/dist is built by npm run test:e2e').toBeDefined();
  expect(initial?.gzipBytes ?? Infinity).toBeLessThan(60 * 1024);
});
