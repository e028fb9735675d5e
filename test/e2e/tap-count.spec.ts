import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateBackofficeKeyPair } from '../../device-agent/src/crypto/seal.ts';
import { previewText } from '../../device-agent/src/devices/receipt-printer/preview.ts';
import { TcpTestPrinter } from '../../device-agent/src/devices/receipt-printer/tcp-test-printer.ts';
import { startAgent, type RunningAgent } from './agent.ts';
import { expectCleanLayout, openKiosk, screen } from './kiosk.ts';

/**
 * Issue 10, "Done when": the taps of one application, card to receipt, typing the address
 * 北京市朝阳区建国路88号 (residence permit, portrait, Chinese). Every tap goes through `tap()`, which
 * counts it; the page also counts the trusted pointerdowns it receives, and the two must agree.
 * Before phrase input the pinyin keyboard gave one syllable at a time (the issue: 34 taps for
 * 北京市朝阳区12号); the same way is still possible and is measured here too, on the same field. So is
 * the address picker (选择省市区: 北京市 → 朝阳区 → no street, then 建国路88号 typed), which takes fewer.
 * The figures go to the test's annotations (and the console) for the closing note.
 */

const ADDRESS = '北京市朝阳区建国路88号';

let agent: RunningAgent | undefined;
let printer: TcpTestPrinter | undefined;
let keyDir: string | undefined;

test.beforeAll(async () => {
  printer = new TcpTestPrinter();
  const port = await printer.listen();
  keyDir = await mkdtemp(join(tmpdir(), 'onevisit-e2e-keys-'));
  const keyFile = join(keyDir, 'backoffice.pub');
  await writeFile(keyFile, generateBackofficeKeyPair().publicPem);
  agent = await startAgent({ args: ['--backoffice-key', keyFile, '--receipt-printer', `tcp:127.0.0.1:${port}`, '--terminal-id', 'T0042'] });
});

test.afterAll(async () => {
  await agent?.stop();
  if (agent) await rm(agent.dataDir, { recursive: true, force: true });
  await printer?.close();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

function running(): RunningAgent {
  if (!agent) throw new Error('the agent is not running');
  return agent;
}

class TapCounter {
  count = 0;
  constructor(private readonly page: Page) {}

  async tap(target: Locator): Promise<void> {
    this.count += 1;
    await target.click();
  }

  key(button: string): Promise<void> {
    return this.tap(this.page.getByTestId('osk').locator(`[data-skbtn="${button}"]`));
  }

  async keys(buttons: string): Promise<void> {
    for (const b of buttons) await this.key(b);
  }

  /** A candidate from the first page of the bar (no paging: a candidate further on would cost more taps). */
  candidate(text: string): Promise<void> {
    return this.tap(this.page.getByTestId('osk-candidate').filter({ hasText: new RegExp(`^${text}$`) }));
  }

  /** One signature stroke: a single touch, drawn. */
  async sign(): Promise<void> {
    this.count += 1;
    const box = await this.page.getByTestId('signature-pad').boundingBox();
    if (!box) throw new Error('no signature pad');
    const y = box.y + box.height * 0.55;
    await this.page.mouse.move(box.x + box.width * 0.2, y);
    await this.page.mouse.down();
    for (let i = 1; i <= 12; i += 1) await this.page.mouse.move(box.x + box.width * (0.2 + i * 0.04), y + (i % 2 === 0 ? -40 : 30));
    await this.page.mouse.up();
  }
}

/** 建国路88号 by phrase input: jgu → 建国; l → 路 and h → 号 (address characters lead their initial in an address field); 88 on the symbols layer. */
async function typeRoadAndNumber(c: TapCounter): Promise<void> {
  await c.keys('jgu');
  await c.candidate('建国');
  await c.key('l');
  await c.candidate('路');
  await c.key('{sym}');
  await c.keys('88');
  await c.key('{abc}');
  await c.key('h');
  await c.candidate('号');
}

/** What the page itself saw: trusted pointerdowns since the counter was installed. */
async function pagePointerDowns(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __taps?: number }).__taps ?? 0);
}

async function installPageCounter(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __taps?: number };
    w.__taps = 0;
    document.addEventListener('pointerdown', (e) => {
      if (e.isTrusted) w.__taps = (w.__taps ?? 0) + 1;
    }, true);
  });
}

test('one application, card to receipt, with the address 北京市朝阳区建国路88号: taps before and after phrase input', async ({ page }) => {
  test.setTimeout(120_000);
  const t = new TapCounter(page);
  await openKiosk(page, running(), 'portrait');
  await installPageCounter(page);
  await running().command('Dev.InsertCard', { identity: 'checkX' });

  await t.tap(page.getByTestId('start'));
  await expect(screen(page, 'home')).toBeVisible();
  await t.tap(page.getByTestId('service-apply'));
  await t.tap(page.getByTestId('form-residence-permit'));
  await t.tap(page.getByTestId('notice-start'));
  await expect(page.locator('[data-section="applicant"]')).toBeVisible();

  await t.tap(page.getByTestId('input-phone'));
  await t.keys('13812345678');
  await t.tap(page.getByTestId('form-next'));
  await expect(page.locator('[data-section="residence"]')).toBeVisible();

  const address = page.getByTestId('input-residenceAddress');
  await t.tap(address);
  await expect(page.getByTestId('osk')).toHaveAttribute('data-layer', 'pinyin');

  // Before: one syllable at a time (measured on its own counter, then cleared; not part of the application).
  const before = new TapCounter(page);
  for (const [letters, character] of [['bei', '北'], ['jing', '京'], ['shi', '市'], ['chao', '朝'], ['yang', '阳'], ['qu', '区'], ['jian', '建'], ['guo', '国'], ['lu', '路']] as const) {
    await before.keys(letters);
    await before.candidate(character);
  }
  await before.key('{sym}');
  await before.keys('88');
  await before.key('{abc}');
  await before.keys('hao');
  await before.candidate('号');
  await expect(address).toHaveValue(ADDRESS);
  const pageBefore = await pagePointerDowns(page);
  for (let i = 0; i < [...ADDRESS].length; i += 1) await page.getByTestId('osk').locator('[data-skbtn="{bksp}"]').click();
  await expect(address).toHaveValue('');
  const pageAfterClearing = await pagePointerDowns(page);

  // After: phrase input. bjscyq → 北京市 (leaves cyq) → 朝阳区; jgu → 建国; l → 路 and h → 号 (address
  // characters lead their initial in an address field); 88 on the symbols layer.
  const atAddress = t.count;
  await t.keys('bjscyq');
  // Word candidates are wider than characters: the bar still lays out cleanly.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await expectCleanLayout(page);
  await t.candidate('北京市');
  await expect(page.getByTestId('osk-pinyin')).toHaveText('cyq');
  await t.candidate('朝阳区');
  await typeRoadAndNumber(t);
  await expect(address).toHaveValue(ADDRESS);
  const addressTaps = t.count - atAddress;

  // The picker (measured on its own counter, after clearing the field again): the names by touch, the
  // rest by phrase input as above.
  const beforeClearingAgain = await pagePointerDowns(page);
  for (let i = 0; i < [...ADDRESS].length; i += 1) await page.getByTestId('osk').locator('[data-skbtn="{bksp}"]').click();
  await expect(address).toHaveValue('');
  const clearingAgain = (await pagePointerDowns(page)) - beforeClearingAgain;
  const picker = new TapCounter(page);
  await picker.tap(page.getByTestId('pick-residenceAddress'));
  await picker.tap(page.getByTestId('address-picker').getByRole('button', { name: '北京市', exact: true }));
  await picker.tap(page.getByTestId('address-picker').getByRole('button', { name: '朝阳区', exact: true }));
  await picker.tap(page.getByTestId('address-no-street'));
  await expect(address).toHaveValue('北京市朝阳区');
  await typeRoadAndNumber(picker);
  await expect(address).toHaveValue(ADDRESS);

  await t.tap(page.getByTestId('input-residenceSince'));
  await t.keys('20200501');
  await t.tap(page.getByTestId('option-basis-employment'));
  await t.tap(page.getByTestId('input-employer'));
  await t.key('{lang}');
  await t.keys('acme');
  await t.tap(page.getByTestId('form-next'));
  await expect(page.locator('[data-step="review"]')).toBeVisible();
  await t.tap(page.getByTestId('review-sign'));
  await t.sign();
  await t.tap(page.getByTestId('submit'));
  await expect(page.locator('[data-step="done"]')).toBeVisible();
  await expect(page.getByTestId('print-receipt')).toHaveAttribute('data-status', 'printed');
  const receipt = previewText(printer?.printer.printedPreviews().at(-1) ?? { lines: [] }).replace(/\s+/g, '');
  expect(receipt).toContain('申请受理回执');

  // The page saw every counted tap (the backspaces that cleared the first try are the only extra ones).
  const clearing = pageAfterClearing - pageBefore;
  expect(await pagePointerDowns(page)).toBe(t.count + before.count + clearing + clearingAgain + picker.count);

  const figures = {
    applicationTaps: t.count,
    addressTapsPhrase: addressTaps,
    addressTapsBySyllable: before.count,
    applicationTapsBySyllable: t.count - addressTaps + before.count,
    addressTapsPicker: picker.count,
    applicationTapsPicker: t.count - addressTaps + picker.count,
  };
  console.log(`tap count (residence permit, portrait, zh-CN): ${JSON.stringify(figures)}`);
  for (const [type, value] of Object.entries(figures)) test.info().annotations.push({ type, description: String(value) });
  expect(before.count).toBe(46);
  expect(addressTaps).toBeLessThanOrEqual(20);
  expect(picker.count).toBeLessThan(addressTaps);
});
