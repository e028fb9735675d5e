import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { inProcessAgents } from './in-process-agents.ts';
import { ManualClock } from '../../device-agent/src/clock.ts';
import { successPayload } from './client.ts';

/** Issue 15: the follow-up period of a bad rating is a hall setting (default 15 working days). */

const agents = inProcessAgents('onevisit-rating-settings-');

// Monday 23 November 2026, 10:00 in Shanghai (no holidays in the weeks after it).
const MONDAY = Date.parse('2026-11-23T10:00:00+08:00');

async function followUpBy(hallSettings: object | undefined): Promise<string | undefined> {
  const dataDir = agents.tempDir('onevisit-rating-settings-');
  if (hallSettings !== undefined) writeFileSync(path.join(dataDir, 'hall-settings.json'), JSON.stringify(hallSettings));
  const { started } = await agents.start({ dataDir }, { clock: new ManualClock(MONDAY) });
  const kiosk = await agents.connect(started);
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
