// How the agent builds form updates (issue 16): the catalogue it serves at start (the shipped forms
// folder overlaid by the active versions, after discarding what a crash left), and the updater when
// `--forms-channel` is set. app.ts and services.ts call these two; the flow is in updater.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FillError, parsePublicKeys, sampleSignaturePng, type FormPackage } from '@onevisit/forms';
import { shanghaiDate } from '@onevisit/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { Config, FormsChannelSpec } from '../../config.ts';
import { DEFAULT_FORMS_DIR, type FormCatalog } from '../application/form-catalog.ts';
import { ActiveForms, loadServedCatalog, type RolledBack } from './active-forms.ts';
import { folderChannel, httpChannel, type ChannelSource } from './channel-source.ts';
import { loadOrCreateTerminalKey } from '../../crypto/request-signing.ts';
import { testFillReference } from '../../outbox/reference.ts';
import { FormsUpdater, type UpdateRefusal } from './updater.ts';
import { SqliteFillWatchStore } from './fill-watch-store.ts';
import type { SqliteDatabase } from '../../store/db.ts';

/** `<data dir>/forms-update`: the pointer and the version folders. */
export const formsUpdateRoot = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'forms-update');

/** The catalogue at start: what a crash left unfinished is discarded first, then the active versions are served. */
export async function loadAgentCatalog(config: Pick<Config, 'dataDir' | 'formsDir'>, log: Logger): Promise<FormCatalog> {
  const active = new ActiveForms(formsUpdateRoot(config), log);
  const { pointer } = await active.recover();
  return loadServedCatalog(config.formsDir ?? DEFAULT_FORMS_DIR, active, pointer, log);
}

/** The catalogue as it should be now (Staff.ResetTerminal reloads it): shipped forms + active versions. */
export async function reloadAgentCatalog(config: Pick<Config, 'dataDir' | 'formsDir'>, log: Logger): Promise<FormCatalog> {
  const active = new ActiveForms(formsUpdateRoot(config), log);
  return loadServedCatalog(config.formsDir ?? DEFAULT_FORMS_DIR, active, await active.read(), log);
}

export interface FormsUpdate {
  /** Refused packages (Common.Status `formUpdateRefused`, the staff screen). */
  refusals(): UpdateRefusal[];
  /** Versions rolled back after their fills failed (Common.Status `formRolledBack`). */
  autoRollbacks(): RolledBack[];
  readonly updater: FormsUpdater | undefined;
  start(): void;
  stop(): Promise<void>;
}

export function createFormsUpdate(deps: {
  config: Config;
  catalog: FormCatalog;
  clock: Clock;
  log: Logger;
  agentVersion: string;
  /** A citizen or staff session runs. */
  busy: () => boolean;
  /** A citizen session runs (a technician's rollback waits only for this). */
  citizenBusy?: () => boolean;
  /** The terminal's SQLite store (opened with fillWatchMigrations): the fill watch's counts outlive a restart. Without it they are kept in memory. */
  db?: SqliteDatabase;
}): FormsUpdate {
  const { config } = deps;
  if (config.formsChannel === undefined || config.formsTrustedKeysFile === undefined) {
    return { refusals: () => [], autoRollbacks: () => [], updater: undefined, start: () => undefined, stop: () => Promise.resolve() };
  }
  // config.ts validated the file at start; read again here so the agent uses exactly what it checked.
  const keys = parsePublicKeys(readFileSync(config.formsTrustedKeysFile, 'utf8'));
  if (!keys.ok) throw new Error(`--forms-trusted-keys: ${keys.refusal.detail}`);
  const log = deps.log.child({ component: 'forms-update' });
  const updater = new FormsUpdater({
    channel: channelOf(config.formsChannel, config, deps.clock),
    active: new ActiveForms(formsUpdateRoot(config), log),
    formsDir: config.formsDir ?? DEFAULT_FORMS_DIR,
    catalog: deps.catalog,
    terminalId: config.terminalId,
    agentVersion: deps.agentVersion,
    trustedKeys: keys.value,
    clock: deps.clock,
    log,
    pollMs: config.formsPollMs,
    fillWatch: config.formsFillWatch,
    ...(deps.db === undefined ? {} : { fillWatchStore: new SqliteFillWatchStore(deps.db) }),
    busy: deps.busy,
    ...(deps.citizenBusy === undefined ? {} : { citizenBusy: deps.citizenBusy }),
    testFill: (pkg) => testFill(deps.catalog, pkg, config.terminalId, deps.clock),
  });
  return { refusals: () => updater.refusals(), autoRollbacks: () => updater.autoRollbacks(), updater, start: () => updater.start(), stop: () => updater.stop() };
}

/** The folder, or the back office's HTTP channel with requests signed by this terminal's key (as its submissions). */
function channelOf(spec: FormsChannelSpec, config: Pick<Config, 'dataDir' | 'terminalId'>, clock: Clock): ChannelSource {
  switch (spec.kind) {
    case 'dir':
      return folderChannel(spec.dir);
    case 'url':
      return httpChannel({ baseUrl: spec.url, terminalId: config.terminalId, privateKey: loadOrCreateTerminalKey(config.dataDir).privateKey, now: () => clock.now() });
  }
}

/**
 * Fills the package's sample with the agent's own filler, fonts and all, as a citizen's answers would
 * be, with a reference as wide as this terminal's real ones (outbox/reference.ts testFillReference):
 * a reference box too narrow for them is refused here, before any citizen meets it.
 */
export async function testFill(catalog: FormCatalog, pkg: FormPackage, terminalId: string, clock: Clock): Promise<string | undefined> {
  if (pkg.sample === undefined) return 'the package has no sample.json';
  try {
    const filler = await catalog.filler();
    const nowMs = clock.now();
    await filler.fill(pkg, pkg.sample, { reference: testFillReference(terminalId, nowMs), terminalId, dateIso: shanghaiDate(nowMs), language: 'zh-CN', signaturePng: sampleSignaturePng() });
    return undefined;
  } catch (error) {
    // The message names the package's field, never a value.
    return error instanceof FillError ? `${error.code}: ${error.message}` : `fill failed (${error instanceof Error ? error.name : typeof error})`;
  }
}
