import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import './declared-errors.ts';
import { forms, FORM_ID, makeOps } from '../../device-agent/src/services/forms-update/test-fleet.ts';
import { successPayload, type TestClient } from './client.ts';
import { formsUpdateAgents } from './forms-update-agent.ts';
import { signInStaff, signOutStaff } from './staff-sign-in.ts';

/**
 * Issue 16 through the whole agent: ops sign and publish a new version of a form with
 * `npm run forms` into a channel folder; the agent (started with --forms-channel) picks it up at
 * its next poll, switches only once the citizen's session has ended, serves the new version over
 * Forms.*, shows it with its short hash in the staff diagnostics, keeps it over a restart, and
 * returns to the old one on `rollout rollback`. A refused package is a Common.Status warning.
 * Polls are driven by calling the agent's updater (no timers are waited for).
 */

const { tempDir, configFor, start, keep } = formsUpdateAgents();

async function servedVersion(kiosk: TestClient): Promise<{ version: string; title: string } | undefined> {
  const { forms: list } = successPayload('Forms.List', await kiosk.send('Forms.List', {}));
  const form = list.find((f) => f.id === FORM_ID);
  return form === undefined ? undefined : { version: form.version, title: form.title };
}

async function warnings(kiosk: TestClient): Promise<string[]> {
  return successPayload('Common.Status', await kiosk.send('Common.Status', {})).warnings.filter((w) => w.code === 'formUpdateRefused').map((w) => w.detail);
}

describe('signed form updates through the agent (issue 16)', () => {
  it('publish → next poll → switched between citizens → served, listed with its hash, kept over a restart; rollback returns the old version', async () => {
    const ops = await makeOps(tempDir('onevisit-ops-'));
    const dataDir = tempDir('onevisit-data-');
    const config = configFor(ops, dataDir);
    const first = await start(config);
    expect(await servedVersion(first.kiosk)).toEqual({ version: '1.0.0', title: '居住证申领' });

    const archive = await ops.publish('1.1.0', 'all');
    // A citizen is mid-application on 1.0.0.
    successPayload('Dev.InsertCard', await first.kiosk.send('Dev.InsertCard', { identity: 'standard' }));
    successPayload('IdCard.Read', await first.kiosk.send('IdCard.Read', {}));
    expect(successPayload('Forms.Prefill', await first.kiosk.send('Forms.Prefill', { formId: FORM_ID })).version).toBe('1.0.0');
    expect(await first.updater.pollOnce()).toMatchObject({ ok: true, staged: [`${FORM_ID}@1.1.0`], pending: 1 });
    expect(successPayload('Forms.Prefill', await first.kiosk.send('Forms.Prefill', { formId: FORM_ID })).version).toBe('1.0.0');
    expect(await first.agent.services.formsUpdate.updater?.activatePending()).toBe(0);

    // The session ends: the next citizen gets the new version.
    successPayload('Session.End', await first.kiosk.send('Session.End', {}));
    await first.kiosk.send('Dev.RemoveCard', {});
    expect(await first.updater.activatePending()).toBe(1);
    expect(await servedVersion(first.kiosk)).toEqual({ version: '1.1.0', title: '居住证申领（1.1.0）' });
    const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
    const report = await first.agent.services.staffMode.diagnostics(false);
    expect(report.formPackages.find((f) => f.id === FORM_ID)).toEqual({ id: FORM_ID, version: '1.1.0', hash: sha.slice(0, 8) });

    // Not during a staff session either.
    await ops.publish('1.2.0', 'all');
    const staff = await signInStaff(first.agent, first.started);
    keep(staff);
    await first.updater.pollOnce();
    expect((await servedVersion(first.kiosk))?.version).toBe('1.1.0');
    await signOutStaff(staff);
    expect(await first.updater.activatePending()).toBe(1);
    expect((await servedVersion(first.kiosk))?.version).toBe('1.2.0');

    // A restart serves the active version from the pointer, before any poll.
    await first.agent.stop();
    const second = await start(configFor(ops, dataDir));
    expect((await servedVersion(second.kiosk))?.version).toBe('1.2.0');

    // Ops roll back: the terminal returns to the version before.
    await forms('rollout', 'rollback', FORM_ID, '--channel', ops.channel);
    await second.updater.pollOnce();
    expect((await servedVersion(second.kiosk))?.version).toBe('1.1.0');

    // A package signed by a key the terminal does not trust is refused: a warning, the version stays.
    await ops.publishRaw('1.3.0', { key: generateKeyPairSync('ed25519').privateKey });
    await second.updater.pollOnce();
    expect((await servedVersion(second.kiosk))?.version).toBe('1.1.0');
    const refused = await warnings(second.kiosk);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^Form update residence-permit 1\.3\.0 refused, .*unknownSigner/);
    const status = await forms('rollout', 'status', FORM_ID, '--channel', ops.channel);
    expect(status.join('\n')).toMatch(/unknownSigner/);
  });
});
