import { expect, type Page } from '@playwright/test';
import type { RunningAgent } from './agent.ts';
import { screen } from './kiosk.ts';

/** Staff sign-in and the simulated cabinet, for the specs that load certificates before a citizen collects them. */

/** The simulator's `standard` sample card's number (王小明, fictional). */
export const WANG_ID_NUMBER = '110105199003070017';

/** The demo staff member 张静's PIN (sample card `staff`). */
export const STAFF_PIN = '123456';

export function staffStep(page: Page, step: string) {
  return page.locator(`[data-staff-step="${step}"]`);
}

export function pickupStep(page: Page, step: string) {
  return page.locator(`[data-pickup-step="${step}"]`);
}

/** Presses on-screen keyboard buttons (`{done}`, `{sym}`… for the special keys). */
export async function osk(page: Page, buttons: readonly string[]): Promise<void> {
  for (const button of buttons) await page.getByTestId('osk').locator(`[data-skbtn="${button}"]`).click();
}

/** The person at the cabinet: waits for the door the agent opened, then does `actions` to it. */
export async function atOpenDoor(on: RunningAgent, actions: readonly ('placeItem' | 'takeItem' | 'closeDoor')[]): Promise<string> {
  let open: string | undefined;
  await expect
    .poll(async () => {
      const { compartments } = await on.command('Dev.Cabinet', {});
      open = compartments.find((c) => c.door === 'open')?.slot;
      return open;
    })
    .toBeDefined();
  if (open === undefined) throw new Error('no door opened');
  for (const action of actions) await on.command('Dev.Cabinet', { slot: open, action });
  return open;
}

/**
 * The citizen's door is open: the collect screen's phase says so once the cabinet has reported the door
 * open (the slot is shown already while the lock is still being released, `data-phase="opening"`).
 */
export async function expectCollectDoorOpen(page: Page): Promise<void> {
  await expect(pickupStep(page, 'collect').locator('.pickup-collect')).toHaveAttribute('data-phase', 'open');
}

/** The staff card on the reader, then the PIN: the staff dashboard. */
export async function signInStaff(page: Page, on: RunningAgent): Promise<void> {
  await on.command('Dev.InsertCard', { identity: 'staff' });
  await expect(staffStep(page, 'pin')).toBeVisible();
  for (const digit of STAFF_PIN) await page.getByTestId(`staff-key-${digit}`).click();
  await expect(staffStep(page, 'dashboard')).toBeVisible();
}

/** Staff sign in, load a driving licence for 王小明 under `reference` (typed on the keyboard) and sign out: its compartment and pickup code. */
export async function staffLoadForWang(page: Page, on: RunningAgent, reference: readonly string[]): Promise<{ slot: string; code: string }> {
  await signInStaff(page, on);
  await page.getByTestId('staff-task-cabinet').click();
  await page.getByTestId('cabinet-edit-id').click();
  await osk(page, [...WANG_ID_NUMBER, '{done}']);
  await page.getByTestId('cabinet-edit-reference').click();
  await osk(page, [...reference, '{done}']);
  await page.getByTestId('cabinet-title-drivingLicence').click();
  await page.getByTestId('cabinet-load').click();
  const slot = await atOpenDoor(on, ['placeItem', 'closeDoor']);
  await expect(page.getByTestId('cabinet-note')).toBeVisible();
  const code = (await on.command('Dev.SentMessages', {})).messages.at(-1)?.pickupCode ?? '';
  await page.getByTestId('staff-sign-out').click();
  await on.command('Dev.RemoveCard', {});
  await expect(screen(page, 'attract')).toBeVisible();
  return { slot, code };
}
