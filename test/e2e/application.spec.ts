// page.evaluate callbacks run in the browser: they use DOM types.
/// <reference lib="dom" />
import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBackofficeKeyPair } from '../../device-agent/src/crypto/seal.ts';
import { previewText } from '../../device-agent/src/devices/receipt-printer/preview.ts';
import { TcpTestPrinter } from '../../device-agent/src/devices/receipt-printer/tcp-test-printer.ts';
import { startAgent, type RunningAgent } from './agent.ts';
import { DISPLAY_PAIRS, drawSignature, openKiosk, saveScreenshot, screen, switchLanguage, type Lang, type Orientation } from './kiosk.ts';

/**
 * The one-form application journey (issues 4 and 5) in Chromium against the real agent: a sealed
 * outbox (a back office key made for the test), the simulated A4 printer, and a receipt printer
 * on loopback TCP whose paper the test reads back. Screenshots go to ONEVISIT_SHOTS_DIR when set.
 */

const REFERENCE = /^[A-Z0-9]{2,12}-\d{6}-\d{4,9}-[0-9A-Z*]$/;
const SAMPLE = { key: 'checkX', name: '李娜', hukouAddress: '北京市朝阳区朝阳门外大街16号' } as const;

let agent: RunningAgent | undefined;
let printer: TcpTestPrinter | undefined;
let keyDir: string | undefined;

function running(): RunningAgent {
  if (!agent) throw new Error('the agent is not running');
  return agent;
}

function receiptPrinter(): TcpTestPrinter {
  if (!printer) throw new Error('no receipt printer');
  return printer;
}

test.beforeAll(async () => {
  printer = new TcpTestPrinter();
  const port = await printer.listen();
  keyDir = await mkdtemp(join(tmpdir(), 'onevisit-e2e-keys-'));
  const keyFile = join(keyDir, 'backoffice.pub');
  await writeFile(keyFile, generateBackofficeKeyPair().publicPem);
  agent = await startAgent({ args: ['--backoffice-key', keyFile, '--receipt-printer', `tcp:127.0.0.1:${port}`, '--terminal-id', 'T0042'] });
});

test.afterAll(async () => {
  await agent?.stop();
  if (agent) await rm(agent.dataDir, { recursive: true, force: true });
  await printer?.close();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

test.beforeEach(async () => {
  await running().command('Dev.RemoveCard', {});
});

// ------------------------------------------------------------------ helpers

/** Text of every receipt that came out whole so far, without spaces (double-width lines are spaced out). */
function receipts(): string[] {
  return receiptPrinter()
    .printer.printedPreviews()
    .map((p) => previewText(p).replace(/\s+/g, ''));
}

async function key(page: Page, button: string): Promise<void> {
  await page.getByTestId('osk').locator(`[data-skbtn="${button}"]`).click();
}

async function keys(page: Page, buttons: string): Promise<void> {
  for (const button of buttons) await key(page, button);
}

/** Types one Chinese character by its pinyin and picks it from the candidates bar. */
async function pinyin(page: Page, syllable: string, character: string): Promise<void> {
  await keys(page, syllable);
  await expect(page.getByTestId('osk-pinyin')).toHaveText(syllable);
  await page.getByTestId('osk-candidate').filter({ hasText: new RegExp(`^${character}$`) }).first().click();
  await expect(page.getByTestId('osk-pinyin')).toHaveText('');
}


/** Serious and critical axe violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Layout problems as kiosk.ts checks them, except that what a scrolling list (`[data-scroll]`)
 * holds out of its view is not "outside the viewport": the list itself must be inside it.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const describe = (el: Element): string => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid') ?? ''}]` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const visible = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
    };
    const kiosk = document.querySelector('.kiosk');
    if (!kiosk) return ['no .kiosk element'];
    if (document.documentElement.scrollWidth > vw + 1 || document.documentElement.scrollHeight > vh + 1) problems.push('the page scrolls');
    const clippedAway = (el: Element): boolean => {
      const list = el.closest('[data-scroll]');
      if (!list) return false;
      const l = list.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.bottom <= l.top + 1 || r.top >= l.bottom - 1;
    };
    /** The part of an element its scrolling list (if any) lets show. */
    const shown = (el: Element): { left: number; right: number; top: number; bottom: number } => {
      const r = el.getBoundingClientRect();
      const list = el.closest('[data-scroll]');
      if (!list || list === el) return r;
      const l = list.getBoundingClientRect();
      return { left: Math.max(r.left, l.left), right: Math.min(r.right, l.right), top: Math.max(r.top, l.top), bottom: Math.min(r.bottom, l.bottom) };
    };
    for (const el of kiosk.querySelectorAll('h1, h2, h3, p, dd, dt, button, li, span, select, input, label, [data-scroll]')) {
      if (!visible(el) || clippedAway(el) || el.closest('.visually-hidden')) continue;
      const r = el.getBoundingClientRect();
      const inList = el.closest('[data-scroll]') !== null && !el.matches('[data-scroll]');
      if (!inList && (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1)) problems.push(`outside the viewport: ${describe(el)}`);
      if (inList && (r.left < -1 || r.right > vw + 1)) problems.push(`outside the viewport: ${describe(el)}`);
      if (el.matches('[data-scroll], input')) continue;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') problems.push(`text overflows: ${describe(el)}`);
      if (el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== 'visible') problems.push(`text overflows vertically: ${describe(el)}`);
    }
    for (const el of [...kiosk.querySelectorAll('button, select, input, [data-skbtn]')].filter(visible)) {
      if (clippedAway(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 48 || r.height < 48) problems.push(`touch target under 48 px: ${describe(el)} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    // Overlaps between the kiosk's own controls (the keyboard over a button, a button over another).
    const controls = [...kiosk.querySelectorAll('button:not([data-skbtn]), input, [data-testid="osk"]')].filter((el) => visible(el) && !clippedAway(el));
    for (let i = 0; i < controls.length; i += 1) {
      for (let j = i + 1; j < controls.length; j += 1) {
        const a = controls[i];
        const b = controls[j];
        if (!a || !b || a.contains(b) || b.contains(a)) continue;
        const ra = shown(a);
        const rb = shown(b);
        if (ra.left < rb.right - 1 && ra.right > rb.left + 1 && ra.top < rb.bottom - 1 && ra.bottom > rb.top + 1) problems.push(`overlap: ${describe(a)} / ${describe(b)}`);
      }
    }
    return problems;
  });
}

/** Card on the reader → social security card replacement → phone 13900001111 → reason "expired", old card not returned. */
async function startCardReplacement(page: Page): Promise<void> {
  await running().command('Dev.InsertCard', { identity: SAMPLE.key });
  await openApply(page);
  await page.getByTestId('form-social-security-card-replacement').click();
  await page.getByTestId('notice-start').click();
  await page.getByTestId('input-phone').click();
  await keys(page, '13900001111');
  await page.getByTestId('form-next').click();
  await page.getByTestId('option-reason-expired').click();
  await page.getByTestId('option-returnOldCard-false').click();
}

async function look(page: Page, name: string, orientation: Orientation = 'portrait', lang: Lang = 'zh-CN'): Promise<void> {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await saveScreenshot(page, `${orientation}-${lang}-${name}.png`);
  expect(await layoutProblems(page), `layout of ${name}`).toEqual([]);
}

async function openApply(page: Page, orientation: Orientation = 'portrait', lang: Lang = 'zh-CN'): Promise<void> {
  await openKiosk(page, running(), orientation);
  await switchLanguage(page, lang);
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  await page.getByTestId('service-apply').click();
  await expect(screen(page, 'apply')).toBeVisible();
  await expect(page.locator('[data-step="catalog"]')).toBeVisible();
  await expect(page.getByTestId('form-residence-permit')).toBeVisible();
}

function step(page: Page, name: string) {
  return page.locator(`[data-step="${name}"]`);
}

// ------------------------------------------------------------------ tests

test('a full application from card to printed receipt, then a second service that does not ask again', async ({ page }) => {
  test.setTimeout(120_000);
  await openApply(page);
  // Category filter and search.
  await page.getByTestId('category-publicSecurity').click();
  await expect(page.getByTestId('form-residence-permit')).toBeHidden();
  await expect(page.getByTestId('form-no-criminal-record')).toBeVisible();
  await page.getByTestId('category-all').click();
  await page.getByTestId('apply-search').click();
  await pinyin(page, 'ju', '居');
  await expect(page.getByTestId('apply-search')).toHaveValue('居');
  await expect(page.getByTestId('form-residence-permit')).toBeVisible();
  await expect(page.getByTestId('form-no-criminal-record')).toBeHidden();
  await look(page, 'catalog-search');
  await key(page, '{done}');
  await page.getByTestId('form-residence-permit').click();

  // 一次性告知单, printed on the receipt printer.
  await expect(step(page, 'notice')).toBeVisible();
  await expect(page.getByTestId('notice-materials').locator('li').first()).toBeVisible();
  const before = receipts().length;
  await page.getByTestId('notice-print').click();
  await expect(page.getByTestId('notice-print-status')).toHaveAttribute('data-status', 'printed');
  expect(receipts().length).toBe(before + 1);
  expect(receipts().at(-1)).toContain('一次性告知单');
  await look(page, 'notice');

  // No card yet: the identify screen, then straight back into the form.
  await page.getByTestId('notice-start').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await running().command('Dev.InsertCard', { identity: SAMPLE.key });
  await expect(step(page, 'form')).toBeVisible();
  await expect(page.locator('[data-section="applicant"]')).toBeVisible();
  await expect(page.getByTestId('locked-name')).toHaveText(SAMPLE.name);
  await expect(page.getByTestId('locked-idNumber')).toHaveText('110105********004X');
  await expect(page.getByTestId('locked-hukouAddress')).toHaveText(SAMPLE.hukouAddress);
  await expect(page.getByTestId('apply-progress')).toHaveText('第 1 步，共 4 步');

  // A wrong phone number: the problem shows inline, in Chinese, and the form does not go on.
  await page.getByTestId('input-phone').click();
  await expect(page.getByTestId('osk')).toHaveAttribute('data-layer', 'digits');
  await keys(page, '123');
  await page.getByTestId('form-next').click();
  await expect(page.getByTestId('error-phone')).toHaveText('请输入正确的电话号码（手机为 11 位数字）');
  await expect(page.getByTestId('error-phone')).toHaveAttribute('data-code', 'invalidPhone');
  await expect(page.getByTestId('errors-summary')).toBeVisible();
  await expect(page.locator('[data-section="applicant"]')).toBeVisible();
  await look(page, 'form-error');
  await page.getByTestId('input-phone').click();
  for (let i = 0; i < 3; i += 1) await key(page, '{bksp}');
  await keys(page, '13812345678');
  await expect(page.getByTestId('error-phone')).toBeHidden();
  await look(page, 'form-keyboard-digits');
  await page.getByTestId('form-next').click();

  // Residence: Chinese by pinyin, a date by digits, a condition that shows a field live.
  await expect(page.locator('[data-section="residence"]')).toBeVisible();
  await page.getByTestId('input-residenceAddress').click();
  await expect(page.getByTestId('osk')).toHaveAttribute('data-layer', 'pinyin');
  await pinyin(page, 'bei', '北');
  await pinyin(page, 'jing', '京');
  await key(page, '{sym}');
  await key(page, '1');
  await key(page, '{abc}');
  await pinyin(page, 'hao', '号');
  await expect(page.getByTestId('input-residenceAddress')).toHaveValue('北京1号');
  await keys(page, 'lou');
  await look(page, 'form-keyboard-pinyin');
  await key(page, '{bksp}');
  await key(page, '{bksp}');
  await key(page, '{bksp}');
  await page.getByTestId('input-residenceSince').click();
  await keys(page, '20200501');
  await expect(page.getByTestId('input-residenceSince')).toHaveValue('2020-05-01');
  await key(page, '{done}');
  await expect(page.getByTestId('input-employer')).toHaveCount(0);
  await page.getByTestId('option-basis-employment').click();
  await expect(page.getByTestId('option-basis-employment')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('input-employer')).toBeVisible();
  await page.getByTestId('form-next').click();
  // Employment makes the employer required.
  await expect(page.getByTestId('error-employer')).toHaveAttribute('data-code', 'required');
  await page.getByTestId('input-employer').click();
  await key(page, '{lang}');
  await expect(page.getByTestId('osk')).toHaveAttribute('data-layer', 'latin');
  await keys(page, 'acme');
  await expect(page.getByTestId('input-employer')).toHaveValue('acme');
  await page.getByTestId('form-next').click();

  // Review, with an edit link per section.
  await expect(step(page, 'review')).toBeVisible();
  await expect(page.getByTestId('review-value-phone')).toHaveText('13812345678');
  await expect(page.getByTestId('review-value-residenceAddress')).toHaveText('北京1号');
  await expect(page.getByTestId('review-value-basis')).toHaveText('合法稳定就业');
  await look(page, 'review');
  await page.getByTestId('edit-residence').click();
  await expect(page.locator('[data-section="residence"]')).toBeVisible();
  await page.getByTestId('option-education-bachelor').click();
  await page.getByTestId('form-next').click();
  await expect(step(page, 'review')).toBeVisible();
  await page.getByTestId('review-sign').click();

  // The signature is required.
  await expect(step(page, 'sign')).toBeVisible();
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('signature-missing')).toBeVisible();
  await drawSignature(page);
  await expect(page.getByTestId('signature-missing')).toBeHidden();
  await look(page, 'sign');
  await page.getByTestId('submit').click();

  // Accepted: the reference, the A4 application and the receipt.
  await expect(step(page, 'done')).toBeVisible();
  const reference = (await page.getByTestId('reference').getAttribute('data-reference')) ?? '';
  expect(reference).toMatch(REFERENCE);
  await expect(page.getByTestId('print-form')).toHaveAttribute('data-status', 'printed');
  await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'printed');
  const receipt = receipts().at(-1) ?? '';
  expect(receipt).toContain('申请受理回执');
  expect(receipt).toContain(reference);
  expect(receipt).toContain('居住证申领');
  // No personal data on the receipt.
  expect(receipt).not.toContain(SAMPLE.name);
  expect(receipt).not.toContain('13812345678');
  await look(page, 'done');

  // A second service in the same visit: the applicant's section is not asked again.
  await page.getByTestId('apply-another').click();
  await expect(step(page, 'catalog')).toBeVisible();
  await expect(page.getByTestId('submitted-count')).toBeVisible();
  await page.getByTestId('form-no-criminal-record').click();
  await page.getByTestId('notice-start').click();
  await expect(page.locator('[data-section="purpose"]')).toBeVisible();
  await expect(page.getByTestId('apply-progress')).toHaveText('第 1 步，共 3 步');
  await expect(page.getByTestId('input-phone')).toHaveCount(0);
  await page.getByTestId('option-purpose-employment').click();
  await page.getByTestId('input-receivingOrg').click();
  await key(page, '{lang}');
  await keys(page, 'acme');
  await page.getByTestId('input-copies').click();
  await key(page, '1');
  await page.getByTestId('form-next').click();
  await expect(step(page, 'review')).toBeVisible();
  // The phone given for the first form, and the card's address, are on this one too.
  await expect(page.getByTestId('review-value-phone')).toHaveText('13812345678');
  await expect(page.getByTestId('review-value-hukouAddress')).toHaveText(SAMPLE.hukouAddress);
  await page.getByTestId('review-sign').click();
  await drawSignature(page);
  await page.getByTestId('submit').click();
  await expect(step(page, 'done')).toBeVisible();
  const second = (await page.getByTestId('reference').getAttribute('data-reference')) ?? '';
  expect(second).toMatch(REFERENCE);
  expect(second).not.toBe(reference);
  await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'printed');
  expect(receipts().at(-1)).toContain(second);

  // Finish: the session ends and nothing personal stays on the page.
  await page.getByTestId('apply-finish').click();
  await expect(screen(page, 'done')).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain('13812345678');
  expect(html).not.toContain(reference);
});

test('a failed receipt print is shown with a retry, and the application is not lost', async ({ page }) => {
  await running().command('Dev.InsertCard', { identity: SAMPLE.key });
  await openApply(page);
  await page.getByTestId('form-social-security-card-replacement').click();
  await page.getByTestId('notice-start').click();
  await expect(step(page, 'form')).toBeVisible();
  // The phone from an earlier test is not remembered: that was another visit.
  await expect(page.getByTestId('input-phone')).toHaveValue('');
  await page.getByTestId('input-phone').click();
  await keys(page, '13900001111');
  await page.getByTestId('form-next').click();
  await page.getByTestId('option-reason-expired').click();
  await page.getByTestId('option-returnOldCard-true').click();
  await page.getByTestId('option-delivery-hall').click();
  await page.getByTestId('form-next').click();
  await page.getByTestId('review-sign').click();
  await drawSignature(page);
  receiptPrinter().printer.setCondition('paperOut');
  try {
    await page.getByTestId('submit').click();
    await expect(step(page, 'done')).toBeVisible();
    await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'failed');
    await expect(page.getByTestId('print-receipt')).toContainText('缺纸');
  } finally {
    receiptPrinter().printer.setCondition('online');
  }
  const reference = (await page.getByTestId('reference').getAttribute('data-reference')) ?? '';
  await page.getByTestId('retry-receipt').click();
  await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'printed');
  expect(receipts().at(-1)).toContain(reference);
});

test('a repeating group: add and remove family members, each validated inline', async ({ page }) => {
  await running().command('Dev.InsertCard', { identity: SAMPLE.key });
  await openApply(page);
  await page.getByTestId('form-resident-medical-insurance').click();
  await page.getByTestId('notice-start').click();
  await page.getByTestId('input-phone').click();
  await keys(page, '13812345678');
  await page.getByTestId('form-next').click();
  await expect(page.locator('[data-section="household"]')).toBeVisible();
  await expect(page.getByTestId('row-members-0')).toBeVisible();
  await page.getByTestId('add-members').click();
  await expect(page.getByTestId('row-members-1')).toBeVisible();
  await page.getByTestId('input-members-0--idNumber').click();
  await expect(page.getByTestId('osk')).toHaveAttribute('data-layer', 'digits');
  await expect(page.getByTestId('osk').locator('[data-skbtn="X"]')).toBeVisible();
  await keys(page, '110105198507210041');
  await page.getByTestId('form-next').click();
  await expect(page.getByTestId('error-members-0--idNumber')).toHaveAttribute('data-code', 'invalidIdNumber');
  await expect(page.getByTestId('error-members-1--name')).toHaveAttribute('data-code', 'required');
  await look(page, 'form-group');
  await page.getByTestId('remove-members-1').click();
  await expect(page.getByTestId('row-members-1')).toHaveCount(0);
});

test('the application screens pass axe without serious or critical violations', async ({ page }) => {
  await running().command('Dev.InsertCard', { identity: SAMPLE.key });
  const scans: Record<string, string[]> = {};
  await openApply(page);
  scans['catalog'] = await seriousViolations(page);
  await page.getByTestId('form-real-estate-record-inquiry').click();
  scans['notice'] = await seriousViolations(page);
  await page.getByTestId('notice-start').click();
  await page.getByTestId('input-phone').click();
  await page.getByTestId('form-next').click();
  await expect(page.getByTestId('error-phone')).toBeVisible();
  await page.getByTestId('input-phone').click();
  scans['form with keyboard and errors'] = await seriousViolations(page);
  await keys(page, '13812345678');
  await page.getByTestId('form-next').click();
  await page.getByTestId('option-enquirerType-agent').click();
  await page.getByTestId('input-ownerName').click();
  scans['form with pinyin keyboard'] = await seriousViolations(page);
  await pinyin(page, 'wang', '王');
  await page.getByTestId('input-propertyAddress').click();
  await pinyin(page, 'bei', '北');
  await page.getByTestId('option-items-ownership').click();
  await page.getByTestId('input-purpose').click();
  await pinyin(page, 'cha', '查');
  await page.getByTestId('form-next').click();
  await expect(step(page, 'review')).toBeVisible();
  scans['review'] = await seriousViolations(page);
  await page.getByTestId('review-sign').click();
  scans['sign'] = await seriousViolations(page);
  await drawSignature(page);
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'printed');
  scans['done'] = await seriousViolations(page);
  for (const [name, found] of Object.entries(scans)) expect(found, name).toEqual([]);
});

for (const { orientation, lang } of DISPLAY_PAIRS) {
  test(`every application screen lays out cleanly, ${orientation}, ${lang}`, async ({ page }) => {
    test.setTimeout(90_000);
    await running().command('Dev.InsertCard', { identity: 'longAddress' });
    await openApply(page, orientation, lang);
    await look(page, '01-catalog', orientation, lang);
    await page.getByTestId('apply-search').click();
    await look(page, '02-catalog-keyboard', orientation, lang);
    await key(page, '{done}');
    await page.getByTestId('form-resident-medical-insurance').click();
    await look(page, '03-notice', orientation, lang);
    await page.getByTestId('notice-start').click();
    await expect(step(page, 'form')).toBeVisible();
    await look(page, '04-form-prefilled', orientation, lang);
    await page.getByTestId('input-phone').click();
    await look(page, '05-form-digits', orientation, lang);
    await keys(page, '13812345678');
    await page.getByTestId('form-next').click();
    await page.getByTestId('input-members-0--name').click();
    await look(page, `06-form-group-${lang === 'zh-CN' ? 'pinyin' : 'latin'}`, orientation, lang);
    if (lang === 'zh-CN') {
      await pinyin(page, 'li', '李');
      await pinyin(page, 'ming', '明');
    } else {
      await keys(page, 'li');
    }
    await page.getByTestId('option-members-0--relation-child').click();
    await page.getByTestId('input-members-0--idNumber').click();
    await keys(page, '11010520100101001');
    await key(page, 'X');
    await key(page, '{done}');
    await page.getByTestId('form-next').click();
    await look(page, '07-form-group-errors', orientation, lang);
    await page.getByTestId('remove-members-0').click();
    await page.getByTestId('add-members').click();
    await page.getByTestId('input-members-0--name').click();
    if (lang === 'zh-CN') await pinyin(page, 'li', '李');
    else await keys(page, 'li');
    await page.getByTestId('option-members-0--relation-spouse').click();
    await page.getByTestId('input-members-0--idNumber').click();
    await keys(page, '110105199003071239');
    await key(page, '{done}');
    await page.getByTestId('option-members-0--category-adult').click();
    await page.getByTestId('form-next').click();
    await expect(page.locator('[data-section="payment"]')).toBeVisible();
    await look(page, '08-form-payment', orientation, lang);
    await page.getByTestId('input-year').click();
    await keys(page, '2027');
    await page.getByTestId('option-payMethod-counter').click();
    await page.getByTestId('form-next').click();
    await expect(step(page, 'review')).toBeVisible();
    await look(page, '09-review', orientation, lang);
    await page.getByTestId('review-sign').click();
    await drawSignature(page);
    await look(page, '10-sign', orientation, lang);
    await page.getByTestId('submit').click();
    await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'printed');
    await look(page, '11-done', orientation, lang);
  });
}

test('a terminal that cannot store applications (disk full) says it is out of service, never "accepted", and keeps the answers', async ({ page }) => {
  // The agent answers Forms.Submit with notEnoughSpace/diskFull when its data disk is full
  // (server/handlers/submission.ts). A full disk cannot be made here, so the socket is routed
  // and that one completion is played; every other message goes to the real agent.
  await page.routeWebSocket(/\/xfs4iot\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const text = typeof message === 'string' ? message : message.toString('utf8');
      const frame = JSON.parse(text) as { header: { name: string; requestId: number } };
      if (frame.header.name !== 'Forms.Submit') {
        server.send(message);
        return;
      }
      const header = { name: 'Forms.Submit', requestId: frame.header.requestId, version: '1.0' };
      ws.send(JSON.stringify({ header: { ...header, type: 'acknowledge' } }));
      ws.send(JSON.stringify({ header: { ...header, type: 'completion', completionCode: 'notEnoughSpace', errorCode: 'diskFull', errorDescription: 'Out of service: the data disk is full; nothing was accepted.' } }));
    });
    server.onMessage((message) => ws.send(message));
  });
  await startCardReplacement(page);
  await page.getByTestId('option-delivery-hall').click();
  await page.getByTestId('form-next').click();
  await page.getByTestId('review-sign').click();
  await drawSignature(page);
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('submit-screen')).toHaveAttribute('data-error', 'outOfService');
  await expect(page.getByTestId('submit-error')).toContainText('本终端暂停受理申请');
  await expect(page.getByTestId('apply-accepted')).toHaveCount(0);
  await look(page, 'out-of-service');
  // The answers are still there.
  await page.getByRole('button', { name: '返回核对' }).click();
  await expect(page.getByTestId('review-value-phone')).toHaveText('13900001111');
});

test('a submission that fails shows a clear message; "submit again" files it once, with the answers kept', async ({ page }) => {
  // The first Forms.Submit completes with timeOut (as if the agent gave up); the retry goes through.
  let refused = 0;
  const submissionIds: string[] = [];
  await page.routeWebSocket(/\/xfs4iot\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const text = typeof message === 'string' ? message : message.toString('utf8');
      const frame = JSON.parse(text) as { header: { name: string; requestId: number }; payload: { submissionId?: string } };
      if (frame.header.name === 'Forms.Submit') submissionIds.push(frame.payload.submissionId ?? '');
      if (frame.header.name !== 'Forms.Submit' || refused > 0) {
        server.send(message);
        return;
      }
      refused += 1;
      const header = { name: 'Forms.Submit', requestId: frame.header.requestId, version: '1.0' };
      ws.send(JSON.stringify({ header: { ...header, type: 'acknowledge' } }));
      ws.send(JSON.stringify({ header: { ...header, type: 'completion', completionCode: 'timeOut', errorCode: 'timeOut', errorDescription: 'The command timed out.' } }));
    });
    server.onMessage((message) => ws.send(message));
  });
  await startCardReplacement(page);
  await page.getByTestId('option-delivery-mail').click();
  await expect(page.getByTestId('input-mailAddress')).toBeVisible();
  await page.getByTestId('input-mailAddress').click();
  await pinyin(page, 'bei', '北');
  await page.getByTestId('form-next').click();
  await page.getByTestId('review-sign').click();
  await drawSignature(page);
  await page.getByTestId('submit').click();
  await expect(page.getByTestId('submit-screen')).toHaveAttribute('data-error', 'failed');
  await expect(page.getByTestId('submit-error')).toContainText('申请尚未提交');
  await expect(page.getByTestId('submit-error')).toContainText('您填写的内容仍然保留');
  await expect(page.getByTestId('apply-accepted')).toHaveCount(0);
  await look(page, 'submit-failed');
  await page.getByTestId('submit-retry').click();
  await expect(page.getByTestId('apply-accepted')).toBeVisible();
  await expect(page.getByTestId('reference')).toHaveAttribute('data-reference', REFERENCE);
  // Both attempts carried the same submissionId, so the agent can never file it twice.
  expect(submissionIds).toHaveLength(2);
  expect(submissionIds[0]).toBe(submissionIds[1]);
});
