import { expect, test } from '@playwright/test';
import { rm } from 'node:fs/promises';
import { startAgent, type RunningAgent } from './agent.ts';
import { TEXT, openKiosk, screen } from './kiosk.ts';

// This file manages its own agent: the test kills it and starts another on the same port.
let agent: RunningAgent | undefined;
const dataDirs: string[] = [];

test.afterAll(async () => {
  await agent?.stop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

test('the agent going away shows out-of-service; a restart on the same port recovers', async ({ page }) => {
  agent = await startAgent();
  dataDirs.push(agent.dataDir);
  const port = agent.port;
  await openKiosk(page, agent);
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();

  await agent.kill();
  await expect(screen(page, 'outOfService')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TEXT['zh-CN'].outOfService);
  // The language switch keeps working while out of service.
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(TEXT.en.outOfService);

  agent = await startAgent({ port, dataDir: agent.dataDir });
  expect(agent.port).toBe(port);
  await expect(page.locator('[data-connection="ready"]')).toBeVisible({ timeout: 20_000 });
  await expect(screen(page, 'attract')).toBeVisible();
  await page.getByTestId('start').click();
  await expect(screen(page, 'home')).toBeVisible();
});

test('a graceful shutdown shows out-of-service at once', async ({ page }) => {
  agent ??= await startAgent();
  await openKiosk(page, agent);
  await agent.stop();
  await expect(screen(page, 'outOfService')).toBeVisible({ timeout: 2_000 });
});
