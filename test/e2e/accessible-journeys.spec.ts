import { expect, test, type Page } from '@playwright/test';
import { useAgent } from './agent.ts';
import { checkAtEveryDisplay, elderSizeProblems, moveToAndSelect, nothingFound } from './a11y-checks.ts';
import { expectCollectDoorOpen, pickupStep, staffLoadForWang } from './cabinet.ts';
import { closeDevDock, expectCleanLayout, layoutProblems, openKiosk, oskKey, saveScreenshot, screen, switchLanguage } from './kiosk.ts';

/**
 * Issue 17: a booking and a pickup done in elder mode (portrait, Chinese) and an application (landscape,
 * English), every screen of each checked at every text size
 * (layout, and the elder sizes) and with axe in both high-contrast themes; and a whole booking done by
 * keyboard or two-switch alone (ArrowRight = move, Enter = select), and a pickup the same way. The agent's clock is Monday
 * 28 September 2026, 09:00 in Shanghai, as in booking.spec.ts.
 */
// The walks share nothing: each worker starts its own agent and they run side by side (the
// file set CI's length when its walks ran one after the other).
test.describe.configure({ mode: 'parallel' });
const agent = useAgent({ args: ['--clock', '2026-09-28T09:00:00+08:00', '--idle-timeout', '600', '--idle-countdown', '30'] });

function bookingStep(page: Page, name: string) {
  return page.locator(`[data-booking-step="${name}"]`);
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' });
});

test('a booking in elder mode, every screen at every size and high-contrast theme', async ({ page }) => {
  test.setTimeout(600_000);
  const found: Record<string, string[]> = {};
  await openKiosk(page, agent());
  await closeDevDock(page);
  await page.getByTestId('elder-mode').click();
  await expect(screen(page, 'home')).toBeVisible();
  await checkAtEveryDisplay(page, 'home', found);
  await page.getByTestId('service-book').click();
  await expect(bookingStep(page, 'services')).toBeVisible();
  await checkAtEveryDisplay(page, 'services', found);
  await page.getByTestId('booking-service-household-registration').click();
  await expect(bookingStep(page, 'calendar')).toBeVisible();
  await checkAtEveryDisplay(page, 'calendar', found);
  await page.getByTestId('booking-day-2026-09-29').click();
  await expect(bookingStep(page, 'times')).toBeVisible();
  await checkAtEveryDisplay(page, 'times', found);
  await page.getByTestId('booking-slot-09:00').click();
  await expect(bookingStep(page, 'confirm')).toBeVisible();
  await checkAtEveryDisplay(page, 'confirm', found);
  await page.getByTestId('booking-confirm').click();
  await expect(screen(page, 'identify')).toBeVisible();
  // The identify screen is accessibility.spec.ts's, checked there at every size and theme; here only in
  // elder mode, briefly, because its card read waits 60 s (IdCard.Read) and every display is longer on CI.
  found['identify elder sizes'] = await elderSizeProblems(page);
  found['identify layout'] = await layoutProblems(page);
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(bookingStep(page, 'slip')).toBeVisible();
  const code = ((await page.getByTestId('booking-code').textContent()) ?? '').replace(' ', '');
  await page.getByTestId('booking-print').click();
  await expect(page.getByTestId('booking-print-status')).toHaveAttribute('data-print', 'printed');
  await checkAtEveryDisplay(page, 'slip', found);
  await page.getByTestId('booking-done').click();
  await expect(screen(page, 'done')).toBeVisible();
  await agent().command('Dev.RemoveCard', {});
  await expect(screen(page, 'attract')).toBeVisible();

  // The next elder finds the booking by its number on the keypad.
  await page.getByTestId('elder-mode').click();
  await page.getByTestId('service-book').click();
  await page.getByTestId('booking-manage').click();
  await expect(bookingStep(page, 'find')).toBeVisible();
  for (const key of code) await page.getByTestId(`booking-key-${key}`).click();
  await checkAtEveryDisplay(page, 'find', found);
  await page.getByTestId('booking-code-search').click();
  await expect(bookingStep(page, 'list')).toBeVisible();
  await expect(page.getByTestId(`booking-item-${code}`)).toHaveAttribute('data-status', 'booked');
  await checkAtEveryDisplay(page, 'list', found);
  expect(found).toEqual(nothingFound(found));
});

test('a pickup in elder mode, every screen at every size and high-contrast theme', async ({ page }) => {
  test.setTimeout(600_000);
  const found: Record<string, string[]> = {};
  await openKiosk(page, agent());
  await closeDevDock(page);
  // Staff load a certificate for 王小明 first.
  const { slot } = await staffLoadForWang(page, agent(), ['s', 'z']);

  // The elder: elder mode, 更多业务, 证照领取, the card, the door.
  await page.getByTestId('elder-mode').click();
  await expect(screen(page, 'home')).toBeVisible();
  await page.getByTestId('home-more').click();
  await checkAtEveryDisplay(page, 'home more', found);
  await page.getByTestId('service-collect').click();
  await expect(pickupStep(page, 'find')).toBeVisible();
  await checkAtEveryDisplay(page, 'find', found);
  await page.getByTestId('pickup-find-card').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(pickupStep(page, 'list')).toBeVisible();
  await checkAtEveryDisplay(page, 'list', found);
  await page.getByTestId('pickup-collect').first().click();
  await expectCollectDoorOpen(page);
  await checkAtEveryDisplay(page, 'door open', found);
  await agent().command('Dev.Cabinet', { slot, action: 'takeItem' });
  await expect(page.getByTestId('pickup-taken')).toBeVisible();
  await checkAtEveryDisplay(page, 'taken', found);
  await agent().command('Dev.Cabinet', { slot, action: 'closeDoor' });
  await expect(pickupStep(page, 'done')).toBeVisible();
  await expect(page.getByTestId('pickup-receipt')).toHaveAttribute('data-receipt', 'printed');
  await checkAtEveryDisplay(page, 'done', found);
  await page.getByTestId('pickup-finish').click();
  expect(found).toEqual(nothingFound(found));
});

test('an application in elder mode, landscape, in English: every screen at every size and high-contrast theme', async ({ page }) => {
  test.setTimeout(600_000);
  const found: Record<string, string[]> = {};
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await openKiosk(page, agent(), 'landscape');
  await closeDevDock(page);
  await switchLanguage(page, 'en');
  await page.getByTestId('elder-mode').click();
  await expect(screen(page, 'home')).toBeVisible();
  await page.getByTestId('service-apply').click();
  await expect(page.getByTestId('form-social-security-card-replacement')).toBeVisible();
  await checkAtEveryDisplay(page, 'catalogue', found);
  await page.getByTestId('form-social-security-card-replacement').click();
  await expect(page.getByTestId('notice-start')).toBeVisible();
  await checkAtEveryDisplay(page, 'notice', found);
  await page.getByTestId('notice-start').click();
  await expect(page.locator('[data-step="form"]')).toBeVisible();
  await page.getByTestId('input-phone').click();
  for (const digit of '13900001111') await oskKey(page, digit);
  await checkAtEveryDisplay(page, 'form with the keyboard', found);
  await page.getByTestId('form-next').click();
  await page.getByTestId('option-reason-expired').click();
  await page.getByTestId('option-returnOldCard-true').click();
  await page.getByTestId('option-delivery-hall').click();
  await checkAtEveryDisplay(page, 'form choices', found);
  await page.getByTestId('form-next').click();
  await expect(page.locator('[data-step="review"]')).toBeVisible();
  await checkAtEveryDisplay(page, 'review', found);
  await page.getByTestId('review-sign').click();
  await page.getByTestId('signature-by-name').click();
  await expect(page.getByTestId('signature-by-name-done')).toBeVisible();
  await checkAtEveryDisplay(page, 'sign', found);
  await page.getByTestId('submit').click();
  await expect(page.locator('[data-step="done"]')).toBeVisible();
  await checkAtEveryDisplay(page, 'done', found);
  expect(found).toEqual(nothingFound(found));
});

test('a whole booking by keyboard or two-switch alone: move to each control, then select', async ({ page }) => {
  test.setTimeout(120_000);
  await openKiosk(page, agent());
  await closeDevDock(page);
  await moveToAndSelect(page, page.getByTestId('start'));
  await expect(screen(page, 'home')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('service-book'));
  await expect(bookingStep(page, 'services')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('booking-service-household-registration'));
  await expect(bookingStep(page, 'calendar')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('booking-day-2026-09-30'));
  await expect(bookingStep(page, 'times')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('booking-slot-10:00'));
  await expect(bookingStep(page, 'confirm')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('booking-confirm'));
  await expect(screen(page, 'identify')).toBeVisible();
  // The card goes on the reader by hand; everything on the screen is keys.
  await agent().command('Dev.InsertCard', { identity: 'foreign' });
  await expect(bookingStep(page, 'slip')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('booking-print'));
  await expect(page.getByTestId('booking-print-status')).toHaveAttribute('data-print', 'printed');
  await moveToAndSelect(page, page.getByTestId('booking-done'));
  await expect(screen(page, 'done')).toBeVisible();
  await agent().command('Dev.RemoveCard', {});
  await expect(screen(page, 'attract')).toBeVisible();
});

test('a whole pickup by keyboard or two-switch alone: the pickup code on the keypad, then the door', async ({ page }) => {
  test.setTimeout(120_000);
  await openKiosk(page, agent());
  await closeDevDock(page);
  // Staff load a certificate (by touch: the staff side is not under test here).
  const { slot, code } = await staffLoadForWang(page, agent(), ['k', 'b']);
  expect(code).toMatch(/^\d{6}$/);

  // The citizen: keys only, from the attract screen to the receipt.
  await moveToAndSelect(page, page.getByTestId('start'));
  await expect(screen(page, 'home')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('service-collect'));
  await expect(pickupStep(page, 'find')).toBeVisible();
  for (const digit of code) await moveToAndSelect(page, page.getByTestId(`pickup-key-${digit}`));
  await moveToAndSelect(page, page.getByTestId('pickup-code-search'));
  await expect(pickupStep(page, 'list')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('pickup-collect').first());
  await expectCollectDoorOpen(page);
  await agent().command('Dev.Cabinet', { slot, action: 'takeItem' });
  await agent().command('Dev.Cabinet', { slot, action: 'closeDoor' });
  await expect(pickupStep(page, 'done')).toBeVisible();
  await expect(page.getByTestId('pickup-receipt')).toHaveAttribute('data-receipt', 'printed');
  await moveToAndSelect(page, page.getByTestId('pickup-finish'));
  await expect(screen(page, 'attract')).toBeVisible({ timeout: 15_000 });
});

test('a whole application by keyboard or two-switch alone, signed with the name from the card', async ({ page }) => {
  test.setTimeout(120_000);
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await openKiosk(page, agent());
  await closeDevDock(page);
  await moveToAndSelect(page, page.getByTestId('start'));
  await expect(screen(page, 'home')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('service-apply'));
  await moveToAndSelect(page, page.getByTestId('form-social-security-card-replacement'));
  await moveToAndSelect(page, page.getByTestId('notice-start'));
  await expect(page.locator('[data-step="form"]')).toBeVisible();
  // Into the text field, type (a keyboard's keys), and out again with the same "move" key.
  await moveToAndSelect(page, page.getByTestId('input-phone'));
  await page.keyboard.type('13900001111');
  await expect(page.getByTestId('input-phone')).toHaveValue('13900001111');
  await moveToAndSelect(page, page.getByTestId('form-next'));
  // Choices are moved through like any control: a switch user is never held in a group.
  await moveToAndSelect(page, page.getByTestId('option-reason-expired'));
  await moveToAndSelect(page, page.getByTestId('option-returnOldCard-true'));
  await moveToAndSelect(page, page.getByTestId('option-delivery-hall'));
  await moveToAndSelect(page, page.getByTestId('form-next'));
  await expect(page.locator('[data-step="review"]')).toBeVisible();
  await moveToAndSelect(page, page.getByTestId('review-sign'));
  // No finger on the screen: the name from the card stands in for the handwriting.
  await moveToAndSelect(page, page.getByTestId('signature-by-name'));
  await expect(page.getByTestId('signature-by-name-done')).toBeVisible();
  await expectCleanLayout(page);
  await saveScreenshot(page, 'sign-by-name-portrait-zh-CN.png');
  // Submitting without one is refused (signature-missing), so reaching the done step shows it counted.
  await moveToAndSelect(page, page.getByTestId('submit'));
  await expect(page.locator('[data-step="done"]')).toBeVisible();
  await expect(page.getByTestId('signature-missing')).toHaveCount(0);
});
