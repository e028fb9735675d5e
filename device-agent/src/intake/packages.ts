/**
 * The back office's form-package channel (issue 16), served by the reference intake under
 * /v1/packages/ (API in forms/src/channel-http.ts). It is the channel folder layout of
 * forms/src/channel.ts kept in `<out>/packages/`, changed only through the same functions
 * `forms publish|rollout --channel DIR` uses, one change at a time.
 *
 * Who may do what:
 * - ops (`Authorization: Bearer <token>`, the token of `serve --ops-token-file`): publish, halt,
 *   resume, roll back, and read everything. Without --ops-token-file nobody can change the channel.
 * - terminals: read the index, canary list, reports and archives, and write their own report; with a
 *   terminal register every such request must be signed by a registered terminal (as submissions are),
 *   and a report only under the signer's own id (403 wrongTerminal).
 * A rolling release that more than `maxFailedActivations` terminals report failed is withdrawn in the
 * index by the intake itself (autoHalt), so the halt outlives the reports.
 * The archives are signed by ops' key and verified by every terminal; this server does not hold or
 * check that key, so the token decides only which release is offered to whom.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  changeRollout,
  DEFAULT_LIMITS,
  PACKAGES_API,
  publishToChannel,
  readCanaryIds,
  readIndex,
  readReports,
  REPORTS_DIR,
  ROLLOUT_ACTIONS,
  TerminalReportSchema,
  writeFileAtomic,
  writeIndex,
  type ChannelChange,
} from '@onevisit/forms';
import { effectiveReleases } from '../services/forms-update/updater.ts';
import type { RequestVerifier } from '../crypto/request-signing.ts';
import { readBody } from './server.ts';

/** `<out>/packages`: the channel folder the intake serves. */
export const packagesFolder = (outDir: string): string => path.resolve(outDir, 'packages');

const MAX_REPORT_BYTES = 64 * 1024;
const ARCHIVE_PATH = /^\/v1\/packages\/archives\/([A-Za-z0-9][A-Za-z0-9._-]*\.ovpkg)$/;
const REPORT_PATH = /^\/v1\/packages\/reports\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})$/;
const RELEASES_PATH = /^\/v1\/packages\/releases\?ring=([^&]{1,16})(?:&haltAfter=(\d{1,6}))?$/;
const ROLLOUT_PATH = /^\/v1\/packages\/rollout\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/([a-z]+)(?:\?ring=([^&]{1,16}))?$/;

export type PackagesContext = {
  /** The channel folder (index.json, archives, canary.json, reports/). */
  dir: string;
  verifier?: RequestVerifier | undefined;
  /** The ops token; undefined: the channel cannot be changed over HTTP. */
  opsToken?: string | undefined;
  /** Serialises changes to the index (publish, rollout, auto-halt) within this intake. */
  lock: { chain: Promise<unknown> };
  /** A rolling release is withdrawn in the index once more terminals than this report it failed (as each terminal reads it). Default 1. */
  maxFailedActivations?: number | undefined;
  onEvent?: ((line: string) => void) | undefined;
};

export function isPackagesPath(url: string | undefined): boolean {
  return url !== undefined && (url === PACKAGES_API || url.startsWith(`${PACKAGES_API}/`));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Compares hashes of equal length, so neither the token's length nor its prefix shows in the timing. */
function isOps(req: IncomingMessage, token: string | undefined): boolean {
  const header = req.headers.authorization;
  if (token === undefined || typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice('Bearer '.length).trim()), digest(token));
}

function locked<T>(ctx: PackagesContext, work: () => Promise<T>): Promise<T> {
  const run = ctx.lock.chain.then(work);
  ctx.lock.chain = run.catch(() => undefined);
  return run;
}

/**
 * Writes the fleet's auto-halt into the index: each terminal already reads a rolling release with more
 * than `maxFailed` failure reports as withdrawn (updater.ts effectiveReleases), but the reports move on
 * (a terminal that failed 1.1.0 later reports 1.2.0 activated) and the halt would be forgotten; a back
 * office keeps it, and `rollout status` shows it. Returns lines for the log.
 */
async function autoHalt(dir: string, maxFailed: number): Promise<string[]> {
  const index = await readIndex(dir);
  const { reports } = await readReports(dir);
  const lines: string[] = [];
  const forms = Object.fromEntries(
    Object.entries(index.forms).map(([formId, form]) => {
      const effective = effectiveReleases(formId, form.releases, reports, maxFailed);
      const releases = form.releases.map((r, i) => {
        const e = effective[i];
        if (r.status !== 'rolling' || e?.status !== 'withdrawn') return r;
        lines.push(`packages: ${formId}@${r.version} withdrawn by itself (more than ${maxFailed} terminal(s) report it failed)`);
        return e;
      });
      return [formId, { releases }];
    }),
  );
  if (lines.length > 0) await writeIndex(dir, { ...index, forms });
  return lines;
}

function decodeRing(text: string | undefined): string | undefined {
  try {
    return text === undefined ? undefined : decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function changeAnswer(res: ServerResponse, done: ChannelChange, okStatus: number): void {
  if (done.ok) return json(res, okStatus, { formId: done.formId, release: done.release });
  switch (done.code) {
    case 'badArchive':
    case 'badRing':
    case 'notWider':
      return json(res, 400, { error: done.code, detail: done.detail });
    case 'noRelease':
      return json(res, 404, { error: done.code, detail: done.detail });
    case 'notNewer':
    case 'allWithdrawn':
    case 'noEarlier':
      return json(res, 409, { error: done.code, detail: done.detail });
    default: {
      const never: never = done.code;
      throw new Error(`unknown refusal ${String(never)}`);
    }
  }
}

export async function handlePackages(req: IncomingMessage, res: ServerResponse, ctx: PackagesContext): Promise<void> {
  const url = req.url ?? '';
  const method = req.method ?? '';
  const { dir } = ctx;
  const note = (line: string): void => ctx.onEvent?.(line);
  const ops = isOps(req, ctx.opsToken);

  // Ops only: changes to the index. Refused before a (possibly large) body is read.
  if (method === 'POST') {
    if (!ops) {
      req.resume();
      note(`refused ${method} ${url.split('?')[0] ?? ''}: not ops`);
      return json(res, 401, { error: 'opsOnly' });
    }
    const release = RELEASES_PATH.exec(url);
    const rollout = ROLLOUT_PATH.exec(url);
    const ring = decodeRing(release?.[1]);
    const formId = rollout?.[1];
    const action = ROLLOUT_ACTIONS.find((a) => a === rollout?.[2]);
    const change =
      ring !== undefined ? { kind: 'publish' as const, ring, haltAfterFailures: release?.[2] === undefined ? undefined : Number(release[2]) } : formId !== undefined && action !== undefined ? { kind: 'rollout' as const, formId, action, ring: decodeRing(rollout?.[3]) } : undefined;
    if (change === undefined) {
      req.resume();
      return json(res, 404, { error: 'notFound' });
    }
    const archive = await readBody(req, change.kind === 'publish' ? DEFAULT_LIMITS.maxArchiveBytes : MAX_REPORT_BYTES);
    if (archive === 'tooLarge') return json(res, 413, { error: 'tooLarge' });
    const done = await locked(ctx, () => (change.kind === 'publish' ? publishToChannel(dir, archive, change.ring, new Date(), { haltAfterFailures: change.haltAfterFailures }) : changeRollout(dir, change.formId, change.action, change.ring)));
    note(done.ok ? `packages: ${done.formId}@${done.release.version} ${done.release.status} ring ${done.release.ring}` : `packages: refused ${done.code}`);
    return changeAnswer(res, done, change.kind === 'publish' ? 201 : 200);
  }

  const body = await readBody(req, MAX_REPORT_BYTES);
  if (body === 'tooLarge') return json(res, 413, { error: 'tooLarge' });
  // Terminals (signed when the intake has a register) and ops.
  let signedBy: string | undefined;
  if (!ops && ctx.verifier) {
    const verified = await ctx.verifier.verifyAsync({ method, path: url, headers: req.headers, body });
    if (!verified.ok) return json(res, 401, { error: verified.reason });
    signedBy = verified.terminalId;
  }
  if (method === 'PUT') {
    const id = REPORT_PATH.exec(url)?.[1];
    if (id === undefined || ops) return json(res, 404, { error: 'notFound' });
    if (signedBy !== undefined && signedBy !== id) return json(res, 403, { error: 'wrongTerminal' });
    let report;
    try {
      report = TerminalReportSchema.parse(JSON.parse(body.toString('utf8')));
    } catch {
      return json(res, 400, { error: 'badReport' });
    }
    if (report.terminalId !== id) return json(res, 400, { error: 'badReport' });
    await mkdir(path.join(dir, REPORTS_DIR), { recursive: true });
    await writeFileAtomic(path.join(dir, REPORTS_DIR, `${id}.json`), `${JSON.stringify(report, null, 2)}\n`);
    if (Object.values(report.forms).some((f) => f.step === 'failed' || f.step === 'rolledBack')) {
      for (const line of await locked(ctx, () => autoHalt(dir, ctx.maxFailedActivations ?? 1))) note(line);
    }
    return json(res, 200, { status: 'stored' });
  }
  if (method !== 'GET') return json(res, 405, { error: 'method' });
  if (url === `${PACKAGES_API}/index`) return json(res, 200, await readIndex(dir));
  if (url === `${PACKAGES_API}/canary`) return json(res, 200, await readCanaryIds(dir));
  if (url === `${PACKAGES_API}/reports`) return json(res, 200, await readReports(dir));
  const file = ARCHIVE_PATH.exec(url)?.[1];
  if (file === undefined) return json(res, 404, { error: 'notFound' });
  const full = path.join(dir, file);
  const info = await stat(full).catch(() => undefined);
  if (info === undefined || !info.isFile()) return json(res, 404, { error: 'notFound' });
  const bytes = await readFile(full);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Cache-Control': 'no-store' });
  res.end(bytes);
}
