import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { readReports } from '../../forms/src/channel.ts';
import { FORM_ID, makeOps } from '../../device-agent/src/services/forms-update/test-fleet.ts';
import { successPayload, type TestClient } from './client.ts';
import { formsUpdateAgents } from './forms-update-agent.ts';
import { signInStaff, signOutStaff } from './staff-sign-in.ts';

/**
 * Issue 16 through the whole agent: a form update whose citizens' fills fail (its date box holds a
 * one-digit day but not a two-digit one, which neither `check` nor the agent's test fill of the
 * sample on the 4th sees) is rolled back by itself after the session, warned in Common.Status, reported to
 * the channel and not installed again; a technician sees each form's version and short hash on
 * FormUpdates.Status and rolls one back by hand with FormUpdates.Rollback; a staff member may not.
 */

const { tempDir, configFor, start, keep } = formsUpdateAgents();

const narrowDateBox = (dir: string): void => {
  const file = path.join(dir, 'definition.json');
  const def = JSON.parse(readFileSync(file, 'utf8')) as { pdf: { date: { widthMm: number } } };
  def.pdf.date.widthMm = 19; // 2026年12月4日 fits (18.5 mm), 2026年12月14日 does not (20 mm)
  writeFileSync(file, `${JSON.stringify(def, null, 2)}\n`);
};

/** The answers a citizen gives besides what the card fills: the package sample's. */
const SAMPLE = JSON.parse(readFileSync(new URL('../../forms/packages/residence-permit/sample.json', import.meta.url), 'utf8')) as Record<string, string>;
const ANSWERS = Object.fromEntries(['phone', 'residenceAddress', 'residenceSince', 'basis', 'employer'].map((k) => [k, SAMPLE[k] ?? '']));

const served = async (kiosk: TestClient): Promise<string | undefined> =>
  successPayload('Forms.List', await kiosk.send('Forms.List', {})).forms.find((f) => f.id === FORM_ID)?.version;

describe('form updates: rollback after failed fills, and by hand (issue 16)', () => {
  it('rolls a version whose fills fail back by itself between citizens; a technician rolls back by hand, a staff member may not', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const { agent, started, kiosk, updater, clock } = await start(configFor(ops, tempDir('onevisit-data-')));
    await ops.publish('1.1.0');
    await updater.pollOnce();
    expect(await served(kiosk)).toBe('1.1.0');
    await ops.publishRaw('1.2.0', { edit: narrowDateBox });
    expect(await updater.pollOnce()).toMatchObject({ staged: [`${FORM_ID}@1.2.0`], refused: [] }); // check and test fill pass
    expect(await served(kiosk)).toBe('1.2.0');
    clock.advance(10 * 24 * 3600 * 1000); // the 14th: the date no longer fits its box

    // A citizen's previews fail twice: the version is rolled back once the session ends.
    successPayload('Dev.InsertCard', await kiosk.send('Dev.InsertCard', { identity: 'standard' }));
    successPayload('IdCard.Read', await kiosk.send('IdCard.Read', {}));
    for (let i = 0; i < 2; i++) {
      const fill = await kiosk.send('Forms.Fill', { formId: FORM_ID, answers: ANSWERS });
      expect(fill.completion.header).toMatchObject({ completionCode: 'internalError', errorCode: 'fillFailed' });
    }
    await updater.activatePending();
    expect(await served(kiosk)).toBe('1.2.0'); // the session runs on
    successPayload('Session.End', await kiosk.send('Session.End', {}));
    await kiosk.send('Dev.RemoveCard', {});
    expect(await updater.activatePending()).toBe(1);
    expect(await served(kiosk)).toBe('1.1.0');
    const warnings = successPayload('Common.Status', await kiosk.send('Common.Status', {})).warnings.filter((w) => w.code === 'formRolledBack');
    expect(warnings.map((w) => w.detail)).toEqual([expect.stringMatching(/^Form update residence-permit 1\.2\.0 was rolled back by itself .*fillFailures: 2 of the first 2 fills after activation failed \(last: textOverflow\)$/)]);
    expect((await readReports(ops.channel)).reports[0]?.forms[FORM_ID]).toMatchObject({ active: '1.1.0', version: '1.2.0', step: 'rolledBack' });
    await updater.pollOnce();
    expect(await served(kiosk)).toBe('1.1.0'); // offered still, not installed again

    // A staff member sees the forms but may not roll back.
    const staff = await signInStaff(agent, started, 'staff');
    keep(staff);
    const status = successPayload('FormUpdates.Status', await staff.send('FormUpdates.Status', {}));
    const sha = agent.services.application.catalog.get(FORM_ID)?.archiveSha256 ?? '';
    expect(status.forms.find((f) => f.formId === FORM_ID)).toEqual({
      formId: FORM_ID,
      title: '居住证申领（1.1.0）',
      titleEn: 'Residence permit application (1.1.0)',
      version: '1.1.0',
      source: 'update',
      shortHash: sha.slice(0, 8),
      rollBackTo: '1.0.0',
      pendingVersion: null,
      watchedFillsLeft: 0,
    });
    expect(status.forms.filter((f) => f.source === 'shipped').length).toBeGreaterThan(0);
    expect(status.rolledBack).toEqual([expect.objectContaining({ formId: FORM_ID, version: '1.2.0', cause: 'fillFailures' })]);
    expect(status.channel).toBe(true);
    expect((await staff.send('FormUpdates.Rollback', { formId: FORM_ID })).completion.header).toMatchObject({ completionCode: 'unauthorized', errorCode: 'roleRequired' });
    await signOutStaff(staff);

    // A technician rolls 1.1.0 back to the shipped 1.0.0 during their session; a shipped form has nothing to roll back.
    const technician = await signInStaff(agent, started, 'technician');
    keep(technician);
    expect(successPayload('FormUpdates.Rollback', await technician.send('FormUpdates.Rollback', { formId: FORM_ID }))).toEqual({ formId: FORM_ID, from: '1.1.0', to: '1.0.0', switched: true });
    expect(await served(kiosk)).toBe('1.0.0');
    expect((await technician.send('FormUpdates.Rollback', { formId: FORM_ID })).completion.header).toMatchObject({ completionCode: 'invalidData', errorCode: 'notUpdated' });
    const after = successPayload('FormUpdates.Status', await technician.send('FormUpdates.Status', {}));
    expect(after.forms.find((f) => f.formId === FORM_ID)).toMatchObject({ version: '1.0.0', source: 'shipped', shortHash: null, rollBackTo: null });
    expect(after.rolledBack.map((r) => `${r.version}:${r.cause}`)).toEqual(['1.1.0:technician', '1.2.0:fillFailures']);
    await signOutStaff(technician);
    await updater.pollOnce();
    expect(await served(kiosk)).toBe('1.0.0');
  });

  it('a restart of the agent mid-watch keeps the counts (its SQLite store): the failure after it still rolls the version back', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const config = configFor(ops, tempDir('onevisit-data-'));
    const first = await start(config);
    await ops.publish('1.1.0');
    await first.updater.pollOnce();
    await ops.publishRaw('1.2.0', { edit: narrowDateBox });
    await first.updater.pollOnce();
    expect(await served(first.kiosk)).toBe('1.2.0');
    first.clock.advance(10 * 24 * 3600 * 1000);
    const citizenFills = async (kiosk: TestClient): Promise<void> => {
      successPayload('Dev.InsertCard', await kiosk.send('Dev.InsertCard', { identity: 'standard' }));
      successPayload('IdCard.Read', await kiosk.send('IdCard.Read', {}));
      const fill = await kiosk.send('Forms.Fill', { formId: FORM_ID, answers: ANSWERS });
      expect(fill.completion.header).toMatchObject({ completionCode: 'internalError', errorCode: 'fillFailed' });
      successPayload('Session.End', await kiosk.send('Session.End', {}));
      await kiosk.send('Dev.RemoveCard', {});
    };
    await citizenFills(first.kiosk);
    await first.agent.stop();

    const second = await start(config);
    second.clock.advance(10 * 24 * 3600 * 1000);
    expect(await served(second.kiosk)).toBe('1.2.0');
    expect((await second.updater.formStates()).find((f) => f.formId === FORM_ID)?.watchedFillsLeft).toBe(9); // 2/10: one fill counted before the restart
    await citizenFills(second.kiosk);
    await second.updater.activatePending(); // (the agent's own 2 s recheck may have switched already)
    expect(await served(second.kiosk)).toBe('1.1.0');
    expect(second.updater.autoRollbacks().map((r) => r.reason)).toEqual(['fillFailures: 2 of the first 2 fills after activation failed (last: textOverflow)']);
  });
});
