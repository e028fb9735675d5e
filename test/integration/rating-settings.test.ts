import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { createAgent, type Agent } from '../../device-agent/src/app.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { defaultConfig } from '../../device-agent/src/config.ts';
import { silentLogger } from '../../device-agent/src/log.ts';
import { successPayload, TestClient } from './client.ts';

/** Issue 15: the follow-up period of a bad rating is a hall setting (default 15 working days). */

const agents: Agent[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Monday 23 November 2026, 10:00 in Shanghai (no holidays in the weeks after it).
const MONDAY = Date.parse('2026-11-23T10:00:00+08:00');

async function followUpBy(hallSettings: object | undefined): Promise<string | undefined> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'onevisit-rating-settings-'));
  const distDir = mkdtempSync(path.join(tmpdir(), 'onevisit-dist-'));
  dirs.push(dataDir, distDir);
  if (hallSettings !== undefined) writeFileSync(path.join(dataDir, 'hall-settings.json'), JSON.stringify(hallSettings));
  const agent = createAgent(defaultConfig({ port: 0, dev: true, dataDir }), { log: silentLogger(), distDir, clock: new ManualClock(MONDAY) });
  agents.push(agent);
  const started = await agent.start();
  const kiosk = await TestClient.authenticated(started.url, started.token);
  clients.push(kiosk);
  const reasons = successPayload('Rating.Reasons', await kiosk.send('Rating.Reasons', {}));
  const reason = reasons.reasons[0]?.id ?? '';
  return successPayload('Rating.Submit', await kiosk.send('Rating.Submit', { service: 'query', level: 1, reasons: [reason] })).followUpBy;
}

describe('the follow-up deadline of a bad rating', () => {
  it('is 15 working days by default and what hall-settings.json says otherwise', async () => {
    expect(await followUpBy(undefined)).toBe('2026-12-14');
    expect(await followUpBy({ ratings: { followUpWorkingDays: 5 } })).toBe('2026-11-30');
  }, 60_000);
});
