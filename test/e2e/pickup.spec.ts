import { expect, test, type Page } from '@playwright/test';
import { useAgent } from './agent.ts';
import { atOpenDoor, expectCollectDoorOpen, osk, pickupStep, signInStaff, staffStep } from './cabinet.ts';
import { DISPLAY_PAIRS, expectCleanLayout, openKiosk, saveScreenshot, screen, switchLanguage } from './kiosk.ts';

/**
 * The certificate pickup cabinet (issue 13) in Chromium against the demo agent's simulated cabinet:
 * staff 张静 (PIN 123456) load two certificates for 王小明 one after another; a citizen collects one
 * with the ID card and the other with the pickup code (which the demo's back office would text:
 * Dev.SentMessages), each door cycle decided by the simulated sensors (Dev.Cabinet is the person at
 * the cabinet), and the pickup receipt comes out of the receipt printer. Screenshots of the pickup
 * screens in both orientations and languages go to ONEVISIT_SHOTS_DIR when set.
 */
/** The simulator's `standard` sample card (fictional). */
const WANG_ID = '110105199003070017';

const agent = useAgent();

/** Staff load one certificate for 王小明: reference and ID number on the keyboard, title and size chosen. */
async function loadOne(page: Page, reference: readonly string[], title: string): Promise<string> {
  await page.getByTestId('cabinet-edit-reference').click();
  await osk(page, reference);
  await osk(page, ['{done}']);
  await page.getByTestId('cabinet-edit-id').click();
  await osk(page, [...WANG_ID]);
  await osk(page, ['{done}']);
  await page.getByTestId(`cabinet-title-${title}`).click();
  await page.getByTestId('cabinet-size-S').click();
  await page.getByTestId('cabinet-load').click();
  const slot = await atOpenDoor(agent(), ['placeItem', 'closeDoor']);
  await expect(page.getByTestId('cabinet-note')).toHaveAttribute('data-note', 'loaded');
  await expect(page.getByTestId('cabinet-note')).toContainText(slot);
  return slot;
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
});

test('staff load two certificates; a citizen collects one with the ID card and the other with the pickup code; receipts printed', async ({ page }) => {
  test.setTimeout(120_000);
  await openKiosk(page, agent());
  await switchLanguage(page, 'en');

  // Staff: two certificates, one after another.
  await signInStaff(page, agent());
  await page.getByTestId('staff-task-cabinet').click();
  await expect(staffStep(page, 'cabinet')).toBeVisible();
  const first = await loadOne(page, ['s', 'z', '{sym}', '-', '1', '0', '0', '1'], 'idCard');
  await expect(page.getByTestId('cabinet-reference')).toHaveText('Not filled in');
  const second = await loadOne(page, ['s', 'z', '{sym}', '-', '1', '0', '0', '2'], 'businessLicence');
  expect(second).not.toBe(first);
  await expect(page.getByTestId('cabinet-loaded-count')).toHaveText('2 loaded so far');
  // Both compartments are storage units holding an item.
  await page.getByTestId('cabinet-tab-compartments').click();
  await expect(page.locator(`[data-testid="cabinet-compartments"] [data-slot="${first}"]`)).toHaveAttribute('data-state', 'occupied');
  await expect(page.locator(`[data-testid="cabinet-compartments"] [data-slot="${second}"]`)).toHaveAttribute('data-state', 'occupied');
  await page.getByTestId('staff-sign-out').click();
  await expect(screen(page, 'attract')).toBeVisible();
  await agent().command('Dev.RemoveCard', {});

  const messages = (await agent().command('Dev.SentMessages', {})).messages;
  const code = messages.find((m) => m.reference === 'SZ-1002')?.pickupCode;
  expect(code).toMatch(/^\d{6}$/);
  const receiptsBefore = (await agent().command('Dev.PrintedOutput', {})).receipts.length;

  // Citizen 1: ID card → both items listed → collect the ID card's item.
  await page.getByTestId('start').click();
  await page.getByTestId('service-collect').click();
  await expect(pickupStep(page, 'find')).toBeVisible();
  await page.getByTestId('pickup-find-card').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(pickupStep(page, 'list')).toBeVisible();
  await expect(page.getByTestId('pickup-item')).toHaveCount(2);
  await page.locator('[data-testid="pickup-item"][data-reference="SZ-1001"]').getByTestId('pickup-collect').click();
  await expect(pickupStep(page, 'collect')).toBeVisible();
  // Each citizen starts in Chinese.
  await expect(page.getByTestId('pickup-slot')).toHaveText(`格口 ${first}`);
  await expect(page.getByRole('heading', { name: '柜门已打开，请取走您的证件并关好柜门' })).toBeVisible();
  await expect(page.getByTestId('pickup-cabinet')).toHaveAttribute('data-slot', first);
  // The sensors, not the screen, decide: nothing happens until the item is out and the door shut.
  await agent().command('Dev.Cabinet', { slot: first, action: 'takeItem' });
  await expect(page.getByTestId('pickup-taken')).toBeVisible();
  await agent().command('Dev.Cabinet', { slot: first, action: 'closeDoor' });
  await expect(pickupStep(page, 'done')).toBeVisible();
  await expect(page.getByTestId('pickup-receipt')).toHaveAttribute('data-receipt', 'printed');
  await page.getByTestId('pickup-finish').click();
  await agent().command('Dev.RemoveCard', {});
  await expect(screen(page, 'attract')).toBeVisible({ timeout: 15_000 });

  // Citizen 2 (the same person, without the card): the pickup code on the keypad.
  await page.getByTestId('start').click();
  await page.getByTestId('service-collect').click();
  await expect(pickupStep(page, 'find')).toBeVisible();
  for (const digit of code ?? '') await page.getByTestId(`pickup-key-${digit}`).click();
  await page.getByTestId('pickup-code-search').click();
  await expect(pickupStep(page, 'list')).toBeVisible();
  await expect(page.getByTestId('pickup-item')).toHaveCount(1);
  await expect(page.getByTestId('pickup-item')).toHaveAttribute('data-reference', 'SZ-1002');
  await page.getByTestId('pickup-collect').click();
  await expect(page.getByTestId('pickup-slot')).toHaveText(`格口 ${second}`);
  await atOpenDoor(agent(), ['takeItem', 'closeDoor']);
  await expect(pickupStep(page, 'done')).toBeVisible();
  await expect(page.getByTestId('pickup-receipt')).toHaveAttribute('data-receipt', 'printed');

  // Double-width lines are spaced out: compare without spaces.
  const receipts = (await agent().command('Dev.PrintedOutput', {})).receipts.slice(receiptsBefore).map((r) => ({ text: r.text.replace(/\s+/g, '') }));
  expect(receipts).toHaveLength(2);
  expect(receipts[0]?.text).toContain('领取凭证');
  expect(receipts[0]?.text).toContain('SZ-1001');
  expect(receipts[1]?.text).toContain('SZ-1002');
  const status = await agent().command('Common.Status', {});
  expect(status.warnings.filter((w) => w.code.startsWith('cabinet'))).toEqual([]);
  await page.getByTestId('pickup-finish').click();
});

for (const { orientation, lang } of DISPLAY_PAIRS) {
  test(`pickup screens, ${orientation}, ${lang}`, async ({ page }) => {
    test.setTimeout(120_000);
    const shoot = async (name: string): Promise<void> => {
      await saveScreenshot(page, `pickup-${orientation}-${lang}-${name}.png`);
      await expectCleanLayout(page);
    };
    await openKiosk(page, agent(), orientation);
    await switchLanguage(page, lang);
    await signInStaff(page, agent());
    await page.getByTestId('staff-task-cabinet').click();
    await shoot('01-staff-load');
    await page.getByTestId('cabinet-edit-id').click();
    await shoot('02-staff-keyboard');
    await osk(page, [...WANG_ID, '{done}']);
    await page.getByTestId('cabinet-edit-reference').click();
    await osk(page, ['s', 'z', '{done}']);
    await page.getByTestId('cabinet-title-drivingLicence').click();
    // What is chosen can be seen: the chosen chip is filled, the others are not (both were filled).
    const background = (id: string) => page.getByTestId(id).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background('cabinet-title-drivingLicence')).not.toBe(await background('cabinet-title-idCard'));
    expect(await background('cabinet-size-any')).not.toBe(await background('cabinet-size-S'));
    await page.getByTestId('cabinet-load').click();
    await expect(page.getByTestId('cabinet-door')).toBeVisible();
    await shoot('03-staff-door-open');
    const slot = await atOpenDoor(agent(), ['placeItem', 'closeDoor']);
    await expect(page.getByTestId('cabinet-note')).toBeVisible();
    await page.getByTestId('cabinet-tab-overdue').click();
    await shoot('04-staff-overdue');
    await page.getByTestId('cabinet-tab-compartments').click();
    await expect(page.locator(`[data-testid="cabinet-compartments"] [data-slot="${slot}"]`)).toBeVisible();
    await shoot('05-staff-compartments');
    await page.getByTestId('staff-sign-out').click();
    await agent().command('Dev.RemoveCard', {});

    await page.getByTestId('start').click();
    // Each citizen starts in Chinese: switch again for the English shots.
    await switchLanguage(page, lang);
    await page.getByTestId('service-collect').click();
    await page.getByTestId('pickup-key-1').click();
    await page.getByTestId('pickup-key-2').click();
    await shoot('06-find');
    await page.getByTestId('pickup-find-card').click();
    await agent().command('Dev.InsertCard', { identity: 'standard' });
    await expect(pickupStep(page, 'list')).toBeVisible();
    await shoot('07-list');
    await page.getByTestId('pickup-collect').first().click();
    await expectCollectDoorOpen(page);
    await expect(page.getByTestId('pickup-slot')).toContainText(slot);
    await shoot('08-door-open');
    await agent().command('Dev.Cabinet', { slot, action: 'takeItem' });
    await expect(page.getByTestId('pickup-taken')).toBeVisible();
    await shoot('09-taken');
    await agent().command('Dev.Cabinet', { slot, action: 'closeDoor' });
    await expect(pickupStep(page, 'done')).toBeVisible();
    await shoot('10-done');
    await page.getByTestId('pickup-finish').click();
    await agent().command('Dev.RemoveCard', {});
  });
}
