import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReports } from '../../forms/src/channel.ts';
import { FORM_ID, makeOps, type Ops } from '../../device-agent/src/services/forms-update/test-fleet.ts';
import { startAgent, type RunningAgent } from './agent.ts';
import { DISPLAY_PAIRS, expectCleanLayout, openKiosk, screen, switchLanguage } from './kiosk.ts';

/**
 * Issue 16 on the staff screen in Chromium: an agent on a form channel where ops published
 * residence-permit 1.1.0 installs it at its first poll; a technician opens 表单版本 / Form versions,
 * sees 1.1.0 as a signed update with the short hash ops saw when publishing, rolls it back (asked
 * twice) to the shipped 1.0.0, and sees it listed as rolled back; the agent does not install it again.
 */
const TECHNICIAN_PIN = '654321';

let ops: Ops;
let archive: string;
let agent: RunningAgent;
let opsDir: string;

test.beforeAll(async () => {
  opsDir = await mkdtemp(join(tmpdir(), 'onevisit-e2e-ops-'));
  ops = await makeOps(opsDir);
  archive = await ops.publish('1.1.0');
  agent = await startAgent({ args: ['--forms-channel', ops.channel, '--forms-trusted-keys', ops.pubFile, '--forms-poll-seconds', '1'] });
});

test.afterAll(async () => {
  await agent.stop();
  await rm(agent.dataDir, { recursive: true, force: true });
  await rm(opsDir, { recursive: true, force: true });
});

async function servedVersion(): Promise<string | undefined> {
  return (await agent.command('Forms.List', {})).forms.find((f) => f.id === FORM_ID)?.version;
}

async function signInTechnician(page: Page): Promise<void> {
  await agent.command('Dev.InsertCard', { identity: 'technician' });
  await expect(page.locator('[data-staff-step="pin"]')).toBeVisible();
  for (const digit of TECHNICIAN_PIN) await page.getByTestId(`staff-key-${digit}`).click();
  await expect(page.locator('[data-staff-step="dashboard"]')).toBeVisible();
}

test('a technician sees the form versions with their short hash and rolls an update back', async ({ page }) => {
  await expect.poll(servedVersion, { timeout: 30_000 }).toBe('1.1.0');
  const shortHash = createHash('sha256').update(readFileSync(archive)).digest('hex').slice(0, 8);

  await openKiosk(page, agent);
  await switchLanguage(page, 'en');
  await signInTechnician(page);
  await page.getByTestId('staff-task-forms').click();
  const row = page.getByTestId('staff-forms-list').locator(`tr[data-form="${FORM_ID}"]`);
  await expect(row).toHaveAttribute('data-version', '1.1.0');
  await expect(row).toHaveAttribute('data-source', 'update');
  await expect(row.getByTestId('staff-forms-hash')).toHaveText(shortHash);
  await expect(page.getByTestId('staff-forms-refused')).toContainText('No update was refused.');
  await expectCleanLayout(page);

  await row.getByTestId('staff-forms-rollback').click();
  await expect(page.getByRole('alertdialog')).toContainText('from 1.1.0 to 1.0.0');
  await page.getByTestId('staff-forms-confirm').click();
  await expect(page.getByTestId('staff-forms-done')).toHaveText('Rolled back to 1.0.0.');
  await expect(row).toHaveAttribute('data-version', '1.0.0');
  await expect(row).toHaveAttribute('data-source', 'shipped');
  await expect(page.getByTestId('staff-forms-rolled-back').locator(`li[data-form="${FORM_ID}"]`)).toHaveAttribute('data-cause', 'technician');
  await expectCleanLayout(page);
  expect(await servedVersion()).toBe('1.0.0');

  await page.getByTestId('staff-sign-out').click();
  await expect(screen(page, 'attract')).toBeVisible();
  await agent.command('Dev.RemoveCard', {});
  // The agent polls every second and reports to the channel: the version rolled back stays out.
  const reported = async (): Promise<string | undefined> => (await readReports(ops.channel)).reports[0]?.forms[FORM_ID]?.step;
  await expect.poll(reported, { timeout: 10_000 }).toBe('rolledBack');
  expect(await servedVersion()).toBe('1.0.0');
});

// After the rollback above (serial: they need its state): a signed update gone, a rolled-back row listed.
test.describe.configure({ mode: 'serial' });
for (const { orientation, lang } of DISPLAY_PAIRS) {
  test(`the form versions screen lays out cleanly, ${orientation}, ${lang}`, async ({ page }) => {
    await agent.command('Dev.RemoveCard', {});
    await openKiosk(page, agent, orientation);
    if (lang === 'en') await switchLanguage(page, 'en');
    await signInTechnician(page);
    await page.getByTestId('staff-task-forms').click();
    await expect(page.getByTestId('staff-forms-list').locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('staff-forms-rolled-back')).toBeVisible();
    await expectCleanLayout(page);
    await page.getByTestId('staff-sign-out').click();
    await expect(screen(page, 'attract')).toBeVisible();
  });
}
