/**
 * The back-office link end to end (issue 15): an application is accepted and delivered to a real
 * reference intake (`npm run intake -- serve`); the back office sets the case to needMaterial with
 * `npm run intake -- case set`; at the kiosk the citizen looks it up with the ID card, scans the
 * missing material, and rates the service 不满意 with a reason; the intake lists the supplement
 * (`case show`) and the bad rating with its follow-up deadline (`ratings list --bad`).
 * Also: the keypad catches a typo by the check character, the honest offline message, and
 * screenshots of the progress screens in both languages and orientations pass the layout checker.
 *
 * The application is filed over the agent's API (a second client, as the UI's own application
 * tests cover its screens); its case carries the hall person key of the card, set by the test with
 * `case set --person-key`: the terminal sends the key with a submission only in a signed request, and
 * this intake has no terminal registered (the signed path is test/integration/progress.test.ts).
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startAgent, type RunningAgent } from './agent.ts';
import { intakeArgs, intakeCli, startIntake, stopIntake, type Intake } from './intake.ts';
import { DISPLAY_PAIRS, expectCleanLayout, insertCardWithDock, closeDevDock, openKiosk, saveScreenshot, screen, switchLanguage, type Lang, type Orientation } from './kiosk.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const STANDARD_ID_NUMBER = '110105199003070017';

let intake: Intake | undefined;
let agent: RunningAgent | undefined;

test.afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await stopIntake(intake);
  intake = undefined;
});

async function startBoth(): Promise<{ agent: RunningAgent; intake: Intake }> {
  intake = await startIntake();
  agent = await startAgent({ args: intakeArgs(intake) });
  return { agent, intake };
}

/** Files an application for the standard sample card over the agent's API and returns its reference. */
async function fileApplication(a: RunningAgent): Promise<string> {
  const sample = JSON.parse(await readFile(join(REPO_ROOT, 'forms', 'packages', 'residence-permit', 'sample.json'), 'utf8')) as Record<string, unknown>;
  const answers = { ...sample, name: '王小明', birthDate: '1990-03-07', idNumber: STANDARD_ID_NUMBER, hukouAddress: '北京市朝阳区建国路88号院3号楼2单元501室' };
  const { reference } = await a.command('Forms.Submit', { formId: 'residence-permit', answers });
  return reference;
}

async function personKeyOfStandardCard(a: RunningAgent): Promise<string> {
  const secret = Buffer.from((await readFile(join(a.dataDir, 'booking-person-secret'), 'utf8')).trim(), 'base64');
  return createHmac('sha256', secret).update(`resident:${STANDARD_ID_NUMBER}`).digest('hex');
}

async function delivered(i: Intake, reference: string): Promise<void> {
  await expect.poll(async () => (await intakeCli(['open', i.outDir, '--key', join(i.keyDir, 'backoffice.key'), '--out', join(i.outDir, '..', 'opened')]).catch(() => '')).includes(reference), { timeout: 20_000 }).toBe(true);
}

async function shoot(page: Page, name: string, orientation: Orientation, lang: Lang): Promise<void> {
  await expectCleanLayout(page);
  await saveScreenshot(page, `progress-${name}-${orientation}-${lang}.png`);
}

async function toProgress(page: Page): Promise<void> {
  await page.getByText(/轻触屏幕开始|Touch the screen to start/).click();
  await page.getByTestId('service-progress').click();
  await expect(screen(page, 'progress')).toBeVisible();
}

test('apply → needMaterial → query with the card → scan the material → rate 不满意 with a reason → the intake has both', async ({ page }) => {
  test.setTimeout(180_000);
  const { agent: a, intake: i } = await startBoth();
  const reference = await fileApplication(a);
  await delivered(i, reference);
  await intakeCli(['case', 'set', reference, '--status', 'received', '--person-key', await personKeyOfStandardCard(a), '--out', i.outDir]);
  await intakeCli(['case', 'set', reference, '--status', 'needMaterial', '--material', '户口簿复印件', '--out', i.outDir]);

  await openKiosk(page, a);
  await toProgress(page);
  await shoot(page, 'progress-choose', 'portrait', 'zh-CN');
  await page.getByTestId('progress-by-card').click();
  await insertCardWithDock(page, 'standard');
  await closeDevDock(page);
  const item = page.getByTestId('progress-case');
  await expect(item).toHaveAttribute('data-status', 'needMaterial');
  await expect(item).toContainText('需补正');
  await expect(item).toContainText(reference);
  await expect(item).toContainText('户口簿复印件');
  await shoot(page, 'progress-cases', 'portrait', 'zh-CN');

  await page.getByTestId('progress-supplement-m1').click();
  await a.command('Scanner.PlaceSampleDocument', { kind: 'residenceCertificate' });
  await page.getByTestId('supplement-scan').click();
  await expect(page.getByTestId('supplement-pages')).toBeVisible();
  await shoot(page, 'progress-supplement', 'portrait', 'zh-CN');
  await page.getByTestId('supplement-submit').click();
  await expect(page.getByTestId('supplement-done')).toBeVisible();

  // 好差评: 不满意 needs a reason; skip is there beside send.
  await expect(page.getByTestId('rating-skip')).toBeVisible();
  await page.getByTestId('rating-level-2').click();
  await expect(page.getByTestId('rating-submit')).toBeDisabled();
  await page.getByTestId('rating-reason-longWait').click();
  await shoot(page, 'progress-rating', 'portrait', 'zh-CN');
  await page.getByTestId('rating-submit').click();
  await expect(page.getByTestId('rating-result')).toContainText('感谢您的评价');
  await expect(page.getByTestId('rating-result')).toContainText(/\d{4}-\d{2}-\d{2}/);

  // The back office sees the supplement for the case and the bad rating with its deadline.
  await expect.poll(async () => JSON.parse(await intakeCli(['case', 'show', reference, '--out', i.outDir])) as { supplements?: { materialId: string }[] }, { timeout: 20_000 }).toMatchObject({
    supplements: [{ materialId: 'm1' }],
  });
  await expect
    .poll(async () => JSON.parse(await intakeCli(['ratings', 'list', '--bad', '--out', i.outDir])) as unknown[], { timeout: 20_000 })
    .toEqual([expect.objectContaining({ reference, service: 'supplement', level: 2, reasons: ['longWait'], followUpBy: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) })]);
});

test('好差评 from the home screen: find the case with the card, rate it 满意, the intake has the rating for that case', async ({ page }) => {
  test.setTimeout(180_000);
  const { agent: a, intake: i } = await startBoth();
  const reference = await fileApplication(a);
  await delivered(i, reference);
  await intakeCli(['case', 'set', reference, '--status', 'accepted', '--person-key', await personKeyOfStandardCard(a), '--out', i.outDir]);

  await openKiosk(page, a);
  await page.getByText(/轻触屏幕开始|Touch the screen to start/).click();
  await page.getByTestId('service-rate').click();
  await expect(screen(page, 'progress')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('好差评');
  await shoot(page, 'rate-choose', 'portrait', 'zh-CN');
  await page.getByTestId('progress-by-card').click();
  await insertCardWithDock(page, 'standard');
  await closeDevDock(page);
  await expect(page.getByTestId('progress-case')).toContainText(reference);
  await page.getByTestId('progress-rate-case').click();
  await expect(page.getByTestId('rating-about')).toHaveAttribute('data-service', 'application');
  await expect(page.getByTestId('rating-about')).toContainText(reference);
  await page.getByTestId('rating-level-4').click();
  await shoot(page, 'rate-case', 'portrait', 'zh-CN');
  await page.getByTestId('rating-submit').click();
  await expect(page.getByTestId('rating-result')).toContainText('感谢您的评价');
  await expect
    .poll(async () => JSON.parse(await intakeCli(['ratings', 'list', '--out', i.outDir])) as unknown[], { timeout: 20_000 })
    .toEqual([expect.objectContaining({ reference, service: 'application', level: 4 })]);
});

for (const { orientation, lang } of DISPLAY_PAIRS) {
  test(`by reference: a typo is caught, the case and the offline message (${orientation}, ${lang})`, async ({ page }) => {
    test.setTimeout(120_000);
    const { agent: a, intake: i } = await startBoth();
    const reference = await fileApplication(a);
    await delivered(i, reference);
    await intakeCli(['case', 'set', reference, '--status', 'readyForPickup', '--out', i.outDir]);
    await openKiosk(page, a, orientation);
    await switchLanguage(page, lang);
    await toProgress(page);
    await page.getByTestId('progress-by-reference').click();
    const compact = reference.replace(/-/g, '');
    const typo = `${compact.slice(0, -1)}${compact.endsWith('1') ? '2' : '1'}`;
    for (const ch of typo) await page.getByTestId(`progress-key-${ch}`).click();
    await page.getByTestId('progress-search').click();
    await expect(page.getByTestId('progress-problem')).toHaveAttribute('data-code', 'invalidReference');
    await shoot(page, 'progress-keypad', orientation, lang);
    await page.getByTestId('progress-key-delete').click();
    await page.getByTestId(`progress-key-${compact.slice(-1)}`).click();
    await page.getByTestId('progress-search').click();
    await expect(page.getByTestId('progress-case')).toHaveAttribute('data-status', 'readyForPickup');
    await shoot(page, 'progress-case', orientation, lang);

    // The back office goes away: the screen says so and shows what the terminal knows.
    await stopIntake(i);
    await page.getByTestId('progress-back').click();
    await page.getByTestId('progress-by-reference').click();
    await page.getByTestId('progress-search').click();
    await expect(page.getByTestId('progress-offline')).toBeVisible();
    await expect(page.getByTestId('progress-local')).toContainText(reference);
    await shoot(page, 'progress-offline', orientation, lang);
  });
}
