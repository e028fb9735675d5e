// The terminal side of signed form updates (issue 16): read the channel every `pollMs` (jittered),
// take for each form the release offered to this terminal's ring (forms/src/channel.ts), download it,
// verify and stage it (stage.ts), test-fill its sample, and activate it only while no citizen or
// staff session runs, by switching the pointer (active-forms.ts) and handing the agent's catalogue
// the new packages in the same tick as the idle check. Each step is reported to the channel's
// reports/ folder in the format `npm run forms -- rollout status` reads. Modelled on Mender
// (install, check, commit or roll back) and staged roll-outs (a share of the fleet first).
import { createHash, type KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  compareVersions,
  DEFAULT_LIMITS,
  DEFAULT_MAX_FAILED,
  effectiveReleases,
  loadPackage,
  offeredRelease,
  type ChannelIndex,
  type FormPackage,
  type Release,
  type TerminalReport,
} from '@onevisit/forms';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { FillOutcome } from '../application/application-service.ts';
import type { FormCatalog } from '../application/form-catalog.ts';
import { KEPT_PREVIOUS, loadServedCatalog, ROLLED_BACK_KEPT, type ActiveForms, type ActivePointer, type RollbackCause, type RolledBack } from './active-forms.ts';
import type { ChannelSource } from './channel-source.ts';
import { MemoryFillWatchStore, type FillWatchStore } from './fill-watch-store.ts';
import { verifyAndStage } from './stage.ts';

export { effectiveReleases };

export type UpdateStep = TerminalReport['forms'][string]['step'];

/** Why a form update was refused (Common.Status `formUpdateRefused` and the staff screen). No personal data: packages hold none. */
export interface UpdateRefusal {
  readonly formId: string;
  readonly version: string;
  readonly reason: string;
}

/** A version this terminal rolls back (its fills failed, or a technician asked): remembered in the pointer with the switch. */
interface Condemned {
  readonly version: string;
  readonly archiveSha256: string;
  readonly cause: RollbackCause;
  readonly reason: string;
}

/** A switch waiting for the terminal to be free; `condemn` when it rolls back a version this terminal refuses from now on. */
type Pending = (
  | { readonly kind: 'install' | 'switchBack'; readonly formId: string; readonly version: string; readonly archiveSha256: string }
  /** Back to the shipped forms folder's version: the pointer forgets the form. */
  | { readonly kind: 'shipped'; readonly formId: string; readonly version: string }
) & { readonly condemn?: Condemned };

/** After an activation the next `fills` fills are watched; `failures` failed among them roll the version back (issue 16, like Mender's commit-or-roll-back). */
export interface FillWatchConfig {
  readonly fills: number;
  readonly failures: number;
}
export const DEFAULT_FILL_WATCH: FillWatchConfig = { fills: 10, failures: 2 };

/** What a technician's rollback did (Forms.Rollback). */
export type ManualRollbackResult =
  | { readonly ok: true; readonly from: string; readonly to: string; readonly switched: boolean }
  | { readonly ok: false; readonly code: 'notUpdated' | 'nothingToRollBackTo' | 'switchFailed' };

/** A form as the staff screen lists it: what runs, where from, and where a rollback would go. */
export interface FormUpdateState {
  readonly formId: string;
  readonly version: string;
  /** The archive's SHA-256 for an update; undefined for the shipped folder's version. */
  readonly archiveSha256: string | undefined;
  /** The version a rollback would switch to, if any. */
  readonly rollBackTo: string | undefined;
  /** A switch waiting for the terminal to be free. */
  readonly pending: string | undefined;
  /** Fills still watched after the activation (0: not watched). */
  readonly watchedFillsLeft: number;
}

export interface FormsUpdaterDeps {
  readonly channel: ChannelSource;
  readonly active: ActiveForms;
  /** The shipped forms folder (`--forms-dir`), served for every form the pointer does not name. */
  readonly formsDir: string;
  /** The agent's one catalogue: adopts the new packages when a switch happens. */
  readonly catalog: FormCatalog;
  readonly terminalId: string;
  readonly agentVersion: string;
  readonly trustedKeys: readonly KeyObject[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly pollMs: number;
  /** True while a citizen or staff session runs: nothing switches then. */
  readonly busy: () => boolean;
  /** Fills the package's sample; a reason when it cannot. */
  readonly testFill: (pkg: FormPackage) => Promise<string | undefined>;
  /** A release is halted for everyone when more terminals than this report its activation failed. Default 1. */
  readonly maxFailedActivations?: number;
  /** Watching fills after an activation. Default DEFAULT_FILL_WATCH (2 failed of the first 10). */
  readonly fillWatch?: FillWatchConfig;
  /** Where the watch's counts are kept: the terminal's SQLite store in the agent, so a restart mid-watch keeps them. Default: in memory. */
  readonly fillWatchStore?: FillWatchStore;
  /** True while a citizen session runs. A technician's rollback switches at once unless this is true (their own staff session does not hold it back). Default: busy. */
  readonly citizenBusy?: () => boolean;
  /** How often a waiting switch looks whether the terminal is free. Default 2 s. */
  readonly idleRecheckMs?: number;
  /** Test seams: real timers and Math.random by default. */
  readonly schedule?: (delayMs: number, run: () => void) => () => void;
  readonly random?: () => number;
}

/** A form's watch after its activation (fill-watch-store.ts keeps it). */
type Watch = { version: string; archiveSha256: string; fills: number; failures: number; lastCode: string | undefined };

export interface PollOutcome {
  readonly ok: boolean;
  /** What the channel's index could not be read for, if so. */
  readonly reason?: string;
  readonly staged: readonly string[];
  readonly refused: readonly UpdateRefusal[];
  readonly pending: number;
}

const realSchedule = (delayMs: number, run: () => void): (() => void) => {
  const timer = setTimeout(run, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export class FormsUpdater {
  readonly #d: FormsUpdaterDeps;
  readonly #schedule: (delayMs: number, run: () => void) => () => void;
  readonly #random: () => number;
  readonly #pending = new Map<string, Pending>();
  /** Archives refused or failing on this terminal (by SHA-256): not downloaded again until ops publish another. */
  readonly #failed = new Map<string, UpdateRefusal>();
  readonly #refusals = new Map<string, UpdateRefusal & { archiveSha256: string }>();
  readonly #report = new Map<string, TerminalReport['forms'][string]>();
  /** Fills counted since an activation, by form id; written through to #watchStore at every change. */
  readonly #watch = new Map<string, Watch>();
  readonly #watchStore: FillWatchStore;
  /** Watches the last run left over the threshold (it stopped before the rollback's switch): rolled back at the first poll. */
  #condemnAtStart: [string, Watch][] = [];
  #watchResumed = false;
  #pointer: ActivePointer | undefined;
  #cancelPoll: (() => void) | undefined;
  #cancelRecheck: (() => void) | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(deps: FormsUpdaterDeps) {
    this.#d = deps;
    this.#schedule = deps.schedule ?? realSchedule;
    this.#random = deps.random ?? Math.random;
    this.#watchStore = deps.fillWatchStore ?? new MemoryFillWatchStore();
    // A watch the last run left goes on where it stopped (the first poll drops one whose version is no longer active).
    for (const { formId, ...w } of this.#watchStore.load()) {
      if (w.failures >= this.#fillWatch.failures) this.#condemnAtStart.push([formId, { ...w }]);
      else this.#watch.set(formId, { ...w });
    }
  }

  /** Starts or updates a form's watch, in memory and in the store. The fill path never fails because of it: a store error is logged. */
  #saveWatch(formId: string, watch: Watch): void {
    this.#watch.set(formId, watch);
    try {
      this.#watchStore.save({ formId, ...watch });
    } catch (error) {
      this.#d.log.error({ formId, errorCode: (error as { code?: unknown }).code }, 'forms update: the fill watch could not be stored; it goes on in memory');
    }
  }

  #endWatch(formId: string): void {
    this.#watch.delete(formId);
    try {
      this.#watchStore.remove(formId);
    } catch (error) {
      this.#d.log.error({ formId, errorCode: (error as { code?: unknown }).code }, 'forms update: the end of a fill watch could not be stored');
    }
  }

  /** Polls now and then every pollMs ± 20 %, so that a fleet started together does not read the channel at once. */
  start(): void {
    this.#stopped = false;
    this.#nextPoll(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelPoll?.();
    this.#cancelRecheck?.();
    await this.#running.catch(() => undefined);
  }

  /** The refused packages as they stand (Common.Status warnings, staff screen). */
  refusals(): UpdateRefusal[] {
    return [...this.#refusals.values()].map(({ formId, version, reason }) => ({ formId, version, reason }));
  }

  /** The versions rolled back after their fills failed and not superseded since (Common.Status `formRolledBack`). */
  autoRollbacks(): RolledBack[] {
    const latest = new Map<string, RolledBack>();
    for (const r of this.#pointer?.rolledBack ?? []) if (!latest.has(r.formId)) latest.set(r.formId, r);
    return [...latest.values()].filter((r) => {
      const served = this.#d.catalog.version(r.formId);
      return r.cause === 'fillFailures' && served !== undefined && compareVersions(served, r.version) < 0;
    });
  }

  /** Every served form with its version, archive, rollback target and watch (the staff screen). */
  async formStates(): Promise<FormUpdateState[]> {
    this.#pointer ??= await this.#d.active.read();
    const out: FormUpdateState[] = [];
    for (const formId of this.#d.catalog.ids().sort()) {
      const entry = this.#d.catalog.get(formId);
      if (entry === undefined) continue;
      const target = await this.#rollbackTarget(formId);
      const watch = this.#watch.get(formId);
      out.push({
        formId,
        version: entry.pkg.definition.version,
        archiveSha256: entry.archiveSha256,
        rollBackTo: target?.version,
        pending: this.#pending.get(formId)?.version,
        watchedFillsLeft: watch === undefined ? 0 : Math.max(0, this.#fillWatch.fills - watch.fills),
      });
    }
    return out;
  }

  /** Rolled-back versions this terminal remembers (most recent first). */
  rolledBack(): RolledBack[] {
    return [...(this.#pointer?.rolledBack ?? [])];
  }

  get #fillWatch(): FillWatchConfig {
    return this.#d.fillWatch ?? DEFAULT_FILL_WATCH;
  }

  /**
   * Counts one fill of a served form. While a version is watched (its first `fills` fills after
   * activation), `failures` failed fills roll it back by itself: to the previous kept version, or
   * the shipped one, between sessions, with the same switch as an update. Synchronous: the fill
   * path never waits for it.
   */
  recordFill(outcome: FillOutcome): void {
    const watch = this.#watch.get(outcome.formId);
    if (watch === undefined || outcome.archiveSha256 !== watch.archiveSha256 || outcome.version !== watch.version) return;
    watch.fills += 1;
    if (!outcome.ok) {
      watch.failures += 1;
      watch.lastCode = outcome.code ?? 'unknown';
    }
    const { fills, failures } = this.#fillWatch;
    if (watch.failures >= failures) {
      // The row stays in the store until the rollback's switch is written (#activateNow): a restart
      // before it (the citizen's session still running) rolls the version back at the first poll.
      this.#saveWatch(outcome.formId, watch);
      this.#watch.delete(outcome.formId);
      this.#condemnByFills(outcome.formId, watch);
    } else if (watch.fills >= fills) {
      this.#endWatch(outcome.formId);
      this.#d.log.info({ formId: outcome.formId, version: watch.version, fills: watch.fills, failures: watch.failures }, 'forms update: the new version passed its watched fills');
    } else {
      this.#saveWatch(outcome.formId, watch);
    }
  }

  /** Rolls a version back whose watched fills failed; after the polls and switches already queued. */
  #condemnByFills(formId: string, watch: Watch): void {
    const reason = `fillFailures: ${watch.failures} of the first ${watch.fills} fills after activation failed (last: ${watch.lastCode ?? 'unknown'})`;
    this.#d.log.error({ formId, version: watch.version, fills: watch.fills, failures: watch.failures, code: watch.lastCode }, 'forms update: fills of the new version fail; rolling it back');
    const run = this.#running.then(async () => {
      const done = await this.#rollBack(formId, { version: watch.version, archiveSha256: watch.archiveSha256, cause: 'fillFailures', reason }, this.#d.busy);
      // Not active any more, or nothing to go back to: the watch is over.
      if (!done.ok) this.#endWatch(formId);
      return done;
    });
    this.#running = run.catch(() => undefined);
    void run.catch((error: unknown) => this.#d.log.error({ errorType: error instanceof Error ? error.name : typeof error }, 'forms update: the rollback failed'));
  }

  /** At the first poll: a stored watch of a version no longer active ends; one over the threshold rolls its version back. */
  #resumeWatches(pointer: ActivePointer): void {
    this.#watchResumed = true;
    for (const [formId, w] of [...this.#watch]) {
      if (pointer.forms[formId]?.archiveSha256 !== w.archiveSha256) this.#endWatch(formId);
    }
    for (const [formId, w] of this.#condemnAtStart.splice(0)) {
      if (pointer.forms[formId]?.archiveSha256 === w.archiveSha256) this.#condemnByFills(formId, w);
      else this.#endWatch(formId);
    }
  }

  /**
   * A technician rolls `formId` back by hand (Forms.Rollback): to the previous kept version (or the
   * shipped one), which this terminal then keeps until ops publish another archive. Switches at once
   * unless a citizen session runs (then between sessions, like every switch).
   */
  rollBackByHand(formId: string): Promise<ManualRollbackResult> {
    const run = this.#running.then(async (): Promise<ManualRollbackResult> => {
      this.#pointer ??= await this.#d.active.read();
      const pointed = this.#pointer.forms[formId];
      if (pointed === undefined) return { ok: false, code: 'notUpdated' };
      return this.#rollBack(formId, { version: pointed.version, archiveSha256: pointed.archiveSha256, cause: 'technician', reason: 'technician: rolled back by hand on the staff screen' }, this.#d.citizenBusy ?? this.#d.busy);
    });
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** Where a rollback of `formId` goes: the most recent kept version older than the active one and not rolled back before, else the shipped one if older. */
  async #rollbackTarget(formId: string): Promise<{ kind: 'switchBack'; version: string; archiveSha256: string } | { kind: 'shipped'; version: string } | undefined> {
    const pointed = this.#pointer?.forms[formId];
    if (pointed === undefined) return undefined;
    const kept = pointed.previous.find((p) => compareVersions(p.version, pointed.version) < 0 && !this.#isRolledBack(formId, p.archiveSha256));
    if (kept !== undefined) return { kind: 'switchBack', ...kept };
    const shipped = await this.#shippedVersion(formId);
    return shipped !== undefined && compareVersions(shipped, pointed.version) < 0 ? { kind: 'shipped', version: shipped } : undefined;
  }

  #isRolledBack(formId: string, archiveSha256: string): boolean {
    return (this.#pointer?.rolledBack ?? []).some((r) => r.formId === formId && r.archiveSha256 === archiveSha256);
  }

  async #rollBack(formId: string, condemn: Condemned, busy: () => boolean): Promise<ManualRollbackResult> {
    this.#pointer ??= await this.#d.active.read();
    const pointed = this.#pointer.forms[formId];
    // Only the version still active is rolled back (a poll may have switched since the fills were counted).
    if (pointed === undefined || pointed.archiveSha256 !== condemn.archiveSha256) return { ok: false, code: 'notUpdated' };
    const target = await this.#rollbackTarget(formId);
    if (target === undefined) {
      this.#d.log.error({ formId, version: pointed.version, cause: condemn.cause }, 'forms update: nothing older is kept to roll back to; the version stays');
      return { ok: false, code: 'nothingToRollBackTo' };
    }
    // Counted no more; the stored watch ends with the switch (#activateNow), so a restart before it still knows.
    this.#watch.delete(formId);
    this.#pending.set(formId, { ...target, formId, condemn });
    const switched = await this.#activateNow({ only: formId, busy });
    if (switched > 0) return { ok: true, from: condemn.version, to: target.version, switched: true };
    // Not switched: a session runs (it switches between sessions), or the pointer could not be written.
    return this.#pending.has(formId) ? { ok: true, from: condemn.version, to: target.version, switched: false } : { ok: false, code: 'switchFailed' };
  }

  /** Switches waiting for the terminal to be free: form id → version. */
  pending(): Record<string, string> {
    return Object.fromEntries([...this.#pending.values()].map((p) => [p.formId, p.version]));
  }

  #nextPoll(delayMs: number): void {
    if (this.#stopped) return;
    this.#cancelPoll = this.#schedule(delayMs, () => {
      void this.pollOnce()
        .catch((error: unknown) => this.#d.log.error({ errorType: error instanceof Error ? error.name : typeof error, message: error instanceof Error ? error.message : undefined }, 'forms update: poll failed'))
        .finally(() => this.#nextPoll(this.#d.pollMs * (0.8 + 0.4 * this.#random())));
    });
  }

  /** One read of the channel: stages what is offered, then switches if the terminal is free. Serialised with activation. */
  pollOnce(): Promise<PollOutcome> {
    const run = this.#running.then(() => this.#poll());
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #poll(): Promise<PollOutcome> {
    const d = this.#d;
    if (this.#pointer === undefined) {
      this.#pointer = await d.active.read();
      // After a restart the report still says which version was rolled back, and why.
      for (const r of [...(this.#pointer.rolledBack ?? [])].reverse()) {
        const active = d.catalog.version(r.formId);
        this.#report.set(r.formId, { ...(active === undefined ? {} : { active }), version: r.version, step: 'rolledBack', reason: r.reason });
      }
    }
    if (!this.#watchResumed) this.#resumeWatches(this.#pointer);
    const index = await d.channel.readIndex();
    if (!index.ok) {
      d.log.warn({ reason: index.reason }, 'forms update: channel index unreadable; trying again at the next poll');
      return { ok: false, reason: index.reason, staged: [], refused: [], pending: this.#pending.size };
    }
    const canary = await d.channel.readCanaryIds();
    const reports = await d.channel.readReports();
    const staged: string[] = [];
    const refused: UpdateRefusal[] = [];
    for (const [formId, form] of Object.entries(index.value.forms).sort(([a], [b]) => a.localeCompare(b))) {
      const releases = effectiveReleases(formId, form.releases, reports, d.maxFailedActivations ?? DEFAULT_MAX_FAILED);
      const offered = offeredRelease(releases, d.terminalId, canary);
      const refusal = this.#refusals.get(formId);
      if (refusal !== undefined && refusal.archiveSha256 !== offered?.sha256) this.#refusals.delete(formId);
      const outcome = await this.#consider(formId, offered, releases);
      if (outcome?.kind === 'staged') staged.push(`${formId}@${outcome.version}`);
      if (outcome?.kind === 'refused') refused.push(outcome.refusal);
    }
    this.#reportAll(index.value);
    await this.#writeReport();
    await this.#activateNow();
    return { ok: true, staged, refused, pending: this.#pending.size };
  }

  /** What this terminal does about one form's offer. */
  async #consider(
    formId: string,
    offered: Release | undefined,
    releases: readonly Release[],
  ): Promise<{ kind: 'staged'; version: string } | { kind: 'refused'; refusal: UpdateRefusal } | undefined> {
    const d = this.#d;
    // A rollback of this terminal's own waits for the terminal to be free, whatever the channel offers now.
    if (this.#pending.get(formId)?.condemn !== undefined) return undefined;
    const pointed = this.#pointer?.forms[formId];
    const servedVersion = d.catalog.version(formId);
    if (offered === undefined) {
      // Nothing offered to this ring: a terminal running a release since withdrawn goes back to the one before it.
      const withdrawn = pointed !== undefined && releases.some((r) => r.version === pointed.version && r.sha256 === pointed.archiveSha256 && r.status === 'withdrawn');
      if (!withdrawn) {
        this.#pending.delete(formId);
        return undefined;
      }
      // The most recent kept version ops have not withdrawn too; none: the shipped forms folder's.
      const back = pointed.previous.find((p) => !releases.some((r) => r.version === p.version && r.status === 'withdrawn') && !this.#isRolledBack(formId, p.archiveSha256));
      this.#pending.set(formId, back === undefined ? { kind: 'shipped', formId, version: (await this.#shippedVersion(formId)) ?? '?' } : { kind: 'switchBack', formId, ...back });
      return undefined;
    }
    // A halted release is offered to no one new; the terminals already running it keep it.
    const runsHalted = pointed !== undefined && releases.some((r) => r.version === pointed.version && r.sha256 === pointed.archiveSha256 && r.status === 'halted');
    if (runsHalted || (pointed !== undefined ? pointed.archiveSha256 === offered.sha256 : servedVersion === offered.version)) {
      this.#pending.delete(formId);
      return undefined;
    }
    const waiting = this.#pending.get(formId);
    if (waiting !== undefined && waiting.version === offered.version && (waiting.kind === 'shipped' || waiting.archiveSha256 === offered.sha256)) return undefined;
    this.#pending.delete(formId);
    const failed = this.#failed.get(offered.sha256);
    if (failed !== undefined) return undefined;
    // Rolled back here before (fills failed, or a technician): not again until ops publish another archive.
    if (this.#isRolledBack(formId, offered.sha256)) return undefined;
    const current = pointed?.version ?? servedVersion;
    if (current !== undefined && compareVersions(offered.version, current) < 0) {
      // A rollback: a version this terminal kept (verified when it came) or the shipped one needs no download.
      const kept = pointed?.previous.find((p) => p.version === offered.version && p.archiveSha256 === offered.sha256);
      if (kept !== undefined) {
        this.#pending.set(formId, { kind: 'switchBack', formId, ...kept });
        return undefined;
      }
      if (pointed !== undefined && (await this.#shippedVersion(formId)) === offered.version) {
        this.#pending.set(formId, { kind: 'shipped', formId, version: offered.version });
        return undefined;
      }
      // Otherwise only an archive signed as a rollback passes verifyAndStage (notNewer).
    }
    return this.#download(formId, offered, current);
  }

  async #download(formId: string, offered: Release, current: string | undefined): Promise<{ kind: 'staged'; version: string } | { kind: 'refused'; refusal: UpdateRefusal } | undefined> {
    const d = this.#d;
    const refuse = (reason: string): { kind: 'refused'; refusal: UpdateRefusal } => {
      const refusal = { formId, version: offered.version, reason };
      this.#failed.set(offered.sha256, refusal);
      this.#refusals.set(formId, { ...refusal, archiveSha256: offered.sha256 });
      this.#report.set(formId, { ...this.#activeField(formId), version: offered.version, step: 'failed', reason });
      // The reason names package files and checks only: a package holds no personal data.
      d.log.warn({ formId, version: offered.version, reason }, 'forms update: package refused; the active version stays');
      return { kind: 'refused', refusal };
    };
    const fetched = await d.channel.fetchArchive(offered.file, DEFAULT_LIMITS.maxArchiveBytes);
    if (!fetched.ok) {
      // A channel that cannot be read now is not the package's fault: try again at the next poll.
      d.log.warn({ formId, version: offered.version, reason: fetched.reason }, 'forms update: download failed; trying again at the next poll');
      return undefined;
    }
    const bytes = fetched.value;
    if (sha256Hex(bytes) !== offered.sha256) return refuse('downloadCorrupt: the archive does not have the SHA-256 the channel index gives');
    this.#report.set(formId, { ...this.#activeField(formId), version: offered.version, step: 'downloaded' });
    await this.#writeReport();
    const stagedResult = await verifyAndStage(bytes, {
      trustedKeys: d.trustedKeys,
      agentVersion: d.agentVersion,
      root: d.active.versionsRoot,
      ...(current === undefined ? {} : { activeVersion: current }),
    });
    if (!stagedResult.ok) return refuse(`${stagedResult.refusal.code}: ${stagedResult.refusal.detail}`);
    const staged = stagedResult.value;
    const discard = async (reason: string): Promise<{ kind: 'refused'; refusal: UpdateRefusal }> => {
      // Never the active or a kept version: verifyAndStage refuses a version that is not newer, and a kept one is older.
      if (!this.#names(formId, staged.version)) await rm(staged.dir, { recursive: true, force: true });
      return refuse(reason);
    };
    if (staged.formId !== formId) return discard(`formMismatch: the archive holds ${staged.formId}, the channel offers it as ${formId}`);
    if (staged.version !== offered.version) return discard(`versionMismatch: the archive holds ${staged.version}, the channel offers ${offered.version}`);
    if (staged.archiveSha256 !== offered.sha256) return discard('downloadCorrupt: the archive does not have the SHA-256 the channel index gives');
    let pkg: FormPackage;
    try {
      pkg = await loadPackage(staged.dir);
    } catch {
      return discard('checkFailed: the staged package does not load');
    }
    const fillProblem = pkg.sample === undefined ? 'the package has no sample.json to test-fill' : await d.testFill(pkg);
    if (fillProblem !== undefined) return discard(`testFillFailed: ${fillProblem}`);
    this.#report.set(formId, { ...this.#activeField(formId), version: offered.version, step: 'verified' });
    this.#pending.set(formId, { kind: 'install', formId, version: staged.version, archiveSha256: staged.archiveSha256 });
    d.log.info({ formId, version: staged.version, archiveSha256: staged.archiveSha256.slice(0, 12) }, 'forms update: verified and staged; switches when the terminal is free');
    return { kind: 'staged', version: staged.version };
  }

  /** True when the pointer names `version` of `formId` (active or kept). */
  #names(formId: string, version: string): boolean {
    const f = this.#pointer?.forms[formId];
    return f !== undefined && (f.version === version || f.previous.some((p) => p.version === version));
  }

  async #shippedVersion(formId: string): Promise<string | undefined> {
    try {
      return (await loadPackage(`${this.#d.formsDir}/${formId}`)).definition.version;
    } catch {
      return undefined;
    }
  }

  /** Switches every pending form if the terminal is free; otherwise looks again in idleRecheckMs. Serialised with polls. */
  activatePending(): Promise<number> {
    const run = this.#running.then(() => this.#activateNow());
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** `only`: switch that form alone (a technician's rollback); `busy`: what holds the switch back (default: any session). */
  async #activateNow(opts: { only?: string; busy?: () => boolean } = {}): Promise<number> {
    const d = this.#d;
    const busy = opts.busy ?? d.busy;
    if (opts.only === undefined) {
      this.#cancelRecheck?.();
      this.#cancelRecheck = undefined;
    }
    const switched = [...this.#pending.values()].filter((p) => opts.only === undefined || p.formId === opts.only);
    if (switched.length === 0 || this.#stopped) return 0;
    const before = this.#pointer ?? (await d.active.read());
    const next: ActivePointer = { format: before.format, forms: { ...before.forms }, ...(before.rolledBack === undefined ? {} : { rolledBack: before.rolledBack }) };
    const nowIso = new Date(d.clock.now()).toISOString();
    for (const p of switched) {
      const old = before.forms[p.formId];
      if (p.condemn !== undefined) {
        next.rolledBack = [{ formId: p.formId, version: p.condemn.version, archiveSha256: p.condemn.archiveSha256, cause: p.condemn.cause, reason: p.condemn.reason.slice(0, 300), at: nowIso }, ...(next.rolledBack ?? [])].slice(0, ROLLED_BACK_KEPT);
      }
      if (p.kind === 'shipped') {
        next.forms = Object.fromEntries(Object.entries(next.forms).filter(([id]) => id !== p.formId));
        continue;
      }
      const history = old === undefined ? [] : [{ version: old.version, archiveSha256: old.archiveSha256 }, ...old.previous];
      next.forms[p.formId] = {
        version: p.version,
        archiveSha256: p.archiveSha256,
        activatedAt: nowIso,
        // A rolled-back version is not kept: the pointer remembers it only to refuse it.
        previous: history.filter((h) => h.version !== p.version && h.archiveSha256 !== p.condemn?.archiveSha256).slice(0, KEPT_PREVIOUS),
      };
    }
    // Load the new packages first (slow), then check and hand them over in one tick: a session
    // cannot start between the check and the switch of what Forms.* serve.
    const catalog = await loadServedCatalog(d.formsDir, d.active, next, d.log.child({ component: 'forms' }));
    if (busy()) {
      this.#cancelRecheck?.();
      this.#cancelRecheck = this.#schedule(d.idleRecheckMs ?? 2000, () => void this.activatePending());
      return 0;
    }
    const previousEntries = new Map(switched.map((p) => [p.formId, d.catalog.get(p.formId)]));
    d.catalog.adopt(catalog);
    try {
      await d.active.write(next);
    } catch (error) {
      // Not switched on disk: serve the old packages again (a restart would) and try at the next poll.
      d.catalog.adopt(await loadServedCatalog(d.formsDir, d.active, before, d.log.child({ component: 'forms' })));
      d.log.error({ errorCode: (error as { code?: unknown }).code }, 'forms update: the switch could not be written; the old versions stay');
      return 0;
    }
    this.#pointer = next;
    for (const p of switched) this.#pending.delete(p.formId);
    for (const p of switched) {
      const step: UpdateStep = p.kind === 'install' ? 'activated' : 'rolledBack';
      // A version rolled back here is reported as `version` beside the `active` one, with why (rollout status lists it; auto-halt counts it).
      this.#report.set(
        p.formId,
        p.condemn === undefined ? { active: p.version, version: p.version, step } : { active: p.version, version: p.condemn.version, step, reason: p.condemn.reason },
      );
      if (p.kind === 'install') this.#saveWatch(p.formId, { version: p.version, archiveSha256: p.archiveSha256, fills: 0, failures: 0, lastCode: undefined });
      else this.#endWatch(p.formId);
      this.#refusals.delete(p.formId);
      d.log.info({ formId: p.formId, from: previousEntries.get(p.formId)?.pkg.definition.version, to: p.version, step }, 'forms update: switched between sessions');
    }
    await d.active.prune(next).catch(() => undefined);
    await this.#writeReport();
    return switched.length;
  }

  #activeField(formId: string): { active?: string } {
    const v = this.#pointer?.forms[formId]?.version ?? this.#d.catalog.version(formId);
    return v === undefined ? {} : { active: v };
  }

  /** Every form of the channel appears in the report with the version this terminal runs. */
  #reportAll(index: ChannelIndex): void {
    for (const formId of Object.keys(index.forms)) {
      const known = this.#report.get(formId);
      const active = this.#activeField(formId).active;
      if (known === undefined) {
        if (active !== undefined) this.#report.set(formId, { active, version: active, step: 'activated' });
      } else if (active !== undefined) {
        this.#report.set(formId, { ...known, active });
      }
    }
  }

  async #writeReport(): Promise<void> {
    const report: TerminalReport = { terminalId: this.#d.terminalId, at: new Date(this.#d.clock.now()).toISOString(), forms: Object.fromEntries(this.#report) };
    try {
      await this.#d.channel.writeReport(report);
    } catch (error) {
      this.#d.log.warn({ errorCode: (error as { code?: unknown }).code }, 'forms update: report could not be written to the channel');
    }
  }
}
