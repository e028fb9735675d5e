// page.evaluate callbacks run in the browser: they use DOM types.
import { expect, test, type Page } from '@playwright/test';
import { useAgent } from './agent.ts';
import { DISPLAY_PAIRS, ORIENTATIONS, expectCleanLayout, insertCardWithDock, closeDevDock, openKiosk, saveScreenshot, screen, switchLanguage, type Lang, type Orientation } from './kiosk.ts';

/**
 * Hall staff mode (issue 12) in Chromium against the demo agent, which registers the fictional staff
 * member 张静 (the simulator's `staff` sample card) with PIN 123456: card → PIN → refill the receipt
 * paper → diagnostics printed → sign out; a wrong PIN shows the attempts left; a citizen at the home
 * screen while the receipt paper is out is told what they get instead. Screenshots of every staff
 * screen (both orientations, both languages) go to ONEVISIT_SHOTS_DIR when set.
 */
const PIN = '123456';
const TECHNICIAN_PIN = '654321';

const agent = useAgent();

async function typePin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) await page.getByTestId(`staff-key-${digit}`).click();
}

function staffStep(page: Page, step: string) {
  return page.locator(`[data-staff-step="${step}"]`);
}

async function shoot(page: Page, orientation: Orientation, lang: Lang, name: string): Promise<void> {
  await saveScreenshot(page, `staff-${orientation}-${lang}-${name}.png`);
  await expectCleanLayout(page);
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
});

test('staff card → wrong PIN shows attempts left → PIN → refill receipt paper → diagnostics printed → sign out', async ({ page }) => {
  await openKiosk(page, agent());
  await switchLanguage(page, 'en');
  await insertCardWithDock(page, 'staff');
  await closeDevDock(page);
  await expect(staffStep(page, 'pin')).toBeVisible();
  await expect(page.getByText('Hello, 张静.')).toBeVisible();

  await typePin(page, '111111');
  await expect(page.getByTestId('staff-pin-wrong')).toHaveText('Wrong PIN. 4 attempts left.');
  await expect(page.getByTestId('staff-pin-entry')).toHaveAttribute('data-length', '0');

  await typePin(page, PIN);
  await expect(staffStep(page, 'dashboard')).toBeVisible();
  await expect(page.getByTestId('staff-who')).toContainText('张静');
  await expect(page.getByTestId('staff-unit-receiptPaper')).toBeVisible();

  // Refill the receipt roll.
  await page.getByTestId('staff-task-restock').click();
  await page.getByTestId('staff-restock-receiptPaper').click();
  await expect(page.getByTestId('staff-restock-instructions')).toBeVisible();
  // While the exchange is open the receipt printer serves no citizen.
  const during = await agent().command('Common.Status', {});
  expect(during.printing?.receipt).toEqual({ available: false, reason: 'exchange' });
  await page.getByTestId('staff-restock-work-done').click();
  const count = page.getByTestId('staff-restock-count');
  const full = await count.getAttribute('data-value');
  expect(Number(full)).toBeGreaterThan(0);
  const receiptsBefore = (await agent().command('Dev.PrintedOutput', {})).receipts.length;
  await page.getByTestId('staff-restock-end').click();
  await expect(page.getByTestId('staff-restock-tests').locator('li')).toHaveAttribute('data-result', 'ok');
  await expect(page.getByTestId('staff-unit-receiptPaper')).toHaveAttribute('data-state', 'ok');
  const storage = await agent().command('Common.Status', {});
  expect(storage.printing?.receipt).toEqual({ available: true, reason: 'ok' });
  expect((await agent().command('Dev.PrintedOutput', {})).receipts.length).toBe(receiptsBefore + 1);

  // Diagnostics, printed on the receipt printer.
  await page.getByTestId('staff-restock-finish').click();
  await page.getByTestId('staff-task-diagnostics').click();
  await page.getByTestId('staff-diagnostics-print').click();
  await expect(page.getByTestId('staff-diagnostics-printed')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('staff-diagnostics-checks').locator('li').first()).toBeVisible();
  const printed = await agent().command('Dev.PrintedOutput', { last: 1 });
  expect(printed.receipts).toHaveLength(1);
  // The printout names the terminal and carries no citizen data (no ID number).
  expect(printed.receipts[0]?.text).toContain('T');
  expect(printed.receipts[0]?.text).not.toMatch(/\d{17}[\dX]/);

  await page.getByTestId('staff-sign-out').click();
  await expect(screen(page, 'attract')).toBeVisible();
  const session = await agent().command('Staff.Session', {});
  expect(session.session.state).not.toBe('signedIn');
});

for (const { orientation, lang } of DISPLAY_PAIRS) {
  test(`staff screens, ${orientation}, ${lang}`, async ({ page }) => {
    test.setTimeout(120_000);
    await openKiosk(page, agent(), orientation);
    await switchLanguage(page, lang);
    await agent().command('Dev.InsertCard', { identity: 'staff' });
    await expect(staffStep(page, 'pin')).toBeVisible();
    await shoot(page, orientation, lang, '01-pin');
    await typePin(page, '99');
    await shoot(page, orientation, lang, '02-pin-typing');
    await page.getByTestId('staff-key-erase').click();
    await page.getByTestId('staff-key-erase').click();
    await typePin(page, PIN);
    await expect(staffStep(page, 'dashboard')).toBeVisible();
    await expect(page.getByTestId('staff-unit-receiptPaper')).toBeVisible();
    await shoot(page, orientation, lang, '03-dashboard');

    await page.getByTestId('staff-task-restock').click();
    await expect(page.getByTestId('staff-restock-a4Paper')).toBeVisible();
    await shoot(page, orientation, lang, '04-restock-choose');
    await page.getByTestId('staff-restock-a4Paper').click();
    await expect(page.getByTestId('staff-restock-instructions')).toBeVisible();
    await shoot(page, orientation, lang, '05-restock-work');
    await page.getByTestId('staff-restock-work-done').click();
    await shoot(page, orientation, lang, '06-restock-counts');
    await page.getByTestId('staff-restock-end').click();
    await expect(page.getByTestId('staff-restock-tests')).toBeVisible();
    await shoot(page, orientation, lang, '07-restock-done');

    await page.getByTestId('staff-restock-finish').click();
    await page.getByTestId('staff-task-diagnostics').click();
    await shoot(page, orientation, lang, '08-diagnostics');
    await page.getByTestId('staff-diagnostics-save').click();
    await expect(page.getByTestId('staff-diagnostics-saved')).toBeVisible({ timeout: 30_000 });
    await shoot(page, orientation, lang, '09-diagnostics-saved');

    await page.getByTestId('staff-back').click();
    await page.getByTestId('staff-task-deliveries').click();
    await expect(page.getByTestId('staff-dead-letters')).toBeVisible();
    await shoot(page, orientation, lang, '10-deliveries');

    await page.getByTestId('staff-back').click();
    await page.getByTestId('staff-task-reset').click();
    await shoot(page, orientation, lang, '11-reset');
    await page.getByTestId('staff-reset-run').click();
    await expect(page.getByTestId('staff-reset-actions')).toBeVisible({ timeout: 60_000 });
    await shoot(page, orientation, lang, '12-reset-done');
    // Restart asks first; this agent was not started by scripts/start.mjs, so it says nothing would bring it back.
    await page.getByTestId('staff-restart-run').click();
    await expect(page.getByTestId('staff-restart-yes')).toBeVisible();
    await shoot(page, orientation, lang, '13-restart-confirm');
    await page.getByTestId('staff-restart-yes').click();
    await expect(page.getByTestId('staff-restart-problem')).toBeVisible();
    await shoot(page, orientation, lang, '14-restart-not-supervised');

    await page.getByTestId('staff-back').click();
    await page.getByTestId('staff-task-export').click();
    await expect(page.getByTestId('staff-export-count')).toBeVisible();
    await shoot(page, orientation, lang, '15-export');

    await page.getByTestId('staff-sign-out').click();
    await expect(screen(page, 'attract')).toBeVisible();

    // A technician also gets device tests that print.
    await agent().command('Dev.RemoveCard', {});
    await agent().command('Dev.InsertCard', { identity: 'technician' });
    await expect(staffStep(page, 'pin')).toBeVisible();
    await typePin(page, TECHNICIAN_PIN);
    await expect(staffStep(page, 'dashboard')).toBeVisible();
    await page.getByTestId('staff-task-diagnostics').click();
    await page.getByTestId('staff-test-receiptPrinter').click();
    await expect(page.getByTestId('staff-test-receiptPrinter-ok')).toBeVisible({ timeout: 30_000 });
    await shoot(page, orientation, lang, '16-technician-tests');
    await page.getByTestId('staff-sign-out').click();
    await expect(screen(page, 'attract')).toBeVisible();
  });
}

test('the booking export screen shows the day\'s count and the file name, never a booking\'s data', async ({ page }) => {
  await openKiosk(page, agent());
  await switchLanguage(page, 'en');
  await agent().command('Dev.InsertCard', { identity: 'staff' });
  await typePin(page, PIN);
  await page.getByTestId('staff-task-export').click();
  const count = page.getByTestId('staff-export-count');
  await expect(count).toHaveText(/bookings \(cancelled ones not counted\)/);
  const today = await count.textContent();
  await page.locator('[data-testid^="staff-export-day-"]').nth(1).click();
  await expect(count).not.toHaveText(today ?? '');
  await expect(page.getByText(/Export file: bookings-\d{4}-\d{2}-\d{2}\.csv/)).toBeVisible();
  // Nothing from the file itself on screen: no masked name (a CJK character followed by *).
  expect(await page.locator('[data-staff-step="export"]').innerText()).not.toMatch(/\p{Script=Han}\*/u);
  await page.getByTestId('staff-sign-out').click();
});

test('continue as a citizen from the PIN pad reaches the home screen', async ({ page }) => {
  await openKiosk(page, agent());
  await agent().command('Dev.InsertCard', { identity: 'staff' });
  await expect(staffStep(page, 'pin')).toBeVisible();
  await page.getByTestId('staff-as-citizen').click();
  await expect(screen(page, 'home')).toBeVisible();
});

// Near the end: the technician card stays locked for a minute.
test('five wrong PINs lock the card with a live countdown, in both languages and orientations', async ({ page }) => {
  await openKiosk(page, agent());
  await agent().command('Dev.InsertCard', { identity: 'technician' });
  await expect(staffStep(page, 'pin')).toBeVisible();
  for (let i = 0; i < 5; i += 1) {
    await typePin(page, '000000');
    await expect(page.getByTestId('staff-pin-entry')).toHaveAttribute('data-length', '0');
  }
  const locked = page.getByTestId('staff-pin-locked');
  await expect(locked).toBeVisible();
  await expect(page.getByTestId('staff-key-1')).toBeDisabled();
  // The seconds count down on their own (the agent said 60).
  const first = await locked.textContent();
  await expect(locked).not.toHaveText(first ?? '');
  for (const orientation of Object.keys(ORIENTATIONS) as Orientation[]) {
    await page.setViewportSize(ORIENTATIONS[orientation]);
    for (const lang of ['zh-CN', 'en'] as const) {
      await switchLanguage(page, lang);
      await expect(locked).toBeVisible();
      await shoot(page, orientation, lang, '00-pin-locked');
    }
  }
});

// Last: the receipt paper stays marked until staff end an exchange on it.
test('a citizen at the home screen while the receipt paper is out is told what they get instead', async ({ page }) => {
  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'paperOut' });
  await openKiosk(page, agent());
  await switchLanguage(page, 'en');
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  await expect(page.getByTestId('home.degraded.receipt.paperEmpty')).toHaveText(/reference stays on the screen with a QR code/);
  await expect(page.getByTestId('home.degraded.a4.paperEmpty')).toHaveCount(0);
  await expectCleanLayout(page);
  await saveScreenshot(page, 'staff-portrait-en-13-home-degraded.png');
});
