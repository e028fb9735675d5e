// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, type Page } from '@playwright/test';
import type { RunningAgent } from './agent.ts';

export const ORIENTATIONS = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
} as const;
export type Orientation = keyof typeof ORIENTATIONS;

export type Lang = 'zh-CN' | 'en';

/** Texts the tests look for, per language (the UI's own dictionaries are not imported: the test reads the screen). */
export const TEXT = {
  'zh-CN': {
    touch: '轻触屏幕开始',
    homeTitle: '请选择要办理的业务',
    identifyTitle: '请将身份证放在读卡区',
    waiting: '等待放置身份证',
    confirmed: '身份核验成功',
    thanks: '感谢使用',
    takeCard: '请取走您的身份证件和材料',
    expired: '此身份证已过有效期',
    readerOffline: '读卡器暂时无法使用',
    outOfService: '暂停服务',
    idle: '您还在吗？',
    cardRemoved: '身份证已取下',
  },
  en: {
    touch: 'Touch the screen to start',
    homeTitle: 'What would you like to do?',
    identifyTitle: 'Place your ID card on the reader',
    waiting: 'Waiting for your ID card',
    confirmed: 'Identity confirmed',
    thanks: 'Thank you',
    takeCard: 'Please take your ID card and your papers',
    expired: 'This ID card has expired',
    readerOffline: 'The card reader is not available',
    outOfService: 'Temporarily out of service',
    idle: 'Are you still there?',
    cardRemoved: 'The card was lifted',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export function screen(page: Page, name: string) {
  return page.locator(`[data-screen="${name}"]`);
}

/** Opens the kiosk and waits until it is connected to the agent and on the attract screen. */
export async function openKiosk(page: Page, agent: RunningAgent, orientation: Orientation = 'portrait'): Promise<void> {
  await page.setViewportSize(ORIENTATIONS[orientation]);
  await page.goto(agent.url);
  await expect(page.locator('[data-connection="ready"]')).toBeVisible();
  await expect(screen(page, 'attract')).toBeVisible();
}

export async function switchLanguage(page: Page, lang: Lang): Promise<void> {
  const current = await page.locator('html').getAttribute('lang');
  if (current !== lang) await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

/** Opens the dev dock (if closed) and returns. */
export async function openDevDock(page: Page): Promise<void> {
  const toggle = page.getByTestId('dev-toggle');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(page.getByTestId('dev-identity')).toBeVisible();
}

export async function closeDevDock(page: Page): Promise<void> {
  const toggle = page.getByTestId('dev-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
  await expect(page.getByTestId('dev-identity')).toBeHidden();
}

/** Places a sample card through the dev dock, as a developer would. */
export async function insertCardWithDock(page: Page, sampleKey: string): Promise<void> {
  await openDevDock(page);
  await expect(page.getByTestId('dev-identity').locator(`option[value="${sampleKey}"]`)).toHaveCount(1);
  await page.getByTestId('dev-identity').selectOption(sampleKey);
  await page.getByTestId('dev-insert').click();
}

/**
 * Layout problems on the current screen: text overflowing its box, controls outside the viewport,
 * touch targets under 48 px, and dev dock pieces overlapping the kiosk's own controls.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const describe = (el: Element): string => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid') ?? ''}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const visible = (el: Element): boolean => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const kiosk = document.querySelector('.kiosk');
    if (!kiosk) return ['no .kiosk element'];
    if (document.documentElement.scrollWidth > vw + 1 || document.documentElement.scrollHeight > vh + 1) problems.push('the page scrolls');
    for (const el of kiosk.querySelectorAll('h1, h2, p, dd, dt, button, li, span, select')) {
      if (!visible(el)) continue;
      const rect = el.getBoundingClientRect();
      if (rect.left < -1 || rect.top < -1 || rect.right > vw + 1 || rect.bottom > vh + 1) problems.push(`outside the viewport: ${describe(el)}`);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') problems.push(`text overflows: ${describe(el)}`);
      if (el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== 'visible') problems.push(`text overflows vertically: ${describe(el)}`);
    }
    const controls = [...kiosk.querySelectorAll('button, select, a[href]')].filter(visible);
    for (const el of controls) {
      const rect = el.getBoundingClientRect();
      if (rect.width < 48 || rect.height < 48) problems.push(`touch target under 48 px: ${describe(el)} ${Math.round(rect.width)}x${Math.round(rect.height)}`);
    }
    const dock = document.querySelector('[data-testid="dev-dock"]');
    if (dock) {
      const d = dock.getBoundingClientRect();
      for (const el of controls) {
        const r = el.getBoundingClientRect();
        if (r.left < d.right && r.right > d.left && r.top < d.bottom && r.bottom > d.top) problems.push(`dev dock overlaps ${describe(el)}`);
      }
    }
    return problems;
  });
}

export async function expectCleanLayout(page: Page): Promise<void> {
  expect(await layoutProblems(page)).toEqual([]);
}
