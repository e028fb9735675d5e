/**
 * Crash tests (issue 5): a child process accepting a stream of submissions, with the delivery
 * worker running beside, is killed with SIGKILL at random moments, hundreds of times: while the
 * store opens (WAL recovery, migrations, the first runs), as the worker starts, inside an accept
 * (sealing, writing, waiting on the commit's fsync), between the commit and the printed promise,
 * and mid-stream. After every restart the child first checks the store as recovery left it
 * (testing/crash-check.ts) against every promise made so far; the test checks the promises
 * themselves (same reference on a retry, a new reference always above every earlier one: no number
 * reused) and, at the end, that everything delivers once to the folder intake and opens with the
 * back office key as what was sealed. A second test kills a child that only delivers a backlog
 * (in the file write, the fsyncs, the rename, the commit): delivery resumes after each restart and
 * each submission arrives exactly once.
 *
 * Bounded: ONEVISIT_CRASH_KILLS (default 300) kills or ONEVISIT_CRASH_MS (default 30 s) for the
 * first test, whichever comes first; the delivery test gets a third of each. ONEVISIT_CRASH_LANES
 * (default 2) children run side by side, each on its own data folder. The child is bundled once
 * and run with plain `node` (testing/crash-harness.ts): a restart costs a Node start-up (~0.1 s of
 * CPU), not a TypeScript compile (~0.45 s under tsx). Each test prints what it achieved.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../clock.ts';
import { openSealed } from '../crypto/seal.ts';
import { verifyAudit } from '../store/audit.ts';
import { openStore } from '../store/db.ts';
import { sealedFileName } from './delivery.ts';
import { parseReference } from './reference.ts';
import { createSubmissionRuntime, submissionMigrations } from './service.ts';
import { appendPromisedFile, checkCrashState, type CrashStateSummary } from './testing/crash-check.ts';
import { bundleCrashChild, median, runChildUntilKilled, type ChildRun, type KillPlan } from './testing/crash-harness.ts';
import { makeKeys, tempDir, type TestKeys } from './testing/fixtures.ts';

const MAX_KILLS = Number(process.env.ONEVISIT_CRASH_KILLS ?? 300);
const BUDGET_MS = Number(process.env.ONEVISIT_CRASH_MS ?? 30_000);
const DELIVERY_MAX_KILLS = Math.max(1, Math.ceil(MAX_KILLS / 3));
const DELIVERY_BUDGET_MS = Math.ceil(BUDGET_MS / 3);
/** Submissions waiting when the delivery test starts. */
const DELIVERY_BACKLOG = 80;
/** Children killed side by side, each on its own data folder: a restart is mostly Node starting, two use both cores. */
const LANES = Math.max(1, Number(process.env.ONEVISIT_CRASH_LANES ?? 2));

let bundleDir = '';
let childScript = '';

beforeAll(async () => {
  bundleDir = tempDir('onevisit-crash-bundle-');
  childScript = await bundleCrashChild(bundleDir);
});

afterAll(() => {
  if (bundleDir !== '') rmSync(bundleDir, { recursive: true, force: true });
});

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

type Folders = { root: string; dataDir: string; intakeDir: string; keyFile: string; promisedFile: string; keys: TestKeys };

function makeFolders(prefix: string): Folders {
  const root = tempDir(prefix);
  const keys = makeKeys();
  const keyFile = path.join(root, 'backoffice.pub');
  writeFileSync(keyFile, keys.publicPem);
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  return { root, dataDir, intakeDir: path.join(root, 'intake'), keyFile, promisedFile: path.join(root, 'promised.txt'), keys };
}

function childArgs(f: Folders, mode: 'accept' | 'deliver', start = 0): string[] {
  return ['--data-dir', f.dataDir, '--key', f.keyFile, '--intake-dir', f.intakeDir, '--promised', f.promisedFile, '--mode', mode, '--start', String(start)];
}

/** The check the restarted child made of the store as recovery left it, if it got that far before the kill. */
function verifiedSummary(run: ChildRun): CrashStateSummary | undefined {
  const line = run.lines.find((l) => l.startsWith('VERIFIED '));
  return line === undefined ? undefined : (JSON.parse(line.slice('VERIFIED '.length)) as CrashStateSummary);
}

/** `T0001-260123-0042-K` → a key that orders references by day, then sequence. */
function referenceOrder(reference: string): string {
  const parsed = parseReference(reference);
  if (!parsed) throw new Error(`malformed reference ${reference}`);
  return `${parsed.day}-${String(parsed.seq).padStart(12, '0')}`;
}

/**
 * At the end, in this process: the store is sound, every submission delivers (what the children
 * left), exactly once, and every file at the intake opens with the back office key as the
 * submission it is named after, byte for byte the sealed blob that was committed.
 */
async function deliverAndOpenEverything(f: Folders, promised: ReadonlyMap<string, string>): Promise<{ deliveredByChildren: number; rows: number }> {
  const store = openStore({ dataDir: f.dataDir, migrations: submissionMigrations });
  try {
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
    const before = checkCrashState(store.db, f.intakeDir, promised);
    if (!before.ok) expect.fail(before.problems.join('\n'));
    const runtime = createSubmissionRuntime({ db: store.db, dataDir: f.dataDir, terminalId: 'T0001', clock: systemClock, keys: [f.keys.pub], intakeDir: f.intakeDir, minFreeBytes: 0 });
    for (let i = 0; i < 20 && runtime.outbox.nextDueAt() !== undefined; i += 1) await runtime.worker.tick();
    await runtime.stop();

    const after = checkCrashState(store.db, f.intakeDir, promised);
    if (!after.ok) expect.fail(after.problems.join('\n'));
    const all = runtime.outbox.all();
    expect(after.summary).toMatchObject({ pending: 0, delivered: all.length, intakeFiles: all.length });
    expect(runtime.outbox.status().counts).toEqual({ pending: 0, delivered: all.length, deadLetter: 0 });
    for (const row of all) {
      const bytes = readFileSync(path.join(f.intakeDir, sealedFileName(row.reference)));
      expect(bytes.equals(runtime.outbox.blob(row.reference) ?? Buffer.alloc(0)), row.reference).toBe(true);
      const opened = openSealed(bytes, [f.keys.priv]);
      expect(opened.header.reference).toBe(row.reference);
      expect(opened.content.answers).toMatchObject({ i: Number(row.submissionId.split('-')[1]) });
    }
    expect(verifyAudit(store.db)).toMatchObject({ ok: true });
    return { deliveredByChildren: before.summary.delivered, rows: all.length };
  } finally {
    store.close();
  }
}

function accepterPlan(kill: number): KillPlan {
  const immediate = Math.random() < 0.5;
  const r = Math.random();
  // While the store opens: WAL recovery, migrations (the first runs), the check, the worker's start.
  if (kill < 3 || r < 0.1) return { after: 'OPEN', count: 1, delayMs: randomInt(0, 3), immediate };
  // As the delivery worker picks up the backlog and the first submission is sealed.
  if (r < 0.2) return { after: 'READY', count: 1, delayMs: randomInt(0, 3), immediate };
  // Inside the k-th accept: sealing, writing, or waiting for the commit's fsync.
  if (r < 0.55) return { after: 'BEGIN', count: randomInt(1, 15), delayMs: randomInt(0, 1), immediate };
  // Mid-stream: the k-th promise is out, the child is delivering or on the next accept.
  return { after: 'OK', count: randomInt(1, 15), delayMs: randomInt(0, 2), immediate };
}

/** Shared by the lanes of one test: the kills and the time they may still take. */
type Budget = { maxKills: number; untilMs: number; kills: number };

function takeKill(budget: Budget): boolean {
  if (budget.kills >= budget.maxKills || performance.now() >= budget.untilMs) return false;
  budget.kills += 1;
  return true;
}

/** Runs the lanes side by side; the first failure stops the others at their next kill. */
async function inLanes<T>(budget: Budget, lane: () => Promise<T>): Promise<T[]> {
  return Promise.all(
    Array.from({ length: LANES }, async () => {
      try {
        return await lane();
      } catch (error) {
        budget.untilMs = 0;
        throw error;
      }
    }),
  );
}

type AcceptLane = {
  folders: Folders;
  promised: Map<string, string>;
  nextIndex: number;
  kills: number;
  verified: number;
  /** Restarts that found the submission the child was on committed, though never promised. */
  committedNotPromised: number;
  /** Restarts that found the submission the child was on absent: the kill came before its commit was durable. */
  rolledBack: number;
  readyMs: number[];
};

/** One child after the other on one data folder, killed as `accepterPlan` says, each restart checked. */
async function acceptLane(budget: Budget): Promise<AcceptLane> {
  const lane: AcceptLane = { folders: makeFolders('onevisit-crash-'), promised: new Map(), nextIndex: 0, kills: 0, verified: 0, committedNotPromised: 0, rolledBack: 0, readyMs: [] };
  const { folders: f, promised } = lane;
  /** Which submission holds each reference, to see a number given twice. */
  const owner = new Map<string, string>();
  let highest = '';
  /** Whether the last child was killed after it began the submission it did not promise. */
  let begunNotPromised = false;
  while (takeKill(budget)) {
    const promisedBefore = promised.size;
    const run = await runChildUntilKilled({ script: childScript, args: childArgs(f, 'accept', lane.nextIndex), plan: accepterPlan(lane.kills) });
    lane.kills += 1;
    expect(run.killedBy, 'the child stalled').toBe('plan');
    if (run.readyMs !== undefined) lane.readyMs.push(run.readyMs);

    const summary = verifiedSummary(run);
    // No child goes to work before it has checked the store it found.
    if (run.readyMs !== undefined) expect(summary).toBeDefined();
    if (summary) {
      lane.verified += 1;
      expect(summary.promised).toBe(promisedBefore);
      // Committed but not yet promised: only ever the one submission the killed child was on.
      expect(summary.unpromised.filter((id) => id !== `crash-${lane.nextIndex}-xxxx`)).toEqual([]);
      if (summary.unpromised.length > 0) lane.committedNotPromised += 1;
      else if (begunNotPromised) lane.rolledBack += 1;
    }

    const fresh: [string, string][] = [];
    for (const line of run.lines) {
      const m = /^OK (crash-(\d+)-xxxx) (\S+)$/.exec(line);
      if (!m?.[1] || !m[2] || !m[3]) continue;
      const [, submissionId, index, reference] = m;
      // The stream resumes where the promises stopped, one submission after the other.
      expect(Number(index)).toBe(lane.nextIndex);
      lane.nextIndex += 1;
      const before = promised.get(submissionId);
      if (before !== undefined) {
        expect(reference, `${submissionId} again`).toBe(before);
        continue;
      }
      expect(owner.get(reference), `reference ${reference} given twice`).toBeUndefined();
      // Numbers only go up: a number taken before a crash is never handed out again.
      const order = referenceOrder(reference);
      expect(order > highest, `${reference} after ${highest}`).toBe(true);
      highest = order;
      owner.set(reference, submissionId);
      promised.set(submissionId, reference);
      fresh.push([submissionId, reference]);
    }
    appendPromisedFile(f.promisedFile, fresh);
    if (summary) begunNotPromised = run.lines.includes(`BEGIN crash-${lane.nextIndex}-xxxx`);
  }
  return lane;
}

it('loses no promised submission and duplicates none across hundreds of kill -9s', { timeout: BUDGET_MS + 120_000 }, async () => {
  const started = performance.now();
  const budget: Budget = { maxKills: MAX_KILLS, untilMs: started + BUDGET_MS, kills: 0 };
  const lanes = await inLanes(budget, () => acceptLane(budget));
  const elapsedMs = performance.now() - started;
  let promised = 0;
  let committed = 0;
  let deliveredByChildren = 0;
  const ends = await Promise.all(lanes.map((lane) => deliverAndOpenEverything(lane.folders, lane.promised)));
  lanes.forEach((lane, i) => {
    const end = ends[i];
    if (!end) throw new Error('a lane without its end');
    if (lane.kills > 3) expect(lane.verified).toBeGreaterThan(0);
    if (lane.kills >= 20) expect(lane.promised.size).toBeGreaterThan(lane.kills);
    // Besides the promises, at most the one submission committed just before the last kill.
    expect(end.rows - lane.promised.size).toBeLessThanOrEqual(1);
    promised += lane.promised.size;
    committed += end.rows;
    deliveredByChildren += end.deliveredByChildren;
  });
  expect(budget.kills).toBeGreaterThanOrEqual(Math.min(MAX_KILLS, 10));
  if (budget.kills >= 10) expect(promised).toBeGreaterThan(0);
  const sum = (pick: (lane: AcceptLane) => number): number => lanes.reduce((n, lane) => n + pick(lane), 0);
  console.info(
    `crash test (accept): ${budget.kills} kills in ${(elapsedMs / 1000).toFixed(1)} s over ${LANES} lanes ` +
      `(${((elapsedMs * LANES) / budget.kills).toFixed(0)} ms per restart in a lane, ready after ${median(lanes.flatMap((l) => l.readyMs))?.toFixed(0) ?? '?'} ms median); ` +
      `${sum((l) => l.verified)} restarts verified; ${promised} promised, ${committed} committed, ${deliveredByChildren} delivered by the children; ` +
      `the submission in hand at the kill was found committed but not yet promised ${sum((l) => l.committedNotPromised)} times, rolled back ${sum((l) => l.rolledBack)} times`,
  );
  for (const lane of lanes) rmSync(lane.folders.root, { recursive: true, force: true });
});

function delivererPlan(kill: number): KillPlan {
  const immediate = Math.random() < 0.3;
  const r = Math.random();
  if (kill < 2 || r < 0.1) return { after: 'OPEN', count: 1, delayMs: randomInt(0, 3), immediate };
  // In the first delivery: writing the file, its fsync, the rename, the folder's fsync, the commit.
  if (r < 0.3) return { after: 'READY', count: 1, delayMs: randomInt(0, 10), immediate };
  // A few recorded, the next ones in flight.
  return { after: 'DELIVERED', count: randomInt(1, 3), delayMs: randomInt(0, 4), immediate };
}

type DeliveryLane = { folders: Folders; promised: Map<string, string>; kills: number; verified: number; resumed: number; redelivered: number; childrenDeliveredAll: boolean };

async function deliveryLane(budget: Budget): Promise<DeliveryLane> {
  const f = makeFolders('onevisit-crash-delivery-');
  const lane: DeliveryLane = { folders: f, promised: new Map(), kills: 0, verified: 0, resumed: 0, redelivered: 0, childrenDeliveredAll: false };
  const store = openStore({ dataDir: f.dataDir, migrations: submissionMigrations });
  try {
    const runtime = createSubmissionRuntime({ db: store.db, dataDir: f.dataDir, terminalId: 'T0001', clock: systemClock, keys: [f.keys.pub], intakeDir: f.intakeDir, minFreeBytes: 0 });
    for (let i = 0; i < DELIVERY_BACKLOG; i += 1) {
      const submissionId = `crash-${i}-xxxx`;
      const result = await runtime.service.submit({ formId: 'crash-form', answers: { i }, submissionId, scans: [Buffer.alloc(8 * 1024 + (i % 7) * 1024, i)] });
      if (!result.ok) expect.fail(result.code);
      lane.promised.set(submissionId, result.reference);
    }
  } finally {
    store.close();
  }
  appendPromisedFile(f.promisedFile, lane.promised);

  let lastDelivered = 0;
  while (!lane.childrenDeliveredAll && takeKill(budget)) {
    const run = await runChildUntilKilled({ script: childScript, args: childArgs(f, 'deliver'), plan: delivererPlan(lane.kills) });
    lane.kills += 1;
    expect(run.killedBy, 'the child stalled').not.toBe('safety');
    const summary = verifiedSummary(run);
    if (summary) {
      lane.verified += 1;
      expect(summary).toMatchObject({ promised: DELIVERY_BACKLOG, rows: DELIVERY_BACKLOG, unpromised: [] });
      // A delivery recorded is never forgotten; one killed after the rename is found and done again.
      expect(summary.delivered).toBeGreaterThanOrEqual(lastDelivered);
      if (summary.delivered > lastDelivered && lastDelivered > 0) lane.resumed += 1;
      if (summary.deliveredNotRecorded > 0) lane.redelivered += 1;
      lastDelivered = summary.delivered;
    }
    lane.childrenDeliveredAll = run.killedBy === 'idle';
  }
  return lane;
}

it('resumes delivery after kill -9s mid-delivery, each submission arriving exactly once', { timeout: DELIVERY_BUDGET_MS + 120_000 }, async () => {
  const started = performance.now();
  const budget: Budget = { maxKills: DELIVERY_MAX_KILLS, untilMs: started + DELIVERY_BUDGET_MS, kills: 0 };
  const lanes = await inLanes(budget, () => deliveryLane(budget));
  const elapsedMs = performance.now() - started;
  let deliveredByChildren = 0;
  for (const lane of lanes) {
    const end = await deliverAndOpenEverything(lane.folders, lane.promised);
    expect(end.rows).toBe(DELIVERY_BACKLOG);
    if (lane.kills >= 10) expect(lane.resumed).toBeGreaterThanOrEqual(1);
    deliveredByChildren += end.deliveredByChildren;
  }
  const sum = (pick: (lane: DeliveryLane) => number): number => lanes.reduce((n, lane) => n + pick(lane), 0);
  console.info(
    `crash test (delivery): ${budget.kills} kills in ${(elapsedMs / 1000).toFixed(1)} s over ${LANES} lanes; ${sum((l) => l.verified)} restarts verified; ` +
      `${deliveredByChildren}/${DELIVERY_BACKLOG * LANES} delivered by the children (lanes finished: ${lanes.filter((l) => l.childrenDeliveredAll).length}), ` +
      `${sum((l) => l.resumed)} restarts resumed it; ${sum((l) => l.redelivered)} restarts found a file delivered but not yet recorded`,
  );
  for (const lane of lanes) rmSync(lane.folders.root, { recursive: true, force: true });
});

/** A guard on the guard: the check does fail on a broken promise and on a half-written intake file. */
it('the crash check refuses a missing promise and a half-written file at the intake', () => {
  const f = makeFolders('onevisit-crash-check-');
  const store = openStore({ dataDir: f.dataDir, migrations: submissionMigrations });
  try {
    const runtime = createSubmissionRuntime({ db: store.db, dataDir: f.dataDir, terminalId: 'T0001', clock: systemClock, keys: [f.keys.pub], intakeDir: f.intakeDir, minFreeBytes: 0 });
    const accepted = runtime.outbox.accept({ submissionId: 'crash-0-xxxx', formId: 'crash-form', formVersion: '1', answers: { i: 0 } });
    if (!accepted.ok) expect.fail(accepted.reason);
    const promised = new Map([['crash-0-xxxx', accepted.reference]]);
    expect(checkCrashState(store.db, f.intakeDir, promised)).toMatchObject({ ok: true });
    expect(checkCrashState(store.db, f.intakeDir, new Map([['crash-1-xxxx', accepted.reference]]))).toMatchObject({ ok: false });
    mkdirSync(f.intakeDir);
    writeFileSync(path.join(f.intakeDir, sealedFileName(accepted.reference)), 'OVSL');
    const check = checkCrashState(store.db, f.intakeDir, promised);
    expect(check.ok).toBe(false);
  } finally {
    store.close();
    rmSync(f.root, { recursive: true, force: true });
  }
});
