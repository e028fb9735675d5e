import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, useAgent } from './agent.ts';
import { atDisplayPairs, ORIENTATIONS, TEXT, closeDevDock, expectCleanLayout, openKiosk, saveScreenshot, screen, switchLanguage, type Orientation } from './kiosk.ts';

/**
 * Issue 10, "every citizen gets through": the dead ends of identifying by a scanned paper.
 * Real OCR in the agent (2–3 s a page). Screenshots go to ONEVISIT_SHOTS_DIR when set.
 */
const WANG = { key: 'wangXiaoming', name: '王小明' } as const;

// A long idle timeout: OCR and screenshots must not race the countdown.
const agent = useAgent({ args: ['--idle-timeout', '600'] });

/** The screen as it is, laid out cleanly in portrait Chinese and landscape English (a screenshot of each when asked for). */
async function shootAll(page: Page, name: string): Promise<void> {
  await atDisplayPairs(page, async (orientation, language) => {
    await saveScreenshot(page, `${name}-${orientation}-${language}.png`);
    await expectCleanLayout(page);
  });
}

/** Identify → scan the paper on the simulated scanner → the confirm step with both values read. */
async function scanToConfirm(page: Page): Promise<void> {
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  await closeDevDock(page);
  await page.getByTestId('scan-document').click();
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-preview')).toBeVisible();
  await page.getByTestId('scan-accept').click();
  await expect(page.getByTestId('scan-step')).toHaveAttribute('data-step', 'confirm', { timeout: 30_000 });
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
});

test('an expired temporary ID certificate is refused like an expired card', async ({ page }) => {
  test.setTimeout(180_000);
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'expiredTemporaryIdCertificate', person: WANG.key });
  await scanToConfirm(page);
  await page.getByTestId('scan-correct-name').click();
  await page.getByTestId('scan-correct-idNumber').click();
  await page.getByTestId('scan-confirm').click();
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'documentExpired', { timeout: 30_000 });
  await expect(page.getByTestId('scan-error')).toContainText('已过有效期');
  await expect(screen(page, 'confirmed')).toHaveCount(0);
  await shootAll(page, '01-document-expired');
});

test('a name the scan missed is typed on the on-screen keyboard, with the · of minority names', async ({ page }) => {
  test.setTimeout(180_000);
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'temporaryIdCertificate', person: WANG.key });
  await scanToConfirm(page);
  await page.getByTestId('scan-edit-name').click();
  const dialog = page.getByTestId('scan-entry');
  await expect(dialog.getByTestId('osk')).toBeVisible();
  await page.getByTestId('scan-entry-name').fill('');
  // 买买提·艾力: pinyin picks, then the · key.
  for (const [syllable, character] of [['mai', '买'], ['mai', '买'], ['ti', '提']] as const) {
    for (const letter of syllable) await dialog.getByTestId('osk').locator(`[data-skbtn="${letter}"]`).click();
    await dialog.getByTestId('osk-candidate').filter({ hasText: new RegExp(`^${character}$`) }).first().click();
  }
  await dialog.getByTestId('osk').locator('[data-skbtn="·"]').click();
  await expect(page.getByTestId('scan-entry-name')).toHaveValue('买买提·');
  await shootAll(page, '02-scan-name-keyboard');
  await page.getByTestId('scan-entry-cancel').click();
  await expect(page.getByTestId('scan-value-name')).toHaveText(WANG.name);
});

test('after 身份证核验 the citizen is offered the services, and the application uses the card already read', async ({ page }) => {
  test.setTimeout(120_000);
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  await closeDevDock(page);
  await agent().command('Dev.InsertCard', { identity: 'checkX' });
  await expect(screen(page, 'confirmed')).toBeVisible();
  await expect(page.getByTestId('confirmed-services')).toBeVisible();
  await shootAll(page, '03-confirmed-services');
  await page.getByTestId('confirmed-services').click();
  await expect(screen(page, 'home')).toBeVisible();
  // The card stays with the session: an application starts without asking for it again.
  await expect(page.getByTestId('card-hint')).toBeVisible();
  await page.getByTestId('service-apply').click();
  await page.getByTestId('form-residence-permit').click();
  await page.getByTestId('notice-start').click();
  await expect(page.locator('.apply[data-step="form"]')).toBeVisible();
  await expect(screen(page, 'identify')).toHaveCount(0);
  await expect(page.getByTestId('locked-name')).toHaveText('李娜');
});

/** Home → 身份证核验 with the foreign permanent-residence sample card → the services, card kept. */
async function foreignCardAtHome(page: Page): Promise<void> {
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  await closeDevDock(page);
  await agent().command('Dev.InsertCard', { identity: 'foreign' });
  await page.getByTestId('confirmed-services').click();
  await expect(screen(page, 'home')).toBeVisible();
}

test('a foreign permanent-residence card: the form asks nationality in words and its own number, no household address', async ({ page }) => {
  test.setTimeout(120_000);
  await foreignCardAtHome(page);
  await page.getByTestId('service-apply').click();
  await page.getByTestId('form-residence-permit').click();
  // The notice lists the foreign card and not the resident ID card.
  await expect(page.getByTestId('notice-materials')).toContainText('外国人永久居留身份证');
  await expect(page.getByTestId('notice-materials')).not.toContainText('居民身份证');
  await page.getByTestId('notice-start').click();
  await expect(page.locator('.apply[data-step="form"]')).toBeVisible();
  await expect(page.getByTestId('locked-nationality')).toHaveText('加拿大');
  await expect(page.getByTestId('locked-englishName')).toHaveText('JOHNSON MARK DAVID');
  await expect(page.getByTestId('locked-permanentResidenceNumber')).toBeVisible();
  await expect(page.locator('[data-field="permanentResidenceNumber"] label')).toHaveText('永久居留身份证号码');
  for (const hidden of ['nation', 'idNumber', 'hukouAddress']) await expect(page.locator(`[data-field="${hidden}"]`)).toHaveCount(0);
  expect(await page.content()).not.toContain('CAN<');
  await shootAll(page, '04-foreign-card-form');
});

test('a foreigner booking is not told to bring a household register', async ({ page }) => {
  test.setTimeout(120_000);
  await foreignCardAtHome(page);
  await page.getByTestId('service-book').click();
  await page.getByTestId('booking-service-household-registration').click();
  await page.locator('[data-testid^="booking-day-"][data-status="free"]').first().click();
  await page.locator('[data-testid^="booking-slot-"]:not([disabled])').first().click();
  await expect(page.getByTestId('booking-materials')).toContainText('外国人永久居留身份证原件');
  await expect(page.getByTestId('booking-materials')).not.toContainText('户口簿');
  await expect(page.getByTestId('booking-materials')).not.toContainText('居民身份证');
  await shootAll(page, '05-foreign-card-booking-materials');
});

test('a foreign permanent-residence card lifted is named as such, not as a 身份证', async ({ page }) => {
  test.setTimeout(120_000);
  await foreignCardAtHome(page);
  await agent().command('Dev.RemoveCard', {});
  await expect(page.getByTestId('card-grace')).toContainText('请将永久居留身份证放回读卡器');
  await page.getByTestId('card-grace-end').click();
  await expect(screen(page, 'done')).toBeVisible();
  await expect(page.getByTestId('card-removed')).toHaveText('永久居留身份证已取下，本次服务已结束，个人信息已清除。');
  await expectCleanLayout(page);
});

test('a card lifted mid-form has 20 s to come back: the same card continues, another card wipes everything', async ({ page }) => {
  test.setTimeout(180_000);
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-apply').click();
  await page.getByTestId('form-residence-permit').click();
  await page.getByTestId('notice-start').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  await closeDevDock(page);
  await agent().command('Dev.InsertCard', { identity: 'checkX' });
  await expect(page.locator('.apply[data-step="form"]')).toBeVisible();
  await expect(page.getByTestId('locked-name')).toHaveText('李娜');

  // In each language and orientation: lift, see the countdown (screenshot + layout check), put the same card back.
  // (One lift per screenshot: four screenshots take longer than the grace on a loaded machine.)
  for (const language of ['zh-CN', 'en'] as const) {
    await switchLanguage(page, language);
    for (const orientation of Object.keys(ORIENTATIONS) as Orientation[]) {
      await page.setViewportSize(ORIENTATIONS[orientation]);
      await agent().command('Dev.RemoveCard', {});
      await expect(page.getByTestId('card-grace')).toBeVisible();
      await expect(page.getByTestId('card-grace')).toContainText(language === 'zh-CN' ? '请将身份证放回读卡器' : 'Please put your ID card back on the reader');
      await expect(page.getByTestId('card-grace-count')).toHaveText(/^(1?\d|20)$/);
      await saveScreenshot(page, `06-card-grace-${orientation}-${language}.png`);
      await expectCleanLayout(page);
      // The same card back: the form is where it was.
      await agent().command('Dev.InsertCard', { identity: 'checkX' });
      await expect(page.getByTestId('card-grace')).toHaveCount(0);
      await expect(page.locator('.apply[data-step="form"]')).toBeVisible();
      await expect(page.getByTestId('locked-name')).toHaveText('李娜');
    }
  }
  await switchLanguage(page, 'zh-CN');

  // Another card: everything goes.
  await agent().command('Dev.RemoveCard', {});
  await expect(page.getByTestId('card-grace')).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(screen(page, 'done')).toBeVisible();
  await expect(page.getByTestId('locked-name')).toHaveCount(0);
  expect(await page.content()).not.toContain('李娜');
});

test('the idle timeout with the card on the reader asks for it back, and the next session is told to lift it first', async ({ page }) => {
  test.setTimeout(180_000);
  await page.clock.install();
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await closeDevDock(page);
  await agent().command('Dev.InsertCard', { identity: 'checkX' });
  await expect(screen(page, 'confirmed')).toBeVisible();
  await page.getByTestId('confirmed-services').click();
  await expect(screen(page, 'home')).toBeVisible();
  // 600 s idle (this file's agent), then the countdown (each jump fires the timers then due).
  await page.clock.fastForward(601_000);
  await expect(page.getByTestId('idle-overlay')).toBeVisible();
  await page.clock.fastForward(120_000);
  await expect(screen(page, 'done')).toBeVisible();
  await expect(page.getByTestId('take-card')).toBeVisible();
  await expect(page.getByTestId('take-card')).toHaveText('您的身份证还在读卡器上，请取走');
  await shootAll(page, '07-idle-take-card');
  await page.getByTestId('home').click();
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('card-left')).toBeVisible();
  await expect(screen(page, 'confirmed')).toHaveCount(0);
  await shootAll(page, '08-identify-card-left');
  await agent().command('Dev.RemoveCard', {});
  await expect(page.getByTestId('card-left')).toHaveCount(0);
  await agent().command('Dev.InsertCard', { identity: 'checkX' });
  await expect(screen(page, 'confirmed')).toBeVisible();
});

test('with the receipt printer out of paper, the service start says so before the citizen begins', async ({ page }) => {
  test.setTimeout(120_000);
  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'paperOut' });
  try {
    await openKiosk(page, agent());
    await page.getByTestId('start').click();
    await page.getByTestId('service-apply').click();
    await page.getByTestId('form-residence-permit').click();
    await expect(page.getByTestId('home.degraded.receipt.paperEmpty')).toBeVisible();
    await shootAll(page, '09-notice-printer-out');
  } finally {
    await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' });
  }
});

test('with the receipt printer out of paper, booking says so before the citizen books', async ({ page }) => {
  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'paperOut' });
  try {
    await openKiosk(page, agent());
    await page.getByTestId('start').click();
    await page.getByTestId('service-book').click();
    await expect(page.locator('[data-booking-step="services"]')).toBeVisible();
    await expect(page.getByTestId('booking.degraded.receipt.paperEmpty')).toContainText('预约号会显示在屏幕上');
    await shootAll(page, '10-booking-printer-out');
  } finally {
    await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' });
  }
});

/** On a booking screen: the step in view. */
function bookingStep(page: Page, name: string) {
  return page.locator(`[data-booking-step="${name}"]`);
}

/** The look of a button, as the eye tells enabled from disabled. */
async function buttonLook(page: Page, testId: string): Promise<{ background: string; borderStyle: string }> {
  return page.getByTestId(testId).evaluate((el) => {
    const style = getComputedStyle(el);
    return { background: style.backgroundColor, borderStyle: style.borderTopStyle };
  });
}

test('booking: the slip (printer out of paper too), the code search, and the reschedule calendar on the day of the booking', async ({ page }) => {
  test.setTimeout(300_000);
  // Two agents one after the other on one data folder: Friday 27 November, then Monday 30 November,
  // the day of the booking (the calendar's first cell is 30 November, today, and the original booking).
  const dataDir = await mkdtemp(join(tmpdir(), 'onevisit-e2e-gets-through-'));
  try {
    let code = '';
    const friday = await startAgent({ args: ['--clock', '2026-11-27T09:00:00+08:00', '--idle-timeout', '600'], dataDir });
    try {
      await openKiosk(page, friday);
      await closeDevDock(page);
      await page.getByTestId('start').click();
      await page.getByTestId('service-book').click();
      await page.getByTestId('booking-service-household-registration').click();
      await page.getByTestId('booking-day-2026-11-30').click();
      await page.getByTestId('booking-slot-09:00').click();
      await page.getByTestId('booking-confirm').click();
      await expect(screen(page, 'identify')).toBeVisible();
      await friday.command('Dev.InsertCard', { identity: 'standard' });
      await expect(bookingStep(page, 'slip')).toBeVisible();
      code = ((await page.getByTestId('booking-code').textContent()) ?? '').replace(' ', '');
      // Before printing, printing is the primary action; it sits on the right, as everywhere (shootAll checks).
      await expect(page.getByTestId('booking-print')).toHaveClass(/btn-primary/);
      await shootAll(page, '11-booking-slip');
      await friday.command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'paperOut' });
      await page.getByTestId('booking-print').click();
      await expect(page.getByTestId('booking-print-status')).toHaveAttribute('data-print', 'failed');
      await shootAll(page, '12-booking-slip-paper-out');
      await friday.command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' });
      await page.goto('about:blank');
    } finally {
      await friday.stop();
    }

    const monday = await startAgent({ args: ['--clock', '2026-11-30T08:45:00+08:00', '--idle-timeout', '600'], dataDir });
    try {
      await openKiosk(page, monday);
      await closeDevDock(page);
      await page.getByTestId('start').click();
      await page.getByTestId('service-book').click();
      await page.getByTestId('booking-manage').click();
      await expect(bookingStep(page, 'find')).toBeVisible();
      // 查询 without a whole code is disabled and looks it: not the primary blue of the button beside it.
      await expect(page.getByTestId('booking-code-search')).toBeDisabled();
      const disabled = await buttonLook(page, 'booking-code-search');
      const enabled = await buttonLook(page, 'booking-find-card');
      expect(disabled.background).not.toBe(enabled.background);
      expect(disabled.borderStyle).toBe('dashed');
      // A code nobody booked: the polite "not found".
      for (const key of '222222') await page.getByTestId(`booking-key-${key}`).click();
      await page.getByTestId('booking-code-search').click();
      await expect(page.getByTestId('booking-problem')).toHaveAttribute('data-error', 'notFound');
      await shootAll(page, '13-booking-not-found');
      await page.getByTestId('booking-key-clear').click();
      for (const key of code) await page.getByTestId(`booking-key-${key}`).click();
      await page.getByTestId('booking-code-search').click();
      const item = page.getByTestId(`booking-item-${code}`);
      await item.getByTestId('booking-reschedule').click();
      // Found by its code, changed only with the card of the person who booked (issue 9).
      await expect(screen(page, 'identify')).toBeVisible();
      await monday.command('Dev.InsertCard', { identity: 'standard' });
      await expect(bookingStep(page, 'calendar')).toBeVisible();
      const today = page.getByTestId('booking-day-2026-11-30');
      await expect(today).toContainText('原预约');
      await expect(today).toContainText('今天');
      await expect(today).toContainText('11月');
      // The tag, today's word, the month and the free days' counts each in their own place (shootAll's layout check).
      await shootAll(page, '14-booking-reschedule-calendar');
      await page.goto('about:blank');
    } finally {
      await monday.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the scanner pages: one name for going back to the card reader, whatever went wrong', async ({ page }) => {
  test.setTimeout(180_000);
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'temporaryIdCertificate', person: WANG.key });
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await closeDevDock(page);
  await page.getByTestId('scan-document').click();
  const back = page.getByTestId('scan-back');
  await expect(back).toHaveText('改用身份证');
  // The scanner gone (scannerNotReady), then no paper on the glass (noDocument): the same words for the
  // same way out (they were 改用身份证 for the one and 返回 for the other).
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'offline' });
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'scannerNotReady');
  await expect(back).toHaveText('改用身份证');
  await shootAll(page, '15-scan-offline');
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
  await expect(page.getByTestId('scan-error')).toHaveCount(0);
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'paperOut' });
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-error')).toHaveAttribute('data-error', 'noDocument');
  await expect(back).toHaveText('改用身份证');
  await agent().command('Dev.SetDeviceState', { device: 'scanner', state: 'online' });
  await agent().command('Scanner.PlaceSampleDocument', { kind: 'temporaryIdCertificate', person: WANG.key });
  await page.getByTestId('scan-start').click();
  await expect(page.getByTestId('scan-preview')).toBeVisible({ timeout: 30_000 });
  await expect(back).toHaveText('改用身份证');
  // The page is shown at a size its 14 pt lines can be read at: at least 18 px on the screen.
  for (const orientation of Object.keys(ORIENTATIONS) as Orientation[]) {
    await page.setViewportSize(ORIENTATIONS[orientation]);
    const widthPx = await page.getByTestId('scan-preview').evaluate((img) => img.getBoundingClientRect().width);
    const textPx = (14 * 25.4) / 72 * (widthPx / 210);
    expect(textPx, `14 pt text in ${orientation}`).toBeGreaterThanOrEqual(18);
  }
  await shootAll(page, '16-scan-preview');
});

test('a validation error brings the whole field into view, its label below the heading, in every orientation', async ({ page }) => {
  test.setTimeout(180_000);
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await page.getByTestId('service-apply').click();
  await page.getByTestId('form-residence-permit').click();
  await shootAll(page, '17-notice');
  await page.getByTestId('notice-start').click();
  await closeDevDock(page);
  await agent().command('Dev.InsertCard', { identity: 'checkX' });
  await expect(page.locator('.apply[data-step="form"]')).toBeVisible();
  for (const orientation of Object.keys(ORIENTATIONS) as Orientation[]) {
    await page.setViewportSize(ORIENTATIONS[orientation]);
    await page.locator('.form .body').evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByTestId('form-next').click();
    await expect(page.getByTestId('errors-summary')).toBeVisible();
    const first = page.locator('.form .body [data-field]:has([aria-invalid="true"])').first();
    // The label of the first field in error lies wholly inside the scrolling fields, not cut under the heading.
    const fits = await first.evaluate((field) => {
      const label = field.querySelector('label') ?? field;
      const area = field.closest('[data-scroll]')?.getBoundingClientRect();
      const box = label.getBoundingClientRect();
      return area !== undefined && box.top >= area.top - 1 && box.bottom <= area.bottom + 1;
    });
    expect(fits, orientation).toBe(true);
    await expectCleanLayout(page);
  }
  await shootAll(page, '18-form-errors');
});

test('landscape: the catalogue with its search keyboard open keeps the forms found in view, beside the keyboard', async ({ page }) => {
  test.setTimeout(120_000);
  for (const language of ['zh-CN', 'en'] as const) {
    await openKiosk(page, agent(), 'landscape');
    await closeDevDock(page);
    await switchLanguage(page, language);
    await page.getByTestId('start').click();
    await page.getByTestId('service-apply').click();
    await page.getByTestId('apply-search').click();
    await expect(page.getByTestId('osk')).toBeVisible();
    // Under the keyboard the results were a strip of 170 px; the layout checker wants a scrolling area of 320 px or more.
    await expectCleanLayout(page);
    await saveScreenshot(page, `07-catalogue-keyboard-landscape-${language}.png`);
  }
});
