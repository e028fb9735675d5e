import { expect, test } from '@playwright/test';
import { rm } from 'node:fs/promises';
import { startAgent, type RunningAgent } from './agent.ts';
import { TEXT, openKiosk, screen } from './kiosk.ts';

// The service worker under test (playwright.config.ts blocks service workers everywhere else).
test.use({ serviceWorkers: 'allow' });

/**
 * Issue 10, "the UI's fonts do not depend on the agent being up": the page's service worker
 * (kiosk-ui/src/sw) keeps the built UI and every Noto Sans SC chunk, so a reload while the agent is
 * down still shows the out-of-service screen, in the kiosk's own font. Without the worker the reload
 * finds nobody at the address and the browser shows its own error page.
 */
let agent: RunningAgent | undefined;

test.afterAll(async () => {
  await agent?.stop();
  if (agent) await rm(agent.dataDir, { recursive: true, force: true });
});

test('a reload while the agent is down shows out-of-service in the bundled font, with no font request failing', async ({ page }) => {
  agent = await startAgent();
  await openKiosk(page, agent);
  // The worker is active once it has fetched every file of the build into its cache.
  const cached = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    const names = await caches.keys();
    const files = await Promise.all(names.map(async (name) => (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname)));
    return { names, files: files.flat() };
  });
  expect(cached.names).toHaveLength(1);
  expect(cached.names[0]).toMatch(/^onevisit-ui-[0-9a-f]{16}$/);
  expect(cached.files.filter((file) => file.endsWith('.woff2')).length).toBeGreaterThan(100);
  expect(cached.files).toContain('/');

  await agent.kill();
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  await page.reload();
  await expect(screen(page, 'outOfService')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TEXT['zh-CN'].outOfService);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  // Every character of the screen, in the weight it is drawn in, is covered by a Noto Sans SC face
  // (its unicode-range) that has loaded: nothing fell back to another font or to nothing.
  const uncovered = await page.evaluate(async () => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter((face) => face.family.replace(/["']/g, '') === 'Noto Sans SC');
    const ranges = (face: FontFace): [number, number][] =>
      face.unicodeRange.split(',').map((part) => {
        const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
        const start = Number.parseInt(from ?? '', 16);
        return [start, to === undefined ? start : Number.parseInt(to, 16)];
      });
    const missing: string[] = [];
    const root = document.querySelector('[data-testid="out-of-service"]');
    if (!root) return ['no out-of-service screen'];
    for (const element of root.querySelectorAll('h1, p')) {
      const weight = getComputedStyle(element).fontWeight;
      if (!getComputedStyle(element).fontFamily.includes('Noto Sans SC')) missing.push(`${element.tagName} is not set in Noto Sans SC`);
      for (const char of (element.textContent ?? '').replace(/\s/g, '')) {
        const code = char.codePointAt(0) ?? 0;
        // Several subsets may cover a character (… is in the latin one and in Chinese ones): one of them has loaded.
        const covering = faces.filter((f) => f.weight === weight && ranges(f).some(([from, to]) => code >= from && code <= to));
        if (!covering.some((f) => f.status === 'loaded')) missing.push(`${char} (weight ${weight}): ${covering.length === 0 ? 'no face' : covering.map((f) => f.status).join('/')}`);
      }
    }
    if (!document.fonts.check('700 32px "Noto Sans SC"', root.querySelector('h1')?.textContent ?? '')) missing.push('document.fonts.check fails for the title');
    return missing;
  });
  expect(uncovered).toEqual([]);
  expect(failed.filter((url) => url.endsWith('.woff2') || url.endsWith('.css') || url.endsWith('.js'))).toEqual([]);
});
