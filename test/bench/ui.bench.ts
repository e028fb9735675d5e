// DESIGN.md budgets for the UI, measured in Debian's Chromium against a real agent:
// first screen interactive (< 1 s) and touch to visible response (< 100 ms).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { startAgent } from '../e2e/agent.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const RUNS = 7;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(label: string, values: number[], budgetMs: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `   ${label}: p50 ${percentile(sorted, 50).toFixed(0)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(0)} ms over ${values.length} runs (budget < ${budgetMs} ms)`;
}

/** From navigation start to the attract screen shown, connected and ready to be touched (page clock). */
async function firstScreenMs(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.locator('[data-connection="ready"][data-screen="attract"]').waitFor();
  await page.getByTestId('start').waitFor({ state: 'visible' });
  return Number(await page.evaluate('performance.now()'));
}

/**
 * From the pointer going down on "start" to the next screen painted (page clock, next animation frame).
 * The in-page parts are strings: this file is type-checked for Node, without the DOM types.
 */
const WATCH_FOR_HOME = `(() => {
  window.__touchAt = undefined;
  window.__clickAt = undefined;
  window.__shownAt = undefined;
  document.addEventListener('pointerdown', () => { window.__touchAt = performance.now(); }, { once: true, capture: true });
  document.addEventListener('click', () => { window.__clickAt = performance.now(); }, { once: true, capture: true });
  const observer = new MutationObserver(() => {
    if (document.querySelector('[data-screen="home"]') && window.__shownAt === undefined) {
      requestAnimationFrame(() => { window.__shownAt = performance.now(); });
      observer.disconnect();
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, attributes: true });
})()`;

/** Pointer down → painted, and click → painted: the difference is the input's delivery (the driver's pointerup and click). */
async function touchToResponseMs(page: Page): Promise<{ fromTouch: number; fromClick: number }> {
  await page.evaluate(WATCH_FOR_HOME);
  await page.getByTestId('start').click();
  await page.waitForFunction('window.__shownAt !== undefined');
  const [fromTouch, fromClick] = await page.evaluate<[number, number]>('[window.__shownAt - window.__touchAt, window.__shownAt - window.__clickAt]');
  return { fromTouch, fromClick };
}

export async function run(): Promise<void> {
  const dist = path.resolve(import.meta.dirname, '..', '..', 'kiosk-ui', 'dist', 'index.html');
  if (!existsSync(dist)) {
    process.stdout.write('   UI not built (npm run build): skipped\n');
    return;
  }
  if (!existsSync(CHROMIUM)) {
    process.stdout.write(`   ${CHROMIUM} missing: skipped\n`);
    return;
  }
  const agent = await startAgent();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const first: number[] = [];
    const touch: number[] = [];
    const click: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } });
      const page = await context.newPage();
      first.push(await firstScreenMs(page, agent.url));
      const response = await touchToResponseMs(page);
      touch.push(response.fromTouch);
      click.push(response.fromClick);
      // Again, the home screen's code and pictures now in memory: what every touch after the first costs.
      await page.getByRole('button', { name: '退出', exact: true }).click();
      await page.getByTestId('start').waitFor({ state: 'visible' });
      warm.push((await touchToResponseMs(page)).fromTouch);
      await context.close();
    }
    process.stdout.write(`${summary('first screen interactive (navigation → attract screen connected)', first, 1000)}\n`);
    process.stdout.write(`${summary('touch → next screen painted (pointerdown → frame after home shows)', touch, 100)}\n`);
    process.stdout.write(`${summary('  of which click → painted (the screen change itself, without the driver delivering pointerup and click)', click, 100)}\n`);
    process.stdout.write(`${summary('touch → next screen painted, second time on the same page', warm, 100)}\n`);
  } finally {
    await browser.close();
    await agent.stop();
  }
}
