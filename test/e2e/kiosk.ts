// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, type Page } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningAgent } from './agent.ts';

export const ORIENTATIONS = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
} as const;
export type Orientation = keyof typeof ORIENTATIONS;

export type Lang = 'zh-CN' | 'en';

/**
 * The orientation and language pairs a screen-by-screen layout walk takes: portrait Chinese (the
 * kiosk's usual face) and landscape English (the longest words in the least height), so that both
 * orientations and both languages are walked in CI without all four pairs (they cost CI minutes).
 * ONEVISIT_ALL_PAIRS=1 walks all four, with ONEVISIT_SHOTS_DIR for a person reviewing the screens.
 */
const ALL_PAIRS = process.env['ONEVISIT_ALL_PAIRS'] === '1';

export const DISPLAY_PAIRS: readonly { orientation: Orientation; lang: Lang }[] =
  ALL_PAIRS
    ? [
        { orientation: 'portrait', lang: 'zh-CN' },
        { orientation: 'landscape', lang: 'en' },
        { orientation: 'portrait', lang: 'en' },
        { orientation: 'landscape', lang: 'zh-CN' },
      ]
    : [
        { orientation: 'portrait', lang: 'zh-CN' },
        { orientation: 'landscape', lang: 'en' },
      ];

/**
 * The languages a whole-screen axe scan takes: Chinese (the markup is the same in English, whose
 * screens the layout walks and the elder application journey cover); both with ONEVISIT_ALL_PAIRS=1.
 */
export const AXE_LANGS: readonly Lang[] = ALL_PAIRS ? ['zh-CN', 'en'] : ['zh-CN'];

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

/**
 * Screenshots for a person to look at (every screen in both orientations and languages, at every size
 * and theme) go to ONEVISIT_SHOTS_DIR, e.g. `ONEVISIT_SHOTS_DIR=/tmp/shots npx playwright test -c
 * test/playwright.config.ts staff`. Unset (CI), none are taken: the tests' checks do not depend on them,
 * and the suite's ~390 full-screen PNGs cost CI minutes.
 */
const SHOTS_DIR = process.env['ONEVISIT_SHOTS_DIR'] ?? '';

/** Saves what the page shows now as `file` in ONEVISIT_SHOTS_DIR, once the fonts are in; nothing when unset. */
export async function saveScreenshot(page: Page, file: string): Promise<void> {
  if (SHOTS_DIR === '') return;
  await mkdir(SHOTS_DIR, { recursive: true });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(SHOTS_DIR, file), animations: 'disabled' });
}

export function screen(page: Page, name: string) {
  return page.locator(`[data-screen="${name}"]`);
}

/** Opens the kiosk and waits until it is connected to the agent and on the attract screen. */
export async function openKiosk(page: Page, agent: RunningAgent, orientation: Orientation = 'portrait'): Promise<void> {
  await page.setViewportSize(ORIENTATIONS[orientation]);
  // The URL carries the launch secret in its fragment (issue 11): going to the same URL again would only
  // change the fragment, not load the page, so leave first.
  if (page.url() !== 'about:blank') await page.goto('about:blank');
  await page.goto(agent.url);
  await expect(page.locator('[data-connection="ready"]')).toBeVisible();
  await expect(screen(page, 'attract')).toBeVisible();
}

/**
 * Stops the page's clock from running by itself (after `clock.install` it follows real time between
 * `runFor` calls, so on a loaded machine a countdown had already moved from 15 to 14 when looked at).
 */
export async function pauseClock(page: Page): Promise<void> {
  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + 100);
}

export async function switchLanguage(page: Page, lang: Lang): Promise<void> {
  const current = await page.locator('html').getAttribute('lang');
  if (current !== lang) await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

/**
 * Shows the screen as it is in each of DISPLAY_PAIRS (its language, then its orientation) and calls
 * `check` there; then the language and size are as they were.
 */
export async function atDisplayPairs(page: Page, check: (orientation: Orientation, lang: Lang) => Promise<void>): Promise<void> {
  const lang = ((await page.locator('html').getAttribute('lang')) ?? 'zh-CN') as Lang;
  const size = page.viewportSize() ?? ORIENTATIONS.portrait;
  for (const pair of DISPLAY_PAIRS) {
    await switchLanguage(page, pair.lang);
    await page.setViewportSize(ORIENTATIONS[pair.orientation]);
    await check(pair.orientation, pair.lang);
  }
  await switchLanguage(page, lang);
  await page.setViewportSize(size);
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
 * touch targets under 48 px, dev dock pieces overlapping the kiosk's own controls, and text colliding
 * with text (overlapping, sticking out of its control, cut by a clipping box).
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    // Measured with the kiosk's own fonts, not a fallback still standing in for them.
    await document.fonts.ready;
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const describe = (el: Element): string => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid') ?? ''}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const visible = (el: Element): boolean => {
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      // Text for screen readers only (app.css .visually-hidden: a 1 px clipped box) is not laid out for the eye.
      if (el.closest('.visually-hidden')) return false;
      // Inside a scrolling area ([data-scroll]), what lies beyond its edges is reached by scrolling, not cut off.
      const scroller = el.parentElement?.closest('[data-scroll]');
      if (scroller) {
        const area = scroller.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        if (box.bottom > area.bottom + 1 || box.top < area.top - 1) return false;
      }
      return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    /**
     * Text that collides (issue 10): the visible text of one element drawn over another's, text sticking
     * out of the control it belongs to, and text cut by a box that clips (not a scroll area).
     * Only what the eye sees is compared: with a modal dialog open, only the dialog (it covers the rest);
     * an inert layer under an overlay is skipped, as are aria-hidden decoration and screen-reader-only text.
     */
    const textCollisions = (kiosk: Element): string[] => {
      const found: string[] = [];
      const modals = [...kiosk.querySelectorAll('[aria-modal="true"], dialog:modal')].filter((el) => el.getClientRects().length > 0);
      const root = modals.at(-1) ?? kiosk;
      /** `rect`: the em box of one line of the text; `seen`: what of it shows inside the boxes that clip it (scroll areas too). */
      type TextBox = { owner: Element; rect: DOMRect; seen: DOMRect | undefined; text: string };
      const boxes: TextBox[] = [];
      const opaque = (color: string): boolean => color !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(color);
      const clippedTo = (owner: Element, rect: DOMRect): DOMRect | undefined => {
        let { left, top, right, bottom } = rect;
        for (let up = owner.parentElement; up; up = up.parentElement) {
          const style = getComputedStyle(up);
          const box = up.getBoundingClientRect();
          if (style.overflowX !== 'visible') [left, right] = [Math.max(left, box.left), Math.min(right, box.right)];
          if (style.overflowY !== 'visible') [top, bottom] = [Math.max(top, box.top), Math.min(bottom, box.bottom)];
        }
        [left, top, right, bottom] = [Math.max(left, 0), Math.max(top, 0), Math.min(right, vw), Math.min(bottom, vh)];
        return right - left > SLACK_PX && bottom - top > SLACK_PX ? new DOMRect(left, top, right - left, bottom - top) : undefined;
      };
      // Text under an opaque box drawn over it (a sticky row of actions over scrolled fields) is not seen;
      // text under transparent text is (that is the overlap this looks for).
      const covered = (owner: Element, rect: DOMRect): boolean => {
        for (const el of document.elementsFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2)) {
          if (el === owner || el.contains(owner) || owner.contains(el)) return false;
          const style = getComputedStyle(el);
          if (opaque(style.backgroundColor) || style.backgroundImage !== 'none' || el instanceof HTMLImageElement) return true;
        }
        return false;
      };
      const SLACK_PX = 2;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        const text = (node.textContent ?? '').trim();
        const owner = node.parentElement;
        if (text === '' || !owner) continue;
        if (owner.closest('[aria-hidden="true"], .visually-hidden, [inert], [data-testid="dev-dock"], script, style, option, textarea')) continue;
        const style = getComputedStyle(owner);
        if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        // A text rect is the font's content area, taller than the glyphs (Noto Sans SC: 1.45 em): two
        // lines set at line-height 1.2 would "overlap" by a quarter em. Compare the em box around its middle.
        const fontPx = Number.parseFloat(style.fontSize);
        for (const r of range.getClientRects()) {
          if (r.width < 1 || r.height < 1) continue;
          const height = Math.min(r.height, fontPx);
          const rect = new DOMRect(r.left, r.top + (r.height - height) / 2, r.width, height);
          const seen = clippedTo(owner, rect);
          boxes.push({ owner, text, rect, seen: seen === undefined || covered(owner, seen) ? undefined : seen });
        }
      }
      const name = (box: TextBox): string => `"${box.text.slice(0, 20)}"`;
      const reported = new Set<string>();
      for (const [i, a] of boxes.entries()) {
        // Text drawn beyond the box it sits in (a calendar day's "11月30日" past its cell): the nearest
        // control or box with a border or background; further up, text cut by a box that clips.
        let boxChecked = false;
        for (let up = a.owner as Element | null; up && up !== root.parentElement; up = up.parentElement) {
          const box = up.getBoundingClientRect();
          if (box.width === 0 && box.height === 0) continue;
          const outside = a.rect.left < box.left - SLACK_PX || a.rect.right > box.right + SLACK_PX || a.rect.top < box.top - SLACK_PX || a.rect.bottom > box.bottom + SLACK_PX;
          const style = getComputedStyle(up);
          const clips = style.overflowX !== 'visible' || style.overflowY !== 'visible';
          const scrolls = up.hasAttribute('data-scroll') || /auto|scroll/.test(`${style.overflowX} ${style.overflowY}`);
          const bordered = ['Top', 'Right', 'Bottom', 'Left'].some((side) => {
            const width = Number.parseFloat(style.getPropertyValue(`border-${side.toLowerCase()}-width`));
            return width > 0 && style.getPropertyValue(`border-${side.toLowerCase()}-style`) !== 'none' && opaque(style.getPropertyValue(`border-${side.toLowerCase()}-color`));
          });
          const drawsBox = up.matches('button, a[href], select, label, [role="button"]') || bordered || opaque(style.backgroundColor) || style.backgroundImage !== 'none';
          if (!boxChecked && drawsBox && scrolls) {
            // A scrolling box: what lies beyond its edges is reached by scrolling, not sticking out.
            boxChecked = true;
          } else if (!boxChecked && drawsBox) {
            boxChecked = true;
            const key = `outside ${a.text}`;
            if (outside && !reported.has(key)) found.push(`text outside its box: ${name(a)} sticks out of ${describe(up)}`);
            if (outside) reported.add(key);
          } else if (outside && clips && !scrolls) {
            const key = `clipped ${a.text}`;
            if (!reported.has(key)) found.push(`text cut off: ${name(a)} by ${describe(up)}`);
            reported.add(key);
          }
          if (scrolls) break;
        }
        const aSeen = a.seen;
        if (aSeen === undefined) continue;
        for (const b of boxes.slice(i + 1)) {
          const bSeen = b.seen;
          if (bSeen === undefined || a.owner === b.owner || a.owner.contains(b.owner) || b.owner.contains(a.owner)) continue;
          const width = Math.min(aSeen.right, bSeen.right) - Math.max(aSeen.left, bSeen.left);
          const height = Math.min(aSeen.bottom, bSeen.bottom) - Math.max(aSeen.top, bSeen.top);
          if (width <= SLACK_PX || height <= SLACK_PX) continue;
          const key = `${a.text}|${b.text}`;
          if (!reported.has(key)) found.push(`text overlaps: ${name(a)} and ${name(b)} (${Math.round(width)}x${Math.round(height)} px)`);
          reported.add(key);
        }
      }
      return found;
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
    problems.push(...textCollisions(kiosk));
    // A box that clips but does not scroll, scrolled all the same (scrollIntoView moves those too): what
    // it moved out of its edge, a heading or a label, is cut off with no way to bring it back.
    for (const el of [kiosk, ...kiosk.querySelectorAll('*')]) {
      if (el.scrollTop === 0 && el.scrollLeft === 0) continue;
      const style = getComputedStyle(el);
      if (el.hasAttribute('data-scroll') || /auto|scroll/.test(`${style.overflowX} ${style.overflowY}`)) continue;
      problems.push(`scrolled although it does not scroll: ${describe(el)} by ${el.scrollLeft},${el.scrollTop} px`);
    }
    // The primary action sits on the right of its row of actions, on every screen (issue 10: the slip had it on the left).
    for (const row of kiosk.querySelectorAll('.actions')) {
      const buttons = [...row.querySelectorAll('.btn')].filter(visible);
      for (const primary of buttons.filter((b) => b.classList.contains('btn-primary'))) {
        const p = primary.getBoundingClientRect();
        const after = buttons.find((b) => !b.classList.contains('btn-primary') && Math.abs(b.getBoundingClientRect().top - p.top) < 2 && b.getBoundingClientRect().left > p.left);
        if (after) problems.push(`primary action left of another: ${describe(primary)} before ${describe(after)}`);
      }
    }
    // A scrolling area that is too short to read in: the rest of the screen leaves it a strip.
    const MIN_SCROLL_AREA_PX = 320;
    for (const el of kiosk.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (!/auto|scroll/.test(style.overflowY) || el.scrollHeight <= el.clientHeight + 1 || !visible(el)) continue;
      if (el.clientHeight < MIN_SCROLL_AREA_PX) problems.push(`scrolling area only ${el.clientHeight} px tall: ${describe(el)}`);
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

/** Presses one key of the on-screen keyboard (simple-keyboard's `data-skbtn`: a letter, `{done}`, `{bksp}`, …). */
export async function oskKey(page: Page, button: string): Promise<void> {
  await page.getByTestId('osk').locator(`[data-skbtn="${button}"]`).click();
}

/** Types one Chinese character on the on-screen keyboard by its pinyin and picks it from the candidates bar. */
export async function oskPinyin(page: Page, syllable: string, character: string): Promise<void> {
  for (const button of syllable) await oskKey(page, button);
  await page.getByTestId('osk-candidate').filter({ hasText: new RegExp(`^${character}$`) }).first().click();
}

/** A zigzag across the signature pad, as a finger would sign. */
export async function drawSignature(page: Page): Promise<void> {
  const pad = page.getByTestId('signature-pad');
  const box = await pad.boundingBox();
  if (!box) throw new Error('no signature pad');
  const y = box.y + box.height * 0.55;
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i += 1) await page.mouse.move(box.x + box.width * (0.2 + i * 0.04), y + (i % 2 === 0 ? -40 : 30));
  await page.mouse.up();
}
