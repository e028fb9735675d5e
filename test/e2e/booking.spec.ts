import { expect, test, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskName, type CompletionPayload } from '@onevisit/protocol';
import { startAgent, useAgent, type RunningAgent } from './agent.ts';
import { AXE_LANGS, DISPLAY_PAIRS, ORIENTATIONS, closeDevDock, expectCleanLayout, openKiosk, saveScreenshot, screen, switchLanguage, type Lang, type Orientation } from './kiosk.ts';

/**
 * Booking (预约办理, issue 6) in Chromium against the real agent, its clock set to Monday
 * 28 September 2026, 09:00 in Shanghai. With one working day of notice and five working days of
 * horizon, the bookable days are 29 and 30 September, then (after the National Day holiday,
 * 1–7 October) 8 and 9 October and Saturday 10 October, a make-up working day (调休上班).
 * The calendar data are chinese-days' (the package covers 2026).
 *
 * Screenshots of every booking screen go to ONEVISIT_SHOTS_DIR when it is set
 * (`ONEVISIT_SHOTS_DIR=/tmp/shots-booking npx playwright test -c test/playwright.config.ts booking`).
 */
const CLOCK = '2026-09-28T09:00:00+08:00';
const agent = useAgent({ args: ['--clock', CLOCK] });

const TEXT = {
  'zh-CN': {
    services: '选择预约业务',
    calendar: '选择日期',
    times: '选择时间',
    confirm: '确认预约信息',
    withCard: '刷身份证确认预约',
    booked: '预约成功',
    moved: '改约成功',
    printed: '凭条已打印',
    paperOut: '凭条打印机缺纸',
    find: '我的预约',
    list: '我的预约',
    cancelled: '预约已取消',
    holiday: '国庆节',
    makeupLegend: '调休上班日',
    holidayLegend: '法定节假日',
    notFound: '没有找到这个预约',
    alreadyBooked: '您已预约过此项业务',
  },
  en: {
    services: 'Choose a service',
    calendar: 'Choose a day',
    times: 'Choose a time',
    confirm: 'Check your appointment',
    withCard: 'Confirm with my ID card',
    booked: 'You are booked',
    moved: 'Your appointment was moved',
    printed: 'Your slip is printed',
    paperOut: 'The slip printer is out of paper',
    find: 'My appointments',
    list: 'Your appointments',
    cancelled: 'The appointment is cancelled',
    holiday: 'National Day',
    makeupLegend: 'Make-up working day',
    holidayLegend: 'Public holiday',
    notFound: 'No appointment found',
    alreadyBooked: 'You have already booked this service',
  },
} as const satisfies Record<Lang, Record<string, string>>;

const CODE_PATTERN = /^[2-9ACFHKMRWXY]{3} [2-9ACFHKMRWXY]{3}$/;

function step(page: Page, name: string) {
  return page.locator(`[data-booking-step="${name}"]`);
}

async function shoot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, `${name}.png`);
}

/** Serious and critical axe violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}

/** Attract → home → 预约办理 → the service list. */
async function openBooking(page: Page): Promise<void> {
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  await page.getByTestId('service-book').click();
  await expect(step(page, 'services')).toBeVisible();
}

/** Service → day → time → confirm screen. */
async function pickSlot(page: Page, serviceId: string, date: string, time: string): Promise<void> {
  await page.getByTestId(`booking-service-${serviceId}`).click();
  await expect(step(page, 'calendar')).toBeVisible();
  await page.getByTestId(`booking-day-${date}`).click();
  await expect(step(page, 'times')).toBeVisible();
  await page.getByTestId(`booking-slot-${time}`).click();
  await expect(step(page, 'confirm')).toBeVisible();
}

/** On the confirm screen without a card read yet: the identify screen, a card, then the slip. */
async function confirmWithCard(page: Page, sampleKey: string, on: RunningAgent = agent()): Promise<string> {
  await page.getByTestId('booking-confirm').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await on.command('Dev.InsertCard', { identity: sampleKey });
  await expect(step(page, 'slip')).toBeVisible();
  const code = (await page.getByTestId('booking-code').textContent()) ?? '';
  expect(code).toMatch(CODE_PATTERN);
  return code;
}

/** "Finish" on a booking screen, then the citizen takes the card: the kiosk is back at the start. */
async function finishAndLiftCard(page: Page): Promise<void> {
  await page.getByTestId('booking-done').click();
  await expect(screen(page, 'done')).toBeVisible();
  await agent().command('Dev.RemoveCard', {});
  await expect(screen(page, 'attract')).toBeVisible();
}

/**
 * Booking.Find from a second connection once the page that left has released the citizen session: the
 * agent sees the page's socket close a moment after the page has gone (`sessionElsewhere` until then).
 */
async function findOnceReleased(on: RunningAgent, code: string): Promise<CompletionPayload<'Booking.Find'>> {
  let result: unknown;
  await expect
    .poll(async () => {
      try {
        result = await on.command('Booking.Find', { code });
        return 'found';
      } catch (error) {
        return String(error);
      }
    }, { timeout: 10_000 })
    .toBe('found');
  return result as CompletionPayload<'Booking.Find'>;
}

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
  await agent().command('Dev.SetDeviceState', { device: 'idCard', state: 'online' });
  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' });
});

test('book, print the slip, find by card, reschedule, find by code, cancel', async ({ page }) => {
  const text = TEXT['zh-CN'];
  await openKiosk(page, agent());
  await closeDevDock(page);
  await openBooking(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.services);

  // The calendar: holidays and the make-up Saturday are marked, with a legend.
  await page.getByTestId('booking-service-household-registration').click();
  await expect(step(page, 'calendar')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.calendar);
  const nationalDay = page.getByTestId('booking-day-2026-10-01');
  await expect(nationalDay).toHaveAttribute('data-status', 'holiday');
  await expect(nationalDay).toContainText(text.holiday);
  await expect(nationalDay).toContainText('休');
  const makeup = page.getByTestId('booking-day-2026-10-10');
  await expect(makeup).toHaveAttribute('data-status', 'free');
  await expect(makeup).toHaveAttribute('data-makeup', 'true');
  await expect(makeup).toContainText('班');
  await expect(page.getByTestId('booking-day-2026-09-28')).toHaveAttribute('data-status', 'unavailable');
  await expect(page.getByTestId('booking-day-2026-10-11')).toHaveAttribute('data-status', 'closed');
  await expect(page.getByTestId('booking-day-2026-09-29')).toContainText('余 52');
  await expect(page.getByTestId('booking-legend')).toContainText(text.makeupLegend);
  await expect(page.getByTestId('booking-legend')).toContainText(text.holidayLegend);

  // A day, a time, and the summary.
  await page.getByTestId('booking-day-2026-09-29').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.times);
  await expect(page.getByTestId('booking-slot-09:00')).toContainText('余 4 个');
  await page.getByTestId('booking-slot-09:00').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.confirm);
  await expect(page.getByTestId('booking-summary-time')).toHaveText('09:00–09:30');
  await expect(page.getByTestId('booking-materials')).toContainText('居民户口簿原件');
  await expect(page.getByTestId('booking-confirm')).toHaveText(text.withCard);

  // Confirming reads the card, then books: the slip shows the code in two groups.
  const code = await confirmWithCard(page, 'standard');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.booked);
  await expect(page.getByTestId('booking-slip-person')).toHaveText(maskName('王小明'));
  await expect(page.getByTestId('booking-slip-time')).toHaveText('09:00–09:30');
  await expect(page.getByTestId('booking-slip-window')).toHaveText(/[12]号窗口/);
  expect(await page.content()).not.toContain('王小明');

  // The slip goes to the receipt printer.
  await page.getByTestId('booking-print').click();
  await expect(page.getByTestId('booking-print-status')).toHaveAttribute('data-print', 'printed');
  await expect(page.getByTestId('booking-print-status')).toContainText(text.printed);
  await expectCleanLayout(page);

  // The same person cannot hold two bookings of one service: the agent says so, the UI explains.
  await finishAndLiftCard(page);
  await openBooking(page);
  await pickSlot(page, 'household-registration', '2026-09-30', '10:00');
  await page.getByTestId('booking-confirm').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(step(page, 'confirm')).toBeVisible();
  await expect(page.getByTestId('booking-problem')).toHaveAttribute('data-error', 'alreadyBooked');
  await expect(page.getByTestId('booking-problem')).toContainText(text.alreadyBooked);

  // "My appointments" from there finds it by the card already read.
  await page.getByTestId('booking-problem').getByRole('button').click();
  await expect(step(page, 'list')).toBeVisible();
  const item = page.getByTestId(`booking-item-${code.replace(' ', '')}`);
  await expect(item).toHaveAttribute('data-status', 'booked');
  await expect(item).toContainText('09:00–09:30');

  // Reschedule to the make-up Saturday: the current booking is marked, the new time confirmed.
  await item.getByTestId('booking-reschedule').click();
  await expect(step(page, 'calendar')).toBeVisible();
  await expect(page.getByTestId('booking-day-2026-09-29')).toContainText('原预约');
  // The tag and the day's count each in their own place (the tag was drawn over 余 52: issue 10).
  await expectCleanLayout(page);
  await page.getByTestId('booking-day-2026-10-10').click();
  await expect(page.getByTestId('booking-times-date')).toContainText('10月10日');
  await page.getByTestId('booking-slot-14:00').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('确认改约');
  await page.getByTestId('booking-confirm').click();
  await expect(step(page, 'slip')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.moved);
  await expect(page.getByTestId('booking-code')).toHaveText(code);
  await expect(page.getByTestId('booking-slip-date')).toContainText('10月10日');
  await expect(page.getByTestId('booking-slip-time')).toHaveText('14:00–14:30');

  // A new session without the card: find by the code typed on the keypad, then cancel.
  await finishAndLiftCard(page);
  await openBooking(page);
  await page.getByTestId('booking-manage').click();
  await expect(step(page, 'find')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.find);
  await expect(page.getByTestId('booking-code-search')).toBeDisabled();
  // A wrong code first: a polite "not found".
  for (const key of '222222') await page.getByTestId(`booking-key-${key}`).click();
  await page.getByTestId('booking-code-search').click();
  await expect(page.getByTestId('booking-problem')).toHaveAttribute('data-error', 'notFound');
  await expect(page.getByTestId('booking-problem')).toContainText(text.notFound);
  await page.getByTestId('booking-key-clear').click();
  for (const key of code.replace(' ', '')) await page.getByTestId(`booking-key-${key}`).click();
  await expect(page.getByTestId('booking-code-entry')).toHaveAttribute('data-value', code.replace(' ', ''));
  await page.getByTestId('booking-code-search').click();
  await expect(step(page, 'list')).toBeVisible();
  await expect(item).toContainText('14:00–14:30');

  // The code finds the booking, but only the card of the person who booked may cancel it (issue 9).
  await item.getByTestId('booking-cancel').click();
  await expect(screen(page, 'identify')).toBeVisible();
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(step(page, 'list')).toBeVisible();
  await expect(page.getByTestId('booking-cancel-dialog')).toBeVisible();
  await page.getByTestId('booking-cancel-keep').click();
  await expect(page.getByTestId('booking-cancel-dialog')).toBeHidden();
  await expect(item).toHaveAttribute('data-status', 'booked');
  await item.getByTestId('booking-cancel').click();
  await page.getByTestId('booking-cancel-confirm').click();
  await expect(page.getByTestId('booking-notice')).toContainText(text.cancelled);
  await expect(item).toHaveAttribute('data-status', 'cancelled');
  await expect(item.getByTestId('booking-reschedule')).toHaveCount(0);
  // The page owns the citizen session (issue 11): it leaves before another connection asks the agent.
  await page.goto('about:blank');
  const found = await findOnceReleased(agent(), code);
  expect(found.bookings[0]?.status).toBe('cancelled');
});

test('a slip that cannot print says why, and prints on retry', async ({ page }) => {
  const text = TEXT['zh-CN'];
  await openKiosk(page, agent());
  await closeDevDock(page);
  await openBooking(page);
  await pickSlot(page, 'social-security', '2026-09-30', '09:20');
  const code = await confirmWithCard(page, 'checkX');

  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'paperOut' });
  await page.getByTestId('booking-print').click();
  const status = page.getByTestId('booking-print-status');
  await expect(status).toHaveAttribute('data-print', 'failed');
  await expect(status.locator('[data-error]')).toHaveAttribute('data-error', 'paperOut');
  await expect(status).toContainText(text.paperOut);
  // The code stays in view, and the citizen is told the booking stands.
  await expect(status).toContainText(code);
  await expectCleanLayout(page);
  await shoot(page, 'portrait-zh-CN-slip-paper-out');
  await page.setViewportSize(ORIENTATIONS.landscape);
  await expectCleanLayout(page);
  await shoot(page, 'landscape-zh-CN-slip-paper-out');

  await agent().command('Dev.SetDeviceState', { device: 'receiptPrinter', state: 'online' });
  await page.getByTestId('booking-print').click();
  await expect(status).toHaveAttribute('data-print', 'printed');
});

test('check in on the day of the booking, within its check-in window', async ({ page }) => {
  // Two agents one after the other on one data directory: the day before, then the morning of the booking.
  const dataDir = await mkdtemp(join(tmpdir(), 'onevisit-e2e-checkin-'));
  try {
    let code = '';
    const dayBefore = await startAgent({ args: ['--clock', CLOCK], dataDir });
    try {
      await openKiosk(page, dayBefore);
      await closeDevDock(page);
      await openBooking(page);
      await pickSlot(page, 'household-registration', '2026-09-29', '09:00');
      code = (await confirmWithCard(page, 'longTerm', dayBefore)).replace(' ', '');
      // Not today yet: the list offers no check-in. (The page owns the citizen session, issue 11: it leaves first.)
      await page.goto('about:blank');
      const found = await findOnceReleased(dayBefore, code);
      expect(found.bookings[0]?.checkInFrom).toBe('2026-09-29T08:30:00+08:00');
    } finally {
      await dayBefore.stop();
    }

    const onTheDay = await startAgent({ args: ['--clock', '2026-09-29T08:45:00+08:00'], dataDir });
    try {
      await openKiosk(page, onTheDay);
      await closeDevDock(page);
      await openBooking(page);
      await page.getByTestId('booking-manage').click();
      for (const key of code) await page.getByTestId(`booking-key-${key}`).click();
      await page.getByTestId('booking-code-search').click();
      const item = page.getByTestId(`booking-item-${code}`);
      await expect(item).toContainText('签到时间 08:30–09:15');
      await item.getByTestId('booking-checkin').click();
      await expect(page.getByTestId('booking-notice')).toHaveAttribute('data-notice', 'checkedIn');
      await expect(page.getByTestId('booking-notice')).toContainText(/签到成功，请到[12]号窗口等候叫号/);
      await expect(item).toHaveAttribute('data-status', 'checkedIn');
      await expect(item.getByTestId('booking-checkin')).toHaveCount(0);
      await expectCleanLayout(page);
    } finally {
      await onTheDay.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

// The English booking screens are laid out below and scanned by a11y.spec.ts.
for (const lang of AXE_LANGS) {
  test(`the booking screens pass axe without serious or critical violations (${lang})`, async ({ page }) => {
    const identity = lang === 'zh-CN' ? 'minority' : 'foreign';
    await openKiosk(page, agent());
    await closeDevDock(page);
    await switchLanguage(page, lang);
    const scans: Record<string, string[]> = {};
    await openBooking(page);
    scans['services'] = await seriousViolations(page);
    await page.getByTestId('booking-service-business-registration').click();
    await expect(page.getByTestId('booking-legend')).toBeVisible();
    scans['calendar'] = await seriousViolations(page);
    await page.getByTestId('booking-day-2026-10-08').click();
    await expect(step(page, 'times')).toBeVisible();
    scans['times'] = await seriousViolations(page);
    await page.getByTestId('booking-slot-10:00').click();
    await expect(step(page, 'confirm')).toBeVisible();
    scans['confirm'] = await seriousViolations(page);
    await confirmWithCard(page, identity);
    scans['slip'] = await seriousViolations(page);
    await finishAndLiftCard(page);
    await switchLanguage(page, lang);
    await openBooking(page);
    await page.getByTestId('booking-manage').click();
    await expect(step(page, 'find')).toBeVisible();
    scans['find'] = await seriousViolations(page);
    await page.getByTestId('booking-find-card').click();
    await expect(screen(page, 'identify')).toBeVisible();
    await agent().command('Dev.InsertCard', { identity });
    await expect(step(page, 'list')).toBeVisible();
    scans['list'] = await seriousViolations(page);
    await page.getByTestId('booking-cancel').first().click();
    await expect(page.getByTestId('booking-cancel-dialog')).toBeVisible();
    scans['cancel dialog'] = await seriousViolations(page);
    expect(scans).toEqual({ services: [], calendar: [], times: [], confirm: [], slip: [], find: [], list: [], 'cancel dialog': [] });
  });
}

/** Each orientation and language books its own service on its own day for one card (one booking per service). */
const LAYOUT_CASES: readonly { orientation: Orientation; lang: Lang; serviceId: string; date: string; time: string }[] = [
  { orientation: 'portrait', lang: 'zh-CN', serviceId: 'household-registration', date: '2026-09-30', time: '15:00' },
  { orientation: 'landscape', lang: 'zh-CN', serviceId: 'social-security', date: '2026-10-08', time: '09:00' },
  { orientation: 'portrait', lang: 'en', serviceId: 'business-registration', date: '2026-10-09', time: '13:30' },
  { orientation: 'landscape', lang: 'en', serviceId: 'provident-fund', date: '2026-09-29', time: '13:30' },
];

const WALKED = LAYOUT_CASES.filter((c) => DISPLAY_PAIRS.some((pair) => pair.orientation === c.orientation && pair.lang === c.lang));
for (const { orientation, lang, serviceId, date, time } of WALKED) {
  test(`the booking screens fit, ${orientation}, ${lang}`, async ({ page }) => {
    const prefix = `${orientation}-${lang}`;
    const text = TEXT[lang];
    await openKiosk(page, agent(), orientation);
    expect(page.viewportSize()).toEqual(ORIENTATIONS[orientation]);
    await closeDevDock(page);
    await switchLanguage(page, lang);
    await openBooking(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.services);
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-01-services`);

    await page.getByTestId(`booking-service-${serviceId}`).click();
    await expect(page.getByTestId('booking-legend')).toBeVisible();
    await expect(page.getByTestId('booking-day-2026-10-01')).toContainText(text.holiday);
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-02-calendar`);

    await page.getByTestId(`booking-day-${date}`).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.times);
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-03-times`);

    await page.getByTestId(`booking-slot-${time}`).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.confirm);
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-04-confirm`);

    await confirmWithCard(page, 'longAddress');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.booked);
    await page.getByTestId('booking-print').click();
    await expect(page.getByTestId('booking-print-status')).toContainText(text.printed);
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-05-slip`);

    await finishAndLiftCard(page);
    await switchLanguage(page, lang);
    await openBooking(page);
    await page.getByTestId('booking-manage').click();
    for (const key of '7K') await page.getByTestId(`booking-key-${key}`).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.find);
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-06-find`);

    await page.getByTestId('booking-find-card').click();
    await expect(screen(page, 'identify')).toBeVisible();
    await agent().command('Dev.InsertCard', { identity: 'longAddress' });
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(text.list);
    await expect(page.locator('[data-testid^="booking-item-"]').first()).toBeVisible();
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-07-list`);

    await page.getByTestId('booking-cancel').first().click();
    await expect(page.getByTestId('booking-cancel-dialog')).toBeVisible();
    await expectCleanLayout(page);
    await shoot(page, `${prefix}-08-cancel-dialog`);
    await page.getByTestId('booking-cancel-keep').click();
  });
}
