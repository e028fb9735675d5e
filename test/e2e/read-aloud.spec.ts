import { expect, test, type Page } from '@playwright/test';
import { useAgent } from './agent.ts';
import { TEXT, drawSignature, openKiosk, screen, switchLanguage } from './kiosk.ts';
import { recordSpeech } from './speech.ts';

/**
 * Issue 17: read-aloud and keyboard/switch access. What the page asks the agent to read is taken from
 * the WebSocket frames (every Speech.Say), and the agent's answers show that audio came back; the
 * card holder's name, number and address are never among the texts.
 */
const agent = useAgent({ args: ['--idle-timeout', '120', '--idle-countdown', '15'] });
const HOLDER = { name: '王小明', idNumber: '110105199003070017', address: '建国路88号' };

test.beforeEach(async () => {
  await agent().command('Dev.RemoveCard', {});
});

test('朗读 reads each screen in Chinese and in English, with audio from the agent', async ({ page }) => {
  const { said, answered } = recordSpeech(page);
  await openKiosk(page, agent());
  await page.getByTestId('read-aloud').click();
  await expect(page.getByTestId('read-aloud')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => said.length).toBeGreaterThan(0);
  const title = (await page.locator('#screen-title').textContent())?.trim() ?? '';
  expect(said[0]?.text).toContain(title);
  expect(said[0]?.language).toBe('zh-CN');
  await expect.poll(() => answered.has(said[0]?.requestId ?? -2)).toBe(true);

  await switchLanguage(page, 'en');
  await expect.poll(() => said.some((s) => s.language === 'en')).toBe(true);
  const english = said.find((s) => s.language === 'en');
  expect(english?.text).toMatch(/[A-Za-z]/);
  await expect.poll(() => answered.has(english?.requestId ?? -2)).toBe(true);

  // Off again: nothing more is read.
  await page.getByTestId('read-aloud').click();
  await expect(page.getByTestId('read-aloud')).toHaveAttribute('aria-pressed', 'false');
  const count = said.length;
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  await page.waitForTimeout(800); // past the watcher's longest wait (750 ms): proves silence, not speed
  expect(said.length).toBe(count);
});

test('elder mode reads every step slowly and never the card holder\'s data', async ({ page }) => {
  const { said } = recordSpeech(page);
  await openKiosk(page, agent());
  await page.getByTestId('elder-mode').click();
  await expect(screen(page, 'home')).toBeVisible();
  await expect.poll(() => said.length).toBeGreaterThan(0);
  expect(said.every((s) => s.rate === 'slow')).toBe(true);

  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  const beforeCard = said.length;
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await expect(page.getByTestId('masked-id')).toBeVisible();
  await expect.poll(() => said.length).toBeGreaterThan(beforeCard);
  for (const s of said) {
    expect(s.text).not.toContain(HOLDER.name);
    expect(s.text).not.toContain(HOLDER.idNumber);
    expect(s.text).not.toContain(HOLDER.address);
    expect(s.text).not.toMatch(/\d{8,}/);
  }
});

test('an alert is heard as well as seen: its words are read after the error cue', async ({ page }) => {
  const { said } = recordSpeech(page);
  await openKiosk(page, agent());
  await page.getByTestId('read-aloud').click();
  await page.getByTestId('start').click();
  await page.getByTestId('service-identify').click();
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  await agent().command('Dev.InsertCard', { identity: 'expired' });
  await expect(page.getByTestId('read-error')).toContainText(TEXT['zh-CN'].expired);
  // Its own utterance, starting with the alert's title (a screen read starts with the screen's title).
  await expect.poll(() => said.some((s) => s.text.startsWith(TEXT['zh-CN'].expired))).toBe(true);
});

test('keyboard and two-switch access: arrows move the focus with a visible ring, Enter selects', async ({ page }) => {
  await openKiosk(page, agent());
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
  const identify = page.getByTestId('service-identify');
  // "Move" until the identify tile has the focus, as a switch user would.
  for (let i = 0; i < 30 && !(await identify.evaluate((el) => el === document.activeElement)); i += 1) await page.keyboard.press('ArrowRight');
  await expect(identify).toBeFocused();
  const outline = await identify.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('read-stage')).toHaveText(TEXT['zh-CN'].waiting);
  // ArrowLeft goes back through the controls (wrapping), never stuck.
  await page.keyboard.press('ArrowLeft');
  expect(await page.evaluate(() => document.activeElement?.tagName)).toMatch(/BUTTON|A|INPUT/);
});

async function keys(page: Page, text: string): Promise<void> {
  for (const button of text) await page.getByTestId('osk').locator(`[data-skbtn="${button}"]`).click();
}


test('a whole application in elder mode, hearing each step, nothing personal read', async ({ page }) => {
  test.setTimeout(120_000);
  const { said } = recordSpeech(page);
  const phone = '13900001111';
  // As a citizen who listens does: each step is heard before the next tap (its title starts what is said).
  const hearsThisStep = async (): Promise<void> => {
    const title = ((await page.locator('#screen-title').first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
    expect(title).not.toBe('');
    await expect.poll(() => said.some((s) => s.text.startsWith(title))).toBe(true);
  };
  await agent().command('Dev.InsertCard', { identity: 'standard' });
  await openKiosk(page, agent());
  await page.getByTestId('elder-mode').click();
  await expect(screen(page, 'home')).toBeVisible();
  await hearsThisStep();
  await page.getByTestId('service-apply').click();
  await page.getByTestId('form-social-security-card-replacement').click();
  await expect(page.getByTestId('notice-start')).toBeVisible();
  await hearsThisStep();
  await page.getByTestId('notice-start').click();
  await expect(page.locator('[data-step="form"]')).toBeVisible();
  await hearsThisStep();
  await page.getByTestId('input-phone').click();
  await keys(page, phone);
  await page.getByTestId('form-next').click();
  await expect(page.getByTestId('option-reason-expired')).toBeVisible();
  await hearsThisStep();
  await page.getByTestId('option-reason-expired').click();
  await page.getByTestId('option-returnOldCard-true').click();
  await page.getByTestId('option-delivery-hall').click();
  await page.getByTestId('form-next').click();
  await expect(page.locator('[data-step="review"]')).toBeVisible();
  await hearsThisStep();
  await page.getByTestId('review-sign').click();
  await hearsThisStep();
  await drawSignature(page);
  await page.getByTestId('submit').click();
  await expect(page.locator('[data-step="done"]')).toBeVisible();
  await expect.poll(() => said.some((s) => /已提交|提交/.test(s.text))).toBe(true);
  // Each step was read: home, notice, form sections, review, signing, done.
  expect(new Set(said.map((s) => s.text)).size).toBeGreaterThanOrEqual(5);
  for (const s of said) {
    expect(s.rate).toBe('slow');
    expect(s.text).not.toContain(phone);
    expect(s.text).not.toContain(HOLDER.name);
    expect(s.text).not.toContain(HOLDER.idNumber);
  }
});
