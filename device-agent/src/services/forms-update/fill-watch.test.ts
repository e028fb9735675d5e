import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readIndex, readReports, rolloutStatus } from '../../../../forms/src/channel.ts';
import { loadPackage } from '@onevisit/forms';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedA4Printer } from '../../devices/printer/simulator.ts';
import { SimulatedReceiptPrinter } from '../../devices/receipt-printer/simulator.ts';
import { ApplicationService, type ApplicationSession } from '../application/application-service.ts';
import { VisitMemory } from '../application/visit-memory.ts';
import { openStore, type Store } from '../../store/db.ts';
import { ACTIVE_FILE, ActivePointerSchema } from './active-forms.ts';
import { fillWatchMigrations, SqliteFillWatchStore, type FillWatchStore } from './fill-watch-store.ts';
import { testFill } from './compose.ts';
import { FORM_ID, makeOps, makeTerminal, type Ops, type TestTerminal } from './test-fleet.ts';
import { effectiveReleases, type FillWatchConfig } from './updater.ts';

/**
 * Issue 16: after activation a terminal watches the next fills of the form; failures above the
 * threshold roll the version back by itself (between sessions, with the same switch), remember it
 * so that it is not installed again, report `rolledBack` with the reason, and warn staff. A
 * technician can roll a version back by hand.
 */

/** The citizen's own answers (name and ID number typed, no card), as a real Forms.Fill sends them. */
const ANSWERS = JSON.parse(readFileSync(new URL('../../../../forms/packages/residence-permit/sample.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/**
 * A version whose date box holds `2026年12月4日` but not a two-digit day: `check` passes (the box is on
 * the page) and so does the test fill of its sample on the 4th, but every citizen's fill from the 10th
 * fails (textOverflow in \`date\`). A package fault only later fills show. (A reference box too narrow
 * for real references is refused at the test fill: the last test.)
 */
const narrowDateBox = (dir: string): void => {
  const file = path.join(dir, 'definition.json');
  const def = JSON.parse(readFileSync(file, 'utf8')) as { pdf: { date: { widthMm: number } } };
  def.pdf.date.widthMm = 19; // measured: 2026年12月4日 needs 18.5 mm, 2026年12月14日 20 mm
  writeFileSync(file, `${JSON.stringify(def, null, 2)}\n`);
};

const setReferenceWidth = (dir: string, widthMm: number): void => {
  const file = path.join(dir, 'definition.json');
  const def = JSON.parse(readFileSync(file, 'utf8')) as { pdf: { reference: { widthMm: number } } };
  def.pdf.reference.widthMm = widthMm;
  writeFileSync(file, `${JSON.stringify(def, null, 2)}\n`);
};
/** Too narrow for `T0101-261204-0000-L` (26 mm), wide enough for the `TEST-FILL` the test fill used to print (13 mm). */
const narrowReferenceBox = (dir: string): void => setReferenceWidth(dir, 15);

const DAY_MS = 24 * 3600 * 1000;

const FAST_WATCH: FillWatchConfig = { fills: 4, failures: 2 };

async function terminalWithApplication(
  ops: Ops,
  opts: { dataDir?: string; fillWatchStore?: FillWatchStore } = {},
): Promise<{ t: TestTerminal; application: ApplicationService; session: ApplicationSession; dataDir: string }> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'forms-watch-'));
  const holder: { t?: TestTerminal } = {};
  const t = await makeTerminal(ops, {
    dataDir,
    deps: {
      fillWatch: FAST_WATCH,
      ...(opts.fillWatchStore === undefined ? {} : { fillWatchStore: opts.fillWatchStore }),
      citizenBusy: () => false,
      // The agent's own test fill (compose.ts), so the narrow box is shown to pass it.
      testFill: (pkg) => (holder.t === undefined ? Promise.resolve('no terminal') : testFill(holder.t.catalog, pkg, 'T0101', holder.t.clock)),
    },
  });
  holder.t = t;
  const application = new ApplicationService({
    catalog: t.catalog,
    clock: t.clock,
    terminalId: 'T0101',
    printer: new SimulatedA4Printer({ spoolDir: path.join(dataDir, 'spool'), clock: t.clock }),
    receiptPrinter: new SimulatedReceiptPrinter({ clock: t.clock }),
    onFill: (outcome) => t.updater.recordFill(outcome),
  });
  return { t, application, session: { identity: undefined, application: new VisitMemory() }, dataDir };
}

/**
 * A terminal whose fill watch is kept in a SQLite store in its data folder, running 1.2.0 (the narrow
 * date box) over 1.1.0 on the 14th; `restart()` stops it, closes the store and starts another terminal
 * on the same folder (the clock again on the 14th). Stores are closed after the test.
 */
async function watchedOnStore(): Promise<{
  ops: Ops;
  first: Awaited<ReturnType<typeof terminalWithApplication>>;
  restart: () => Promise<{ second: Awaited<ReturnType<typeof terminalWithApplication>>; store: SqliteFillWatchStore }>;
}> {
  const ops = await makeOps();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'forms-watch-'));
  const firstDb = openStore({ dataDir, migrations: [fillWatchMigrations] });
  openStores.push(firstDb);
  const first = await terminalWithApplication(ops, { dataDir, fillWatchStore: new SqliteFillWatchStore(firstDb.db) });
  await ops.publish('1.1.0');
  await first.t.updater.pollOnce();
  await ops.publishRaw('1.2.0', { edit: narrowDateBox });
  await first.t.updater.pollOnce();
  expect(first.t.catalog.version(FORM_ID)).toBe('1.2.0');
  first.t.clock.advance(10 * DAY_MS);
  return {
    ops,
    first,
    async restart() {
      await first.t.updater.stop();
      firstDb.close();
      const secondDb = openStore({ dataDir, migrations: [fillWatchMigrations] });
      openStores.push(secondDb);
      const second = await terminalWithApplication(ops, { dataDir, fillWatchStore: new SqliteFillWatchStore(secondDb.db) });
      second.t.clock.advance(10 * DAY_MS);
      return { second, store: new SqliteFillWatchStore(secondDb.db) };
    },
  };
}
const openStores: Store[] = [];
afterEach(() => {
  for (const store of openStores.splice(0)) if (store.db.open) store.close();
});

const pointerOf = (t: TestTerminal) => ActivePointerSchema.parse(JSON.parse(readFileSync(path.join(t.active.root, ACTIVE_FILE), 'utf8')));
const reportOf = async (ops: Ops) => (await readReports(ops.channel)).reports.find((r) => r.terminalId === 'T0101')?.forms[FORM_ID];

describe('watching fills after an activation (issue 16)', () => {
  it('fills of a new version that fail roll it back by itself between sessions, and it is not installed again', async () => {
    const ops = await makeOps();
    const { t, application, session, dataDir } = await terminalWithApplication(ops);
    await ops.publish('1.1.0');
    await t.updater.pollOnce();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    // 1.1.0 fills well: after FAST_WATCH.fills fills it is no longer watched.
    for (let i = 0; i < FAST_WATCH.fills; i++) expect((await application.fill(session, FORM_ID, ANSWERS)).ok).toBe(true);
    expect((await t.updater.formStates()).find((f) => f.formId === FORM_ID)).toMatchObject({ version: '1.1.0', watchedFillsLeft: 0 });

    const bad = await ops.publishRaw('1.2.0', { edit: narrowDateBox });
    expect(await t.updater.pollOnce()).toMatchObject({ staged: [`${FORM_ID}@1.2.0`], refused: [] }); // passed check and the test fill
    expect(t.catalog.version(FORM_ID)).toBe('1.2.0');
    const badSha = t.catalog.get(FORM_ID)?.archiveSha256;
    expect(badSha).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.updater.formStates()).find((f) => f.formId === FORM_ID)).toMatchObject({ version: '1.2.0', rollBackTo: '1.1.0', watchedFillsLeft: 4 });
    t.clock.advance(10 * DAY_MS); // the 14th: the date no longer fits

    // A citizen is mid-application: the first failure is counted, the second rolls back, after the session.
    t.busy = true;
    expect(await application.fill(session, FORM_ID, ANSWERS)).toEqual({ ok: false, code: 'fillFailed' });
    expect(t.updater.pending()).toEqual({});
    expect(await application.fill(session, FORM_ID, ANSWERS)).toEqual({ ok: false, code: 'fillFailed' });
    await t.updater.activatePending();
    expect(t.updater.pending()).toEqual({ [FORM_ID]: '1.1.0' });
    expect(t.catalog.version(FORM_ID)).toBe('1.2.0'); // the session finishes on the version it started with
    await t.updater.pollOnce(); // the channel still offers 1.2.0: the rollback keeps waiting
    expect(t.updater.pending()).toEqual({ [FORM_ID]: '1.1.0' });

    t.busy = false;
    await t.runRechecks();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    const pointer = pointerOf(t);
    expect(pointer.forms[FORM_ID]?.version).toBe('1.1.0');
    expect(pointer.forms[FORM_ID]?.previous.map((p) => p.version)).not.toContain('1.2.0');
    expect(pointer.rolledBack).toEqual([
      expect.objectContaining({ formId: FORM_ID, version: '1.2.0', archiveSha256: badSha, cause: 'fillFailures', reason: expect.stringMatching(/^fillFailures: 2 of the first 2 fills after activation failed \(last: textOverflow\)$/) as unknown }),
    ]);
    expect(await reportOf(ops)).toEqual({ active: '1.1.0', version: '1.2.0', step: 'rolledBack', reason: expect.stringMatching(/^fillFailures/) as unknown });
    expect(t.updater.autoRollbacks().map((r) => `${r.formId}@${r.version}`)).toEqual([`${FORM_ID}@1.2.0`]);
    const reports = (await readReports(ops.channel)).reports;
    expect(rolloutStatus(await readIndex(ops.channel), FORM_ID, reports, []).rolledBack).toEqual(['T0101']);
    // The fleet counts it as a failed activation (auto-halt when more than maxFailed terminals report one).
    const releases = (await readIndex(ops.channel)).forms[FORM_ID]?.releases ?? [];
    expect(effectiveReleases(FORM_ID, releases, reports, 0).find((r) => r.version === '1.2.0')?.status).toBe('withdrawn');
    expect(effectiveReleases(FORM_ID, releases, reports, 1).find((r) => r.version === '1.2.0')?.status).toBe('rolling');

    // Offered again: not installed. After a restart too (the pointer remembers it).
    expect(await t.updater.pollOnce()).toMatchObject({ staged: [], refused: [], pending: 0 });
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    await t.updater.stop();
    const again = await terminalWithApplication(ops, { dataDir });
    expect(await again.t.updater.pollOnce()).toMatchObject({ staged: [], pending: 0 });
    expect(again.t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(await reportOf(ops)).toMatchObject({ active: '1.1.0', version: '1.2.0', step: 'rolledBack' });
    expect(again.t.updater.autoRollbacks()).toHaveLength(1);

    // Another archive from ops is installed as usual, and ends the warning.
    await ops.publish('1.3.0');
    await again.t.updater.pollOnce();
    expect(again.t.catalog.version(FORM_ID)).toBe('1.3.0');
    expect(again.t.updater.autoRollbacks()).toEqual([]);
    expect(pointerOf(again.t).rolledBack?.map((r) => r.version)).toEqual(['1.2.0']);
    expect(bad).toMatch(/\.ovpkg$/);
  });

  it('counts only fills of the watched version, only package faults, and only the first fills', async () => {
    const ops = await makeOps();
    const { t } = await terminalWithApplication(ops);
    await ops.publish('1.1.0');
    await t.updater.pollOnce();
    const sha = t.catalog.get(FORM_ID)?.archiveSha256;
    const fill = (ok: boolean, over: { version?: string; archiveSha256?: string | undefined } = {}): void =>
      t.updater.recordFill({ formId: FORM_ID, version: over.version ?? '1.1.0', archiveSha256: 'archiveSha256' in over ? over.archiveSha256 : sha, ok, ...(ok ? {} : { code: 'missingPdfField' }) });
    // Failures of another version or of the shipped folder are not this version's.
    fill(false, { archiveSha256: undefined, version: '1.0.0' });
    fill(false, { archiveSha256: 'f'.repeat(64) });
    fill(true);
    fill(false);
    await t.updater.activatePending();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    fill(true);
    fill(true); // the fourth fill: the watch is over with one failure
    fill(false);
    fill(false);
    await t.updater.activatePending();
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(t.updater.autoRollbacks()).toEqual([]);
  });

  it('a technician rolls back by hand during their staff session: to the kept version, then to the shipped one; neither comes back', async () => {
    const ops = await makeOps();
    const { t } = await terminalWithApplication(ops);
    for (const v of ['1.1.0', '1.2.0']) {
      await ops.publish(v);
      await t.updater.pollOnce();
    }
    expect(t.catalog.version(FORM_ID)).toBe('1.2.0');
    t.busy = true; // the technician's staff session; no citizen
    expect(await t.updater.rollBackByHand(FORM_ID)).toEqual({ ok: true, from: '1.2.0', to: '1.1.0', switched: true });
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(await reportOf(ops)).toEqual({ active: '1.1.0', version: '1.2.0', step: 'rolledBack', reason: 'technician: rolled back by hand on the staff screen' });
    expect(t.updater.autoRollbacks()).toEqual([]); // chosen by staff: no warning
    expect((await t.updater.formStates()).find((f) => f.formId === FORM_ID)).toMatchObject({ version: '1.1.0', rollBackTo: '1.0.0' });

    expect(await t.updater.rollBackByHand(FORM_ID)).toEqual({ ok: true, from: '1.1.0', to: '1.0.0', switched: true });
    expect(t.catalog.version(FORM_ID)).toBe('1.0.0');
    expect(t.catalog.get(FORM_ID)?.archiveSha256).toBeUndefined();
    expect(await t.updater.rollBackByHand(FORM_ID)).toEqual({ ok: false, code: 'notUpdated' });
    t.busy = false;
    expect(await t.updater.pollOnce()).toMatchObject({ staged: [], pending: 0 });
    expect(t.catalog.version(FORM_ID)).toBe('1.0.0');
    expect(pointerOf(t).rolledBack?.map((r) => `${r.version}:${r.cause}`)).toEqual(['1.1.0:technician', '1.2.0:technician']);
  });

  it('refuses at the test fill a version whose reference box is too narrow for the terminal\'s real references; the active version stays', async () => {
    const ops = await makeOps();
    const { t } = await terminalWithApplication(ops);
    await ops.publish('1.1.0');
    await t.updater.pollOnce();
    await ops.publishRaw('1.2.0', { edit: narrowReferenceBox });
    const outcome = await t.updater.pollOnce();
    expect(outcome).toMatchObject({ ok: true, staged: [], pending: 0 });
    expect(outcome.refused).toEqual([{ formId: FORM_ID, version: '1.2.0', reason: `testFillFailed: textOverflow: ${FORM_ID}: the answer to "reference" does not fit its box on the PDF` }]);
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(await reportOf(ops)).toMatchObject({ active: '1.1.0', version: '1.2.0', step: 'failed', reason: expect.stringMatching(/^testFillFailed: textOverflow/) as unknown });

    // The width is the terminal's own: a 30 mm box holds T042-…-0000-C (25 mm), not a 12-character id's reference (36 mm).
    const fits = await loadPackage(ops.packageAt('1.3.0', (dir) => setReferenceWidth(dir, 30)));
    expect(await testFill(t.catalog, fits, 'T042', t.clock)).toBeUndefined();
    expect(await testFill(t.catalog, fits, 'T00000000042', t.clock)).toMatch(/^textOverflow: .*"reference"/);
  });

  it('a restart mid-watch keeps the counts in the SQLite store: the failure after it still rolls the version back', async () => {
    const { first, restart } = await watchedOnStore();
    expect(await first.application.fill(first.session, FORM_ID, ANSWERS)).toEqual({ ok: false, code: 'fillFailed' });
    expect((await first.t.updater.formStates()).find((f) => f.formId === FORM_ID)).toMatchObject({ version: '1.2.0', watchedFillsLeft: 3 });

    // The restart: the watch goes on from 1 fill, 1 failure; the next failure is the second.
    const { second, store } = await restart();
    expect(second.t.catalog.version(FORM_ID)).toBe('1.2.0');
    expect((await second.t.updater.formStates()).find((f) => f.formId === FORM_ID)).toMatchObject({ version: '1.2.0', watchedFillsLeft: 3 });
    expect(await second.application.fill(second.session, FORM_ID, ANSWERS)).toEqual({ ok: false, code: 'fillFailed' });
    await second.t.updater.activatePending();
    expect(second.t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(pointerOf(second.t).rolledBack).toEqual([
      expect.objectContaining({ version: '1.2.0', cause: 'fillFailures', reason: 'fillFailures: 2 of the first 2 fills after activation failed (last: textOverflow)' }),
    ]);
    expect(store.load()).toEqual([]); // the watch ended with the switch
  });

  it('a restart after the threshold but before the switch (the citizen still in session) rolls back at the first poll', async () => {
    const { ops, first, restart } = await watchedOnStore();
    first.t.busy = true;
    for (let i = 0; i < 2; i++) expect(await first.application.fill(first.session, FORM_ID, ANSWERS)).toEqual({ ok: false, code: 'fillFailed' });
    await first.t.updater.activatePending();
    expect(first.t.updater.pending()).toEqual({ [FORM_ID]: '1.1.0' });
    expect(first.t.catalog.version(FORM_ID)).toBe('1.2.0');

    const { second } = await restart(); // the agent restarts before the session ends
    expect(second.t.catalog.version(FORM_ID)).toBe('1.2.0');
    await second.t.updater.pollOnce();
    await second.t.updater.activatePending();
    expect(second.t.catalog.version(FORM_ID)).toBe('1.1.0');
    expect(pointerOf(second.t).rolledBack).toEqual([expect.objectContaining({ version: '1.2.0', cause: 'fillFailures', reason: 'fillFailures: 2 of the first 2 fills after activation failed (last: textOverflow)' })]);
    expect(await reportOf(ops)).toMatchObject({ active: '1.1.0', version: '1.2.0', step: 'rolledBack' });
  });

  it('a rollback by hand while a citizen session runs switches after it', async () => {
    const ops = await makeOps();
    const citizen = { active: true };
    const t = await makeTerminal(ops, { deps: { citizenBusy: () => citizen.active } });
    await ops.publish('1.1.0');
    await t.updater.pollOnce();
    t.busy = true;
    expect(await t.updater.rollBackByHand(FORM_ID)).toEqual({ ok: true, from: '1.1.0', to: '1.0.0', switched: false });
    expect(t.catalog.version(FORM_ID)).toBe('1.1.0');
    citizen.active = false;
    t.busy = false;
    await t.runRechecks();
    expect(t.catalog.version(FORM_ID)).toBe('1.0.0');
  });
});
