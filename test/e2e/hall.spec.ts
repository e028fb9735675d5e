import { expect, test, type Page } from '@playwright/test';
import { startPgTestCluster, type PgTestCluster } from '../../device-agent/src/store/pg-test-cluster.ts';
import { startAgent, type RunningAgent } from './agent.ts';
import { closeDevDock, openKiosk, screen } from './kiosk.ts';

/**
 * Issue 14, end to end: two terminals of one hall on one private PostgreSQL (initdb + pg_ctl, as in
 * the integration tests). A citizen books on terminal A's touchscreen the day before, and checks in
 * the next morning on terminal B's: B finds the booking by its code in the hall's calendar and gives
 * a queue ticket. The two agents run at once, each on its own clock (A on 28 September at 09:00,
 * B on the 29th at 08:45, within the booking's check-in window).
 */
let cluster: PgTestCluster | undefined;
let terminalA: RunningAgent | undefined;
let terminalB: RunningAgent | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startPgTestCluster();
  terminalA = await startAgent({ args: ['--hall-db', cluster.url, '--terminal-id', 'T0101', '--clock', '2026-09-28T09:00:00+08:00'] });
  terminalB = await startAgent({ args: ['--hall-db', cluster.url, '--terminal-id', 'T0102', '--clock', '2026-09-29T08:45:00+08:00'] });
});

test.afterAll(async () => {
  await terminalA?.stop();
  await terminalB?.stop();
  await cluster?.destroy();
});

function step(page: Page, name: string) {
  return page.locator(`[data-booking-step="${name}"]`);
}

test('booked on terminal A\'s screen, checked in on terminal B\'s', async ({ page }) => {
  test.setTimeout(120_000);
  const a = terminalA;
  const b = terminalB;
  if (!a || !b) throw new Error('the terminals did not start');

  await openKiosk(page, a);
  await closeDevDock(page);
  await page.getByTestId('start').click();
  await page.getByTestId('service-book').click();
  await page.getByTestId('booking-service-household-registration').click();
  await page.getByTestId('booking-day-2026-09-29').click();
  await page.getByTestId('booking-slot-09:00').click();
  await page.getByTestId('booking-confirm').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await a.command('Dev.InsertCard', { identity: 'longTerm' });
  await expect(step(page, 'slip')).toBeVisible();
  const code = ((await page.getByTestId('booking-code').textContent()) ?? '').replace(' ', '');
  expect(code).toMatch(/^[2-9ACFHKMRWXY]{6}$/);
  await page.getByTestId('booking-done').click();
  await a.command('Dev.RemoveCard', {});

  // The next morning, at the other terminal of the hall.
  await openKiosk(page, b);
  await closeDevDock(page);
  await page.getByTestId('start').click();
  await page.getByTestId('service-book').click();
  await page.getByTestId('booking-manage').click();
  for (const key of code) await page.getByTestId(`booking-key-${key}`).click();
  await page.getByTestId('booking-code-search').click();
  const item = page.getByTestId(`booking-item-${code}`);
  await expect(item).toContainText('签到时间 08:30–09:15');
  await item.getByTestId('booking-checkin').click();
  await expect(page.getByTestId('booking-notice')).toHaveAttribute('data-notice', 'checkedIn');
  await expect(item).toHaveAttribute('data-status', 'checkedIn');
  // Terminal A sees the same booking checked in: one calendar for the hall.
  const seenAtA = await a.command('Booking.Find', { code });
  expect(seenAtA.bookings[0]?.status).toBe('checkedIn');
});
