// A folder channel for signed form packages (issue 16): the archives, `index.json` (what is offered to
// which ring) and `reports/<terminal id>.json` (what each terminal did). A small hall serves it as a
// shared folder; the back office serves the same layout over HTTP. The index only says what to offer:
// a terminal still verifies every archive against its own trusted keys.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { checkNewer, formatRefusal, ManifestSchema, MANIFEST_ENTRY, PACKAGE_EXTENSION, readArchive } from './signed-package.ts';

export const INDEX_FILE = 'index.json';
export const REPORTS_DIR = 'reports';
export const CANARY_FILE = 'canary.json';

// ---------------------------------------------------------------- rings

/** `canary` (the terminals listed in canary.json), `N%` (a stable share of terminal ids) or `all`. */
export type Ring = { readonly kind: 'canary' } | { readonly kind: 'percent'; readonly percent: number } | { readonly kind: 'all' };

export function parseRing(text: string): Ring | undefined {
  if (text === 'canary') return { kind: 'canary' };
  if (text === 'all') return { kind: 'all' };
  const m = /^(\d{1,3})%$/.exec(text);
  const n = m?.[1] === undefined ? NaN : Number(m[1]);
  return n >= 1 && n <= 100 ? (n === 100 ? { kind: 'all' } : { kind: 'percent', percent: n }) : undefined;
}

export function formatRing(ring: Ring): string {
  switch (ring.kind) {
    case 'canary':
      return 'canary';
    case 'percent':
      return `${ring.percent}%`;
    case 'all':
      return 'all';
  }
}

/**
 * A terminal's place on the roll-out line, 0..9999: the first 4 bytes of SHA-256 over its id, scaled.
 * Pure and stable, so `10%` is always the same terminals and widening to `30%` keeps them in.
 */
export function ringBucket(terminalId: string): number {
  const h = createHash('sha256').update(`onevisit-ring/1:${terminalId}`, 'utf8').digest();
  return Math.floor((h.readUInt32BE(0) / 0x1_0000_0000) * 10_000);
}

export function inRing(terminalId: string, ring: Ring, canaryIds: readonly string[]): boolean {
  switch (ring.kind) {
    case 'canary':
      return canaryIds.includes(terminalId);
    case 'percent':
      return ringBucket(terminalId) < ring.percent * 100;
    case 'all':
      return true;
  }
}

// ---------------------------------------------------------------- index

export const ReleaseSchema = z.strictObject({
  version: z.string(),
  file: z.string().regex(/^[A-Za-z0-9._-]+\.ovpkg$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  ring: z.string(),
  publishedAt: z.iso.datetime(),
  /** rolling: offered to its ring; halted: offered to no one new; withdrawn: rolled back, the previous release is offered again. */
  status: z.enum(['rolling', 'halted', 'withdrawn']),
  /**
   * The roll-out halts by itself (the release is read as withdrawn) when more than this many terminals
   * report a failed activation or a rollback of it (`publish --halt-after N`); absent: the fleet's
   * default, more than 1.
   */
  haltAfterFailures: z.number().int().min(0).max(100_000).optional(),
});
export type Release = z.infer<typeof ReleaseSchema>;

export const ChannelIndexSchema = z.strictObject({
  format: z.literal('onevisit-forms-channel/1'),
  forms: z.record(z.string(), z.strictObject({ releases: z.array(ReleaseSchema) })),
});
export type ChannelIndex = z.infer<typeof ChannelIndexSchema>;

export const emptyIndex = (): ChannelIndex => ({ format: 'onevisit-forms-channel/1', forms: {} });

/**
 * The release a terminal should run: the newest release (releases are kept oldest first) that is
 * rolling and whose ring holds the terminal; halted and withdrawn ones are skipped, so a halt keeps
 * the rest of the fleet on the previous release and a rollback offers the previous one again.
 */
export function offeredRelease(releases: readonly Release[], terminalId: string, canaryIds: readonly string[]): Release | undefined {
  for (let i = releases.length - 1; i >= 0; i--) {
    const r = releases[i];
    if (r === undefined || r.status !== 'rolling') continue;
    const ring = parseRing(r.ring);
    if (ring !== undefined && inRing(terminalId, ring, canaryIds)) return r;
  }
  return undefined;
}

// ---------------------------------------------------------------- reports

export const TerminalReportSchema = z.strictObject({
  terminalId: z.string().min(1),
  at: z.iso.datetime(),
  forms: z.record(
    z.string(),
    z.strictObject({
      /** The version the terminal runs now. */
      active: z.string().optional(),
      /** The last step for `version`. */
      version: z.string(),
      step: z.enum(['downloaded', 'verified', 'activated', 'failed', 'rolledBack']),
      reason: z.string().optional(),
    }),
  ),
});
export type TerminalReport = z.infer<typeof TerminalReportSchema>;

/** Failed activations a rolling release may have before terminals treat it as withdrawn (publish --halt-after overrides it). */
export const DEFAULT_MAX_FAILED = 1;

export interface FormRolloutStatus {
  readonly formId: string;
  readonly releases: readonly Release[];
  /** Terminal ids by what they report for the newest non-withdrawn release. */
  readonly running: Readonly<Record<string, readonly string[]>>;
  readonly pending: readonly string[];
  readonly failed: readonly { terminalId: string; version: string; reason: string }[];
  readonly rolledBack: readonly string[];
}

/**
 * The releases as terminals act on them: a rolling release more than `maxFailed` terminals report
 * failing (a refused activation, or rolled back after it) is read as withdrawn, so the channel offers the previous release again to everyone
 * (issue 16: a roll-out halts by itself on failures). Pure, so every terminal decides the same, and
 * `rollout status` shows what they decided even on a plain folder channel, where nobody writes the halt.
 */
export function effectiveReleases(formId: string, releases: readonly Release[], reports: readonly TerminalReport[], maxFailed: number): Release[] {
  return releases.map((r) => {
    if (r.status !== 'rolling') return r;
    const failed = reports.filter((rep) => {
      const f = rep.forms[formId];
      // A version a terminal rolled back (its fills failed, or a technician) reports it as `version` with another `active`.
      const rolledBackFrom = f?.step === 'rolledBack' && f.active !== f.version;
      return (f?.step === 'failed' || rolledBackFrom) && f.version === r.version;
    }).length;
    return failed > (r.haltAfterFailures ?? maxFailed) ? { ...r, status: 'withdrawn' as const } : r;
  });
}

/** Summarises the terminals' reports for one form: which version each runs, pending, failed, rolled back. */
export function rolloutStatus(index: ChannelIndex, formId: string, reports: readonly TerminalReport[], canaryIds: readonly string[], maxFailed = DEFAULT_MAX_FAILED): FormRolloutStatus {
  // As the terminals read it: a rolling release that more terminals failed than allowed is withdrawn.
  const releases = effectiveReleases(formId, index.forms[formId]?.releases ?? [], reports, maxFailed);
  const running: Record<string, string[]> = {};
  const pending: string[] = [];
  const failed: { terminalId: string; version: string; reason: string }[] = [];
  const rolledBack: string[] = [];
  for (const report of reports) {
    const f = report.forms[formId];
    if (f?.active !== undefined) (running[f.active] ??= []).push(report.terminalId);
    if (f?.step === 'failed') failed.push({ terminalId: report.terminalId, version: f.version, reason: f.reason ?? '' });
    if (f?.step === 'rolledBack') rolledBack.push(report.terminalId);
    const offered = offeredRelease(releases, report.terminalId, canaryIds);
    if (offered !== undefined && f?.active !== offered.version && f?.step !== 'failed') pending.push(report.terminalId);
  }
  return { formId, releases, running, pending, failed, rolledBack };
}

// ---------------------------------------------------------------- the folder

/** Writes a file so that readers see the old bytes or the new, never a mix: temp + fsync + rename + fsync(dir). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync(); // the rename itself is durable only once the folder is synced
  } finally {
    await dir.close();
  }
}

export async function readIndex(channelDir: string): Promise<ChannelIndex> {
  let text: string;
  try {
    text = await readFile(join(channelDir, INDEX_FILE), 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return emptyIndex();
    throw e;
  }
  return ChannelIndexSchema.parse(JSON.parse(text));
}

export async function writeIndex(channelDir: string, index: ChannelIndex): Promise<void> {
  await writeFileAtomic(join(channelDir, INDEX_FILE), `${JSON.stringify(ChannelIndexSchema.parse(index), null, 2)}\n`);
}

export async function readCanaryIds(channelDir: string): Promise<readonly string[]> {
  try {
    return z.array(z.string()).parse(JSON.parse(await readFile(join(channelDir, CANARY_FILE), 'utf8')));
  } catch {
    return [];
  }
}

/** Reads every terminal report; unreadable or invalid ones are returned by file name so status can show them. */
export async function readReports(channelDir: string): Promise<{ reports: TerminalReport[]; invalid: string[] }> {
  const reports: TerminalReport[] = [];
  const invalid: string[] = [];
  let names: string[];
  try {
    names = await readdir(join(channelDir, REPORTS_DIR));
  } catch {
    return { reports, invalid };
  }
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      reports.push(TerminalReportSchema.parse(JSON.parse(await readFile(join(channelDir, REPORTS_DIR, name), 'utf8'))));
    } catch {
      invalid.push(name);
    }
  }
  return { reports, invalid };
}

// ---------------------------------------------------------------- changing the folder (publish, rollout)
// One implementation for `forms publish|rollout --channel DIR` and for the intake serving the same
// folder over HTTP (device-agent/src/intake/packages.ts), so both refuse the same things.

export type RolloutAction = 'halt' | 'resume' | 'rollback' | 'widen';
export const ROLLOUT_ACTIONS: readonly RolloutAction[] = ['halt', 'resume', 'rollback', 'widen'];

export type ChannelRefusalCode = 'badArchive' | 'badRing' | 'notNewer' | 'noRelease' | 'allWithdrawn' | 'noEarlier' | 'notWider';

/** True when every terminal in `from` is also in `to` (rings are stable: 10% is inside 30%); canary widens to anything. */
export function ringIncludes(to: Ring, from: Ring): boolean {
  switch (to.kind) {
    case 'all':
      return true;
    case 'percent':
      return from.kind === 'canary' || (from.kind === 'percent' && from.percent <= to.percent);
    case 'canary':
      return from.kind === 'canary';
  }
}
export type ChannelChange = { readonly ok: true; readonly formId: string; readonly release: Release } | { readonly ok: false; readonly code: ChannelRefusalCode; readonly detail: string };

/**
 * Puts a signed archive on the channel folder: the archive first (so the index never names a missing
 * file), then the index with a rolling release for `ringText`. The signature is not checked here (the
 * channel may not hold the ops keys; every terminal verifies against its own); a version not higher
 * than the newest live release is refused unless the archive is signed as a rollback.
 * Callers serialise changes to one folder (the intake does; `forms publish` is one operator).
 */
export async function publishToChannel(channelDir: string, bytes: Uint8Array, ringText: string, now: Date, options: { haltAfterFailures?: number | undefined } = {}): Promise<ChannelChange> {
  const ring = parseRing(ringText);
  if (ring === undefined) return { ok: false, code: 'badRing', detail: '--ring is canary, N% (1-100) or all' };
  const entries = await readArchive(bytes);
  if (!entries.ok) return { ok: false, code: 'badArchive', detail: formatRefusal(entries.refusal) };
  let manifest;
  try {
    manifest = ManifestSchema.parse(JSON.parse(entries.value.get(MANIFEST_ENTRY)?.toString('utf8') ?? ''));
  } catch {
    return { ok: false, code: 'badArchive', detail: `${MANIFEST_ENTRY} missing or invalid (sign it with: npm run forms -- sign)` };
  }
  await mkdir(channelDir, { recursive: true });
  const index = await readIndex(channelDir);
  const releases = index.forms[manifest.formId]?.releases ?? [];
  const newest = releases.filter((r) => r.status !== 'withdrawn').at(-1);
  if (newest !== undefined) {
    const refusal = checkNewer(manifest, newest.version);
    if (refusal !== undefined) return { ok: false, code: 'notNewer', detail: formatRefusal(refusal) };
  }
  const name = `${manifest.formId}-${manifest.version}${PACKAGE_EXTENSION}`;
  await writeFileAtomic(join(channelDir, name), bytes);
  const release: Release = {
    version: manifest.version,
    file: name,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ring: formatRing(ring),
    publishedAt: now.toISOString(),
    status: 'rolling',
    ...(options.haltAfterFailures === undefined ? {} : { haltAfterFailures: options.haltAfterFailures }),
  };
  await writeIndex(channelDir, { ...index, forms: { ...index.forms, [manifest.formId]: { releases: [...releases.filter((r) => r.version !== release.version), release] } } });
  return { ok: true, formId: manifest.formId, release };
}

/**
 * halt (offered to no one new), resume, rollback (withdrawn: the previous release is offered again) or
 * widen (to `ringText`, which must hold every terminal of the current ring) of the newest live release.
 */
export async function changeRollout(channelDir: string, formId: string, action: RolloutAction, ringText?: string): Promise<ChannelChange> {
  const ring = ringText === undefined ? undefined : parseRing(ringText);
  if (action === 'widen' && ring === undefined) return { ok: false, code: 'badRing', detail: 'widen needs --ring N% (1-100) or all' };
  const index = await readIndex(channelDir);
  const releases = index.forms[formId]?.releases;
  if (releases === undefined || releases.length === 0) return { ok: false, code: 'noRelease', detail: `no release of ${formId}` };
  const live = releases.filter((r) => r.status !== 'withdrawn');
  const target = live.at(-1);
  if (target === undefined) return { ok: false, code: 'allWithdrawn', detail: `${formId}: every release is withdrawn` };
  let changed: Release;
  switch (action) {
    case 'halt':
      changed = { ...target, status: 'halted' };
      break;
    case 'resume':
      changed = { ...target, status: 'rolling' };
      break;
    case 'rollback':
      if (live.length < 2) return { ok: false, code: 'noEarlier', detail: `${formId}@${target.version}: no earlier release to go back to` };
      changed = { ...target, status: 'withdrawn' };
      break;
    case 'widen': {
      const from = parseRing(target.ring);
      if (ring === undefined || from === undefined || !ringIncludes(ring, from)) {
        return { ok: false, code: 'notWider', detail: `${formId}@${target.version}: ${ringText ?? ''} does not hold every terminal of ${target.ring} (halt or roll back instead)` };
      }
      changed = { ...target, ring: formatRing(ring) };
      break;
    }
    default: {
      const never: never = action;
      throw new Error(`unknown rollout action ${String(never)}`);
    }
  }
  await writeIndex(channelDir, { ...index, forms: { ...index.forms, [formId]: { releases: releases.map((r) => (r === target ? changed : r)) } } });
  return { ok: true, formId, release: changed };
}
