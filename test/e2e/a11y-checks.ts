// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, type Locator, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { layoutProblems } from './kiosk.ts';

/**
 * Issue 17's checks, shared by the accessibility specs: the display settings a citizen can choose,
 * axe, the elder-mode sizes, and a whole screen checked at every size and theme in one visit.
 */
export const SIZES = ['standard', 'large', 'xlarge'] as const;
export const THEMES = ['standard', 'darkOnLight', 'lightOnDark'] as const;
export type Size = (typeof SIZES)[number];
export type Theme = (typeof THEMES)[number];

/** Chooses a text size and theme in the settings dialog as a citizen would, and closes it (unless it was open before). */
export async function setDisplay(page: Page, size: Size, theme: Theme): Promise<void> {
  const wasOpen = await page.getByTestId('a11y-dialog').isVisible();
  if (!wasOpen) await page.getByTestId('a11y-settings').click();
  await expect(page.getByTestId('a11y-dialog')).toBeVisible();
  await page.getByTestId(`text-size-${size}`).click();
  await page.getByTestId(`theme-${theme}`).click();
  await expect(page.getByTestId(`text-size-${size}`)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId(`theme-${theme}`)).toHaveAttribute('aria-pressed', 'true');
  if (!wasOpen) {
    await page.getByTestId('a11y-close').click();
    await expect(page.getByTestId('a11y-dialog')).toHaveCount(0);
  }
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  // Elder mode reads at least 大: its 标准 is shown as 大 (lib/state/accessibility.svelte.ts).
  const elder = (await page.locator('html').getAttribute('data-elder')) !== null;
  await expect(page.locator('html')).toHaveAttribute('data-text-size', elder && size === 'standard' ? 'large' : size);
  // Should a colour ever fade to the new theme, check the colours it ends at, not a mid-fade.
  await page.evaluate(() => Promise.all(document.getAnimations().filter((animation) => animation instanceof CSSTransition).map((animation) => animation.finished.catch(() => undefined))).then(() => undefined));
}

/** Serious and critical axe violations; the high-contrast themes are held to 7:1 (color-contrast-enhanced, WCAG 1.4.6). */
export async function seriousViolations(page: Page, theme: Theme): Promise<string[]> {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice', ...(theme === 'standard' ? [] : ['wcag2aaa'])];
  const results = await new AxeBuilder({ page }).withTags(tags).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** Computed sizes in elder mode: text under 24 px, headings under 36 px, controls under 72 px. */
export async function elderSizeProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const kiosk = document.querySelector('.kiosk');
    if (!kiosk) return ['no .kiosk'];
    const visible = (el: Element): boolean => {
      const rect = el.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    // Text in an SVG drawing is drawn at its font size times the drawing's scale (viewBox to screen).
    const px = (el: Element): number => parseFloat(getComputedStyle(el).fontSize) * (el instanceof SVGGraphicsElement ? (el.getScreenCTM()?.a ?? 1) : 1);
    const title = kiosk.querySelector('#screen-title');
    if (!title || px(title) < 36) problems.push(`main text ${title ? px(title) : 'missing'} px`);
    const walker = document.createTreeWalker(kiosk, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || (node.textContent ?? '').trim() === '' || !visible(parent) || parent.closest('[aria-hidden="true"]')) continue;
      if (px(parent) < 24) problems.push(`text ${px(parent)} px: "${(node.textContent ?? '').trim().slice(0, 20)}"`);
    }
    for (const el of kiosk.querySelectorAll('button, select, a[href]')) {
      if (!visible(el)) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width < 72 || rect.height < 72) problems.push(`target ${Math.round(rect.width)}x${Math.round(rect.height)}: "${(el.textContent ?? '').trim().slice(0, 20)}"`);
    }
    return problems;
  });
}

/** How many screens each page has had checked: the high-contrast theme axe scans alternates by it. */
const screensChecked = new WeakMap<Page, number>();

/**
 * One visit to a screen, checked at every text size it can show (layout, and the elder sizes in elder
 * mode) and with axe in a high-contrast theme: one walk instead of one walk per size and theme.
 * Elder mode reads at least 大, so its 标准 is 大 and is checked once. axe runs at the smallest size,
 * where its contrast rules are strictest (text that grows past 24 px, or 18.7 px bold, is held to a
 * lower ratio), in 黑底白字 and 白底黑字 on alternate screens of a journey (the themes share one set of
 * colour tokens; both on every screen took a minute of CI's 25); at the larger sizes the layout checker
 * looks for what no longer fits (the main screens get axe at the largest size and in every theme,
 * accessibility.spec.ts).
 * Problems go into `found` under `screen size check`; the display is left at 标准 size, standard theme.
 */
export async function checkAtEveryDisplay(page: Page, screenName: string, found: Record<string, string[]>): Promise<void> {
  const elder = (await page.locator('html').getAttribute('data-elder')) !== null;
  if (elder) found[`${screenName} elder sizes`] = await elderSizeProblems(page);
  const sizes = elder ? SIZES.filter((size) => size !== 'large') : SIZES;
  const visit = screensChecked.get(page) ?? 0;
  screensChecked.set(page, visit + 1);
  const axeTheme = visit % 2 === 0 ? 'darkOnLight' : 'lightOnDark';
  for (const size of sizes) {
    // The themes change colours only, not sizes: the layout is checked once per size.
    await setDisplay(page, size, axeTheme);
    found[`${screenName} ${size} layout`] = await layoutProblems(page);
    if (size === sizes[0]) found[`${screenName} ${size} ${axeTheme} axe`] = await seriousViolations(page, axeTheme);
  }
  await setDisplay(page, 'standard', 'standard');
  const problems = Object.entries(found).filter(([key, list]) => key.startsWith(`${screenName} `) && list.length > 0);
  console.log(`${screenName}: ${problems.length === 0 ? 'clean' : JSON.stringify(Object.fromEntries(problems))}`);
}

/** `found` with every list empty: what the checks must come to. */
export function nothingFound(found: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(found).map((key) => [key, []]));
}

/**
 * Keyboard or two-switch only: "move" (ArrowRight) until `target` has the focus, then "select" (Enter).
 * Fails if the focus never gets there (a trap or a control left out of the order).
 */
export async function moveToAndSelect(page: Page, target: Locator, maxMoves = 80): Promise<void> {
  for (let moves = 0; moves < maxMoves; moves += 1) {
    if (await target.evaluate((el) => el === document.activeElement)) {
      // The ring is an outline, or (text fields, which show the field being typed into the same way) a box shadow.
      const ring = await target.evaluate((el) => {
        const style = getComputedStyle(el);
        return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
      });
      expect(ring, 'a visible focus ring').toBe(true);
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowRight');
  }
  throw new Error(`the focus never reached ${target.toString()} in ${maxMoves} moves`);
}
