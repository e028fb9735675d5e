// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSealed, parsePrivateKeys } from '../../device-agent/src/crypto/seal.ts';
import { useAgent } from './agent.ts';
import { atDisplayPairs, closeDevDock, expectCleanLayout, openKiosk, saveScreenshot, screen, switchLanguage, type Lang, type Orientation } from './kiosk.ts';

/**
 * "Scan it now" for a paper material of the 一次性告知单 (issue 3 use (b), in issue 4's journey):
 * the simulated scanner with sample documents, real OCR in the agent (Ocr.CheckDocument, 2–3 s a
 * page: each test checks one or two pages). Screenshots go to ONEVISIT_SHOTS_DIR when set.
 */
const REFERENCE = /^[A-Z0-9]{2,12}-\d{6}-\d{4,9}-[0-9A-Z*]$/;

// The simulated reader's `standard` card (device-agent/src/devices/id-card/sample-identities.ts).
const CARD = { key: 'standard', idNumber: '110105199003070017' } as const;
// Sample people of device-agent/src/devices/scanner/sample-pages.ts: the card's holder, a namesake
// with another ID number, and someone else.
const HOLDER = 'standardCardHolder';
const NAMESAKE = 'wangXiaoming';
const OTHER = 'liHong';

// residence-permit's materials: 0 ID card (original), 1 photo (original), 2 proof of residence (original and copy), 3 proof of employment (copy).
/** The residence-permit package's materials: ID card, permanent-residence card (foreigners, issue 10), photo, residence proof, employment proof. */
const RESIDENCE_PROOF = 3;

// A long idle timeout: OCR and screenshots must not race the countdown. Dev mode seals to a demo key in the data dir.
const agent = useAgent({ args: ['--idle-timeout', '600'] });

const CHECK_TEXT = {
  'zh-CN': { place: '扫描核对材料', preview: '请查看扫描结果', checked: '材料已核对', both: '没有找到您的姓名和公民身份号码', idNumber: '没有找到您的公民身份号码', window: '把纸质材料交到窗口' },
  en: { place: 'Scan and check a document', preview: 'Check the scan', checked: 'Document checked', both: 'Your name and ID number were not found', idNumber: 'Your ID number was not found', window: 'hand the paper in at the window' },
} as const satisfies Record<Lang, Record<string, string>>;

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/** The screen as it is, in portrait Chinese and landscape English, checked for layout problems (a screenshot of each when asked for), then by axe. */
async function shootAll(page: Page, name: string, options: { layout?: boolean } = {}): Promise<void> {
  await atDisplayPairs(page, async (orientation, language) => {
    await saveScreenshot(page, `${name}-${orientation}-${language}.png`);
    if (options.layout !== false) await expectCleanLayout(page);
    expect(await resultOverlapsActions(page), `${name} ${orientation} ${language}: the result card runs under the buttons`).toBe(false);
  });
  expect(await seriousViolations(page), name).toEqual([]);
}

/** The result card (when shown) must end above the action buttons: kiosk.ts does not check content against controls. */
async function resultOverlapsActions(page: Page): Promise<boolean> {
  const card = page.getByTestId('check-result');
  if ((await card.count()) === 0) return false;
  const cardBox = await card.boundingBox();
  const buttons = await page.locator('[data-testid="check-step"] .actions button').all();
  for (const button of buttons) {
    const box = await button.boundingBox();
    if (cardBox && box && box.y < cardBox.y + cardBox.height && box.y + box.height > cardBox.y) return true;
  }
  return false;
}

/** Home → 办理申请 → the residence permit's 一次性告知单. */
async function toNotice(page: Page, orientation: Orientation): Promise<void> {
  await openKiosk(page, agent(), orientation);
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  await page.getByTestId('service-apply').click();
  await page.getByTestId('form-residence-permit').click();
  await expect(page.locator('[data-step="notice"]')).toBeVisible();
  await closeDevDock(page);
}

/** "Scan it now" on the proof of residence: no card yet, so the card first, then straight to the scanner. */
async function scanNowWithCard(page: Page): Promise<void> {
  await page.getByTestId(`material-scan-${RESIDENCE_PROOF}`).click();
  await expect(screen(page, 'identify')).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: CARD.key });
  await expect(screen(page, 'apply')).toBeVisible();
  await expect(page.locator('[data-step="check"]')).toBeVisible();
  await expect(page.getByTestId('check-step')).toHaveAttribute('data-check-step', 'place');
}

/** Scan → preview → accept → the result (OCR, up to 30 s on a busy machine). */
async function scanAndCheck(page: Page): Promise<void> {
  await page.getByTestId('check-start').click();
  await expect(page.getByTestId('check-preview')).toBeVisible();
  await page.getByTestId('check-accept').click();
  await expect(page.getByTestId('check-result')).toBeVisible({ timeout: 30_000 });
}

async function key(page: Page, button: string): Promise<void> {
  await page.getByTestId('osk').locator(`[data-skbtn="${button}"]`).click();
}

async function keys(page: Page, buttons: string): Promise<void> {
  for (const button of buttons) await key(page, button);
}

async function pinyin(page: Page, syllable: string, character: string): Promise<void> {
  await keys(page, syllable);
  await page.getByTestId('osk-candidate').filter({ hasText: new RegExp(`^${character}$`) }).first().click();
  await expect(page.getByTestId('osk-pinyin')).toHaveText('');
}

async function drawSignature(page: Page): Promise<void> {
  const box = await page.getByTestId('signature-pad').boundingBox();
  if (!box) throw new Error('no signature pad');
  const y = box.y + box.height * 0.55;
  await page.mouse.move(box.x + box.width * 0.2, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i += 1) await page.mouse.move(box.x + box.width * (0.2 + i * 0.05), y + (i % 2 === 0 ? -40 : 30));
  await page.mouse.up();
}

/** The sealed submission as the back office opens it (dev mode's demo key pair in the data dir). */
async function openSubmission(reference: string): Promise<{ parts: readonly { name: string; mediaType: string; bytes: Uint8Array }[] }> {
  const file = join(agent().dataDir, 'intake', `${reference}.ovsl`);
  await expect.poll(async () => readFile(file).then(() => true, () => false), { timeout: 15_000 }).toBe(true);
  const keys = parsePrivateKeys(await readFile(join(agent().dataDir, 'demo-backoffice', 'backoffice.key'), 'utf8'));
  return openSealed(await readFile(file), keys).content;
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
});

test('a document of the card holder checks out, and only that accepted page goes with the application', async ({ page }) => {
  test.setTimeout(180_000);
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'residenceCertificate', person: HOLDER });
  await toNotice(page, 'portrait');
  // Originals shown at the window have nothing to scan; copies handed in do.
  for (const original of [0, 1, 2]) await expect(page.getByTestId(`material-scan-${original}`)).toHaveCount(0);
  await expect(page.getByTestId(`material-scan-${RESIDENCE_PROOF}`)).toBeVisible();
  await expect(page.getByTestId('material-scan-4')).toBeVisible();
  await shootAll(page, '01-notice', { layout: false });

  await scanNowWithCard(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(CHECK_TEXT['zh-CN'].place);
  await expect(page.getByTestId('check-material')).toContainText('居住证明');
  await shootAll(page, '02-check-place');

  // Scan, look, retake once (no OCR yet), look again.
  await page.getByTestId('check-start').click();
  await expect(page.getByTestId('check-preview')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(CHECK_TEXT['zh-CN'].preview);
  await page.getByTestId('check-retake').click();
  await expect(page.getByTestId('check-retakes')).toBeVisible();
  await expect(page.getByTestId('check-preview')).toBeVisible();
  await shootAll(page, '03-check-preview');

  await page.getByTestId('check-accept').click();
  await expect(page.getByTestId('check-checking')).toBeVisible();
  await saveScreenshot(page, '04-check-checking-portrait-zh-CN.png');
  await expect(page.getByTestId('check-result')).toHaveAttribute('data-outcome', 'checked', { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(CHECK_TEXT['zh-CN'].checked);
  await expect(page.getByTestId('check-attached')).toBeVisible();
  // The values checked are never on the page; the preview left the screen with the result.
  const html = await page.content();
  expect(html).not.toContain(CARD.idNumber);
  expect(html).not.toContain('data:image/jpeg');
  await shootAll(page, '05-check-found');

  await page.getByTestId('check-done').click();
  await expect(page.locator('[data-step="notice"]')).toBeVisible();
  await expect(page.getByTestId(`material-check-${RESIDENCE_PROOF}`)).toHaveAttribute('data-outcome', 'checked');
  await expect(page.getByTestId(`material-remove-${RESIDENCE_PROOF}`)).toBeVisible();
  await page.getByTestId(`material-scan-${RESIDENCE_PROOF}`).scrollIntoViewIfNeeded();
  await shootAll(page, '06-notice-checked', { layout: false });

  // On through the form (the card was read: straight into it) to the sealed submission.
  await page.getByTestId('notice-start').click();
  await expect(page.locator('[data-section="applicant"]')).toBeVisible();
  await page.getByTestId('input-phone').click();
  await keys(page, '13812345678');
  await page.getByTestId('form-next').click();
  await expect(page.locator('[data-section="residence"]')).toBeVisible();
  await page.getByTestId('input-residenceAddress').click();
  await pinyin(page, 'bei', '北');
  await pinyin(page, 'jing', '京');
  await page.getByTestId('input-residenceSince').click();
  await keys(page, '20200501');
  await key(page, '{done}');
  await page.getByTestId('option-basis-employment').click();
  await page.getByTestId('input-employer').click();
  await key(page, '{lang}');
  await keys(page, 'acme');
  await page.getByTestId('form-next').click();
  await expect(page.locator('[data-step="review"]')).toBeVisible();
  await page.getByTestId('review-sign').click();
  await drawSignature(page);
  await page.getByTestId('submit').click();
  await expect(page.locator('[data-step="done"]')).toBeVisible({ timeout: 30_000 });
  const reference = (await page.getByTestId('reference').getAttribute('data-reference')) ?? '';
  expect(reference).toMatch(REFERENCE);

  const content = await openSubmission(reference);
  const scans = content.parts.filter((part) => part.name.startsWith('scan-'));
  expect(scans.map((part) => [part.name, part.mediaType])).toEqual([['scan-01.jpg', 'image/jpeg']]);
  const jpeg = scans[0]?.bytes ?? new Uint8Array();
  expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);

  // The session ends: nothing of it stays on the page.
  await page.getByTestId('apply-finish').click();
  await expect(screen(page, 'done')).toBeVisible();
  expect(await page.content()).not.toContain(CARD.idNumber);
});

test("someone else's document, then a namesake's: which value was not found, what to do, and nothing attached", async ({ page }) => {
  test.setTimeout(180_000);
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'residenceCertificate', person: OTHER });
  await toNotice(page, 'landscape');
  await switchLanguage(page, 'en');
  await scanNowWithCard(page);
  await scanAndCheck(page);
  await expect(page.getByTestId('check-result')).toHaveAttribute('data-outcome', 'bothNotFound');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(CHECK_TEXT.en.both);
  await expect(page.getByTestId('check-todo')).toContainText(CHECK_TEXT.en.window);
  await expect(page.getByTestId('check-attached')).toHaveCount(0);
  await shootAll(page, '07-check-not-found');

  // Scan again with a namesake's paper: the name is there, the ID number is not.
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'residenceCertificate', person: NAMESAKE });
  await page.getByTestId('check-rescan').click();
  await expect(page.getByTestId('check-step')).toHaveAttribute('data-check-step', 'place');
  await scanAndCheck(page);
  await expect(page.getByTestId('check-result')).toHaveAttribute('data-outcome', 'idNumberNotFound');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(CHECK_TEXT.en.idNumber);
  await shootAll(page, '08-check-id-number-not-found');

  // Carry on: the notice says to hand it in at the window; nothing to remove, nothing attached.
  await page.getByTestId('check-continue').click();
  await expect(page.locator('[data-step="notice"]')).toBeVisible();
  await expect(page.getByTestId(`material-check-${RESIDENCE_PROOF}`)).toHaveAttribute('data-outcome', 'idNumberNotFound');
  await expect(page.getByTestId(`material-remove-${RESIDENCE_PROOF}`)).toHaveCount(0);
  await page.getByTestId(`material-scan-${RESIDENCE_PROOF}`).scrollIntoViewIfNeeded();
  await shootAll(page, '09-notice-not-checked', { layout: false });
});

test('a scanner that is offline says so on the place step, and the citizen can go back to the notice', async ({ page }) => {
  await toNotice(page, 'portrait');
  await scanNowWithCard(page);
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'offline' });
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'scannerNotReady');
  await expect(page.getByTestId('check-start')).toBeDisabled();
  await shootAll(page, '10-check-scanner-offline');
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
  await expect(page.getByTestId('scan-error')).toHaveCount(0);
  await page.getByTestId('check-back').click();
  await expect(page.locator('[data-step="notice"]')).toBeVisible();
  await expect(page.getByTestId(`material-check-${RESIDENCE_PROOF}`)).toHaveCount(0);
});
