import { expect, test } from '@playwright/test';
import { useAgent } from './agent.ts';
import { atOpenDoor, osk, signInStaff } from './cabinet.ts';
import { openKiosk, screen, switchLanguage } from './kiosk.ts';

/**
 * Staff load a certificate by placing the applicant's ID card instead of typing the number (issue 13):
 * the agent reads the card inside Pickup.Deposit and sends the screen only the masked holder; the
 * loading runs inside a storage exchange on the compartments while the cabinet screen shows.
 */
/** The simulator's `standard` sample card (fictional). */
const WANG_ID = '110105199003070017';

const agent = useAgent();

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
});

test("staff load a certificate by placing the applicant's ID card: the screen shows the holder masked, never the number", async ({ page }) => {
  test.setTimeout(90_000);
  await openKiosk(page, agent());
  await switchLanguage(page, 'en');
  await signInStaff(page, agent());
  await page.getByTestId('staff-task-cabinet').click();
  // Loading runs inside a storage exchange on the compartments while this screen shows.
  await expect(page.getByTestId('cabinet-exchange')).toBeVisible();
  await page.getByTestId('cabinet-edit-reference').click();
  await osk(page, ['s', 'z', '{sym}', '-', '3', '0', '0', '1']);
  await osk(page, ['{done}']);
  await page.getByTestId('cabinet-id-by-card').click();
  await expect(page.getByTestId('cabinet-id-number')).toHaveAttribute('data-source', 'card');
  await page.getByTestId('cabinet-title-idCard').click();
  await page.getByTestId('cabinet-load').click();
  await expect(page.getByTestId('cabinet-door')).toContainText("applicant's ID card");
  // The staff member lifts their own card and places the applicant's.
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(page.getByTestId('cabinet-applicant')).toContainText('*');
  expect(await page.content()).not.toContain(WANG_ID);
  const slot = await atOpenDoor(agent(), ['placeItem', 'closeDoor']);
  await expect(page.getByTestId('cabinet-note')).toContainText(slot);
  await page.getByTestId('staff-sign-out').click();
  await expect(screen(page, 'attract')).toBeVisible();
  await agent().command('Dev.RemoveCard', {});
});
