// The ops command: `npm run forms -- <check|import|preview> ...` (see `--help`).
// Exit status 0 on success, 1 on any problem (each printed as `file: field: message`), 2 on bad usage,
// 3 when the command could not finish; never a stack trace.
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkPackage } from '../check.ts';
import { createFiller, FillError } from '../fill.ts';
import { importPdf, placeholderAnswers } from '../import-pdf.ts';
import { DEFINITION_FILE, DEFAULT_TEMPLATE_FILE, formatProblem, loadAnswers, loadPackage, PackageLoadError, SAMPLE_FILE } from '../load.ts';
import { shanghaiDate, type Answers } from '@onevisit/protocol';
import { sampleSignaturePng } from '../png.ts';
import { MAX_JSON_BYTES, MAX_PDF_BYTES, readRegularFile } from '../read-input.ts';
import {
  checkNewer,
  DEFAULT_LIMITS,
  formatRefusal,
  generateSigningKeys,
  ManifestSchema,
  MANIFEST_ENTRY,
  PACKAGE_EXTENSION,
  parsePrivateKey,
  parsePublicKeys,
  readArchive,
  FILES_PREFIX,
  signPackage,
  verifyPackage,
  isSafeRelativePath,
} from '../signed-package.ts';
import { changeRollout, parseRing, publishToChannel, readCanaryIds, readIndex, readReports, ROLLOUT_ACTIONS, rolloutStatus } from '../channel.ts';
import { isChannelUrl, OpsChannelClient, parseOpsToken } from '../channel-http.ts';

export const HELP = `OneVisit form packages: check, import, preview, sign and verify.

Usage:
  npm run forms -- check DIR|FILE.ovpkg [--replaces DIR|FILE.ovpkg]
                                                  check a package folder (or a folder of packages) or archive;
                                                  with --replaces, its version must be higher
  npm run forms -- import FILE.pdf --out DIR      start a package from any fillable PDF
  npm run forms -- preview DIR [--data answers.json] --out FILE.pdf
                                                  fill as the terminal would (default data: DIR/sample.json)
  npm run forms -- keygen --out DIR               new Ed25519 key pair: DIR/signing.key (keep it on the ops
                                                  machine) and DIR/signing.pub (give it to terminals)
  npm run forms -- sign DIR --key KEY --out FILE.ovpkg
                                                  check the package, then sign it into one archive
  npm run forms -- verify FILE.ovpkg --key PUB    verify offline: signature by a key in PUB, every file's hash
Options:
  --min-agent VER   sign: minimum agent version (default 0.1.0)
  --rollback        sign: mark a deliberately older version as a rollback
  --agent VER       verify: refuse a package that needs a newer agent
  npm run forms -- publish FILE.ovpkg --channel DIR|URL [--ring canary|N%|all] [--halt-after N] [--ops-token-file FILE]
                                                  put it on a channel folder or the back office's channel
                                                  (http(s)://intake; needs its ops token) (default ring: canary);
                                                  the roll-out halts by itself when more than N terminals
                                                  report a failed activation (default 1)
  npm run forms -- rollout status [FORM_ID] --channel DIR|URL [--ops-token-file FILE]
                                                  which terminals run which version, pending, failed, rolled back
                                                  (from the terminals' reports; every form without FORM_ID)
  npm run forms -- rollout halt|resume|rollback FORM_ID --channel DIR|URL [--ops-token-file FILE]
                                                  stop, continue or withdraw the newest release
  npm run forms -- rollout widen FORM_ID --ring N%|all --channel DIR|URL [--ops-token-file FILE]
                                                  offer the newest release to a wider ring (10% -> 50% -> all)
  --reference REF   reference number printed on the preview (default PREVIEW-0001)
  --terminal ID     terminal id printed on the preview (default PREVIEW)
  --date YYYY-MM-DD date printed on the preview (default today)
  --lang zh-CN|en   language of printed choices and dates (default zh-CN)
  --force           import: overwrite an existing definition.json
  -h, --help        this text

Exit status: 0 ok, 1 problems found (each names the file, and the field where there is one),
2 usage error, 3 the command could not finish (a fault in this tool; the reason is printed).`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (l) => {
    process.stdout.write(`${l}\n`);
  },
  err: (l) => {
    process.stderr.write(`${l}\n`);
  },
};

class UsageError extends Error {}

function errorCode(e: unknown): string {
  return e instanceof Error && 'code' in e ? String(e.code) : 'error';
}

/** A failed file-system call (Node's SystemError carries the path and the call). */
function fileSystemFailure(e: unknown): { path: string; syscall: string; code: string } | undefined {
  if (!(e instanceof Error) || !('path' in e) || !('syscall' in e)) return undefined;
  return { path: String(e.path), syscall: String(e.syscall), code: errorCode(e) };
}

/**
 * Reads a file ops named on the command line: only a regular file under `maxBytes` (read-input.ts), so
 * `/dev/zero`, a FIFO or a folder is refused at once instead of read forever. Prints why it is refused.
 */
async function readInput(file: string, maxBytes: number, io: CliIo): Promise<Buffer | undefined> {
  const read = await readRegularFile(file, maxBytes);
  if (read.ok) return read.bytes;
  io.err(`${file}: ${read.detail}`);
  return undefined;
}

/** True when something (of any type) is at `path`; it is never read here (a FIFO would block). */
async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

/**
 * Checks a package folder or every package folder in a folder. Never stops at the first broken
 * package: every problem in every package is reported (a package that cannot be read at all is one
 * problem naming its folder), and the exit status is 1 when any package has a problem.
 */
async function cmdCheck(dir: string, io: CliIo): Promise<number> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) {
    io.err(`${dir}: does not exist`);
    return 1;
  }
  if (!info.isDirectory()) {
    io.err(`${dir}: not a folder (give a package folder, a folder of packages or a FILE${PACKAGE_EXTENSION})`);
    return 1;
  }
  const dirs: string[] = [];
  if (await exists(join(dir, DEFINITION_FILE))) dirs.push(dir);
  else {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      io.err(`${dir}: cannot be listed (${errorCode(e)})`);
      return 1;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (await exists(join(dir, e.name, DEFINITION_FILE))) dirs.push(join(dir, e.name));
    }
    if (dirs.length === 0) {
      io.err(`${join(dir, DEFINITION_FILE)}: cannot be read (no package here)`);
      return 1;
    }
  }
  let bad = 0;
  for (const d of dirs) {
    try {
      const pkg = await loadPackage(d);
      const problems = await checkPackage(pkg);
      for (const p of problems) io.err(formatProblem(p));
      if (problems.length > 0) bad++;
      else io.out(`ok ${pkg.definition.id}@${pkg.definition.version} (${d})`);
    } catch (e) {
      bad++;
      if (e instanceof PackageLoadError) for (const p of e.problems) io.err(formatProblem(p));
      else io.err(`${d}: cannot be checked (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return bad === 0 ? 0 : 1;
}

async function cmdImport(file: string, outDir: string, force: boolean, io: CliIo): Promise<number> {
  const read = await readInput(file, MAX_PDF_BYTES, io);
  if (read === undefined) return 1;
  const bytes = new Uint8Array(read);
  let result;
  try {
    result = await importPdf(bytes, basename(file));
  } catch (e) {
    io.err(`${file}: ${e instanceof Error ? e.message.replace(`${basename(file)}: `, '') : 'cannot import'}`);
    return 1;
  }
  const defFile = join(outDir, DEFINITION_FILE);
  if (!force && (await exists(defFile))) {
    io.err(`${defFile}: already exists (use --force to overwrite)`);
    return 1;
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(defFile, `${JSON.stringify(result.definition, null, 2)}\n`);
  await writeFile(join(outDir, DEFAULT_TEMPLATE_FILE), bytes);
  // Placeholder sample data, so that `preview` works at once; replace it with realistic answers.
  const sampleFile = join(outDir, SAMPLE_FILE);
  if (force || !(await exists(sampleFile))) await writeFile(sampleFile, `${JSON.stringify(placeholderAnswers(result.definition), null, 2)}\n`);
  for (const f of result.fields) io.out(`${f.pdfName} -> ${f.id} (${f.type})`);
  for (const s of result.skipped) io.out(`skipped ${s.pdfName}: ${s.reason}`);
  io.out(`wrote ${defFile} with ${result.fields.length} field(s); translate the texts, then run: npm run forms -- check ${outDir}`);
  return 0;
}

async function cmdPreview(
  dir: string,
  opts: { data?: string | undefined; out: string; reference: string; terminal: string; date: string; lang: 'zh-CN' | 'en' },
  io: CliIo,
): Promise<number> {
  let pkg;
  try {
    pkg = await loadPackage(dir);
  } catch (e) {
    if (e instanceof PackageLoadError) {
      for (const p of e.problems) io.err(formatProblem(p));
      return 1;
    }
    throw e;
  }
  let answers: Answers;
  const dataFile = opts.data ?? join(dir, SAMPLE_FILE);
  if (opts.data !== undefined) {
    try {
      answers = await loadAnswers(opts.data);
    } catch (e) {
      if (e instanceof PackageLoadError) {
        for (const p of e.problems) io.err(formatProblem(p));
        return 1;
      }
      throw e;
    }
  } else if (pkg.sample !== undefined) answers = pkg.sample;
  else {
    io.err(`${dataFile}: missing (give --data answers.json)`);
    return 1;
  }
  const filler = await createFiller();
  try {
    const pdf = await filler.fill(pkg, answers, {
      reference: opts.reference,
      terminalId: opts.terminal,
      dateIso: opts.date,
      signaturePng: sampleSignaturePng(),
      language: opts.lang,
    });
    await mkdir(dirname(opts.out), { recursive: true });
    await writeFile(opts.out, pdf);
    io.out(`wrote ${opts.out} (${pdf.length} bytes)`);
    return 0;
  } catch (e) {
    if (e instanceof FillError) {
      if (e.details.errors !== undefined && e.details.errors.length > 0) {
        for (const err of e.details.errors) io.err(`${dataFile}: ${err.path}: ${err.code}`);
      } else io.err(`${e.code === 'missingPdfField' ? join(dir, DEFINITION_FILE) : dataFile}: ${e.details.field ?? '(form)'}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** A package's form id and version: from DIR/definition.json or an archive's manifest (read, not verified). */
async function packageVersion(path: string, io: CliIo): Promise<{ id: string; version: string } | undefined> {
  if (path.endsWith(PACKAGE_EXTENSION)) {
    const read = await readArchiveFile(path, io);
    if (read === undefined) return undefined;
    const bytes = read.get(MANIFEST_ENTRY);
    let parsed;
    try {
      parsed = bytes === undefined ? undefined : ManifestSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !parsed.success) {
      io.err(`${path}: ${MANIFEST_ENTRY} missing or invalid`);
      return undefined;
    }
    return { id: parsed.data.formId, version: parsed.data.version };
  }
  try {
    const pkg = await loadPackage(path);
    return { id: pkg.definition.id, version: pkg.definition.version };
  } catch (e) {
    if (e instanceof PackageLoadError) for (const p of e.problems) io.err(formatProblem(p));
    else throw e;
    return undefined;
  }
}

async function readArchiveFile(file: string, io: CliIo): Promise<ReadonlyMap<string, Buffer> | undefined> {
  const bytes = await readInput(file, DEFAULT_LIMITS.maxArchiveBytes, io);
  if (bytes === undefined) return undefined;
  const read = await readArchive(bytes);
  if (!read.ok) {
    io.err(`${file}: REFUSED ${formatRefusal(read.refusal)}`);
    return undefined;
  }
  return read.value;
}

/** `check FILE.ovpkg`: unpacks the package files into a private temporary folder and checks them there. */
async function cmdCheckArchive(file: string, io: CliIo): Promise<number> {
  const entries = await readArchiveFile(file, io);
  if (entries === undefined) return 1;
  const dir = await mkdtemp(join(tmpdir(), 'ovpkg-check-'));
  try {
    for (const [name, data] of entries) {
      if (!name.startsWith(FILES_PREFIX)) continue;
      const rel = name.slice(FILES_PREFIX.length);
      if (!isSafeRelativePath(rel)) continue; // readArchive already refused unsafe names
      await mkdir(dirname(join(dir, rel)), { recursive: true });
      await writeFile(join(dir, rel), data);
    }
    const io2: CliIo = { out: (l) => io.out(l.replace(dir, file)), err: (l) => io.err(l.replaceAll(dir, file)) };
    return await cmdCheck(dir, io2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function cmdCheckReplacing(target: string, replaces: string, io: CliIo): Promise<number> {
  const status = target.endsWith(PACKAGE_EXTENSION) ? await cmdCheckArchive(target, io) : await cmdCheck(target, io);
  if (status !== 0) return status;
  const next = await packageVersion(target, io);
  const prev = await packageVersion(replaces, io);
  if (next === undefined || prev === undefined) return 1;
  if (next.id !== prev.id) {
    io.err(`${target}: form ${next.id} does not replace ${prev.id} (${replaces})`);
    return 1;
  }
  const refusal = checkNewer({ formId: next.id, version: next.version }, prev.version);
  if (refusal !== undefined) {
    io.err(`${target}: REFUSED ${formatRefusal(refusal)}`);
    return 1;
  }
  io.out(`ok ${next.id}@${next.version} replaces ${prev.version}`);
  return 0;
}

async function cmdKeygen(outDir: string, io: CliIo): Promise<number> {
  const keyFile = join(outDir, 'signing.key');
  if (await exists(keyFile)) {
    io.err(`${keyFile}: already exists (a key is never overwritten; choose another --out)`);
    return 1;
  }
  const keys = generateSigningKeys();
  await mkdir(outDir, { recursive: true });
  // flag 'wx': never replace a key that appeared meanwhile; mode 0600: the private key is the operator's alone.
  await writeFile(keyFile, keys.privatePem, { mode: 0o600, flag: 'wx' });
  await chmod(keyFile, 0o600);
  await writeFile(join(outDir, 'signing.pub'), keys.publicPem, { mode: 0o644 });
  io.out(`wrote ${keyFile} (private: keep it on this machine) and ${join(outDir, 'signing.pub')} (key id ${keys.keyId})`);
  return 0;
}

async function cmdSign(dir: string, keyFile: string, outFile: string, opts: { minAgent: string; rollback: boolean }, io: CliIo): Promise<number> {
  const pem = await readInput(keyFile, MAX_JSON_BYTES, io);
  if (pem === undefined) return 1;
  const key = parsePrivateKey(pem.toString('utf8'));
  if (key === undefined) {
    io.err(`${keyFile}: not an Ed25519 private key (make one with: npm run forms -- keygen --out DIR)`);
    return 1;
  }
  if (!outFile.endsWith(PACKAGE_EXTENSION)) throw new UsageError(`--out must end in ${PACKAGE_EXTENSION}`);
  // Only a package that passes `check` is signed.
  const checked = await cmdCheck(dir, { out: () => undefined, err: io.err });
  if (checked !== 0) return checked;
  const pkg = await loadPackage(dir);
  const signed = await signPackage(dir, key, {
    formId: pkg.definition.id,
    version: pkg.definition.version,
    minAgentVersion: opts.minAgent,
    now: new Date(),
    rollback: opts.rollback,
  });
  if (!signed.ok) {
    io.err(`${dir}: ${formatRefusal(signed.refusal)}`);
    return 1;
  }
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, signed.value.archive);
  const m = signed.value.manifest;
  io.out(`signed ${m.formId}@${m.version} (${m.files.length} files, key ${m.signerKeyId}) -> ${outFile}`);
  return 0;
}

async function cmdVerify(file: string, pubFile: string, agentVersion: string | undefined, io: CliIo): Promise<number> {
  const keysText = await readInput(pubFile, MAX_JSON_BYTES, io);
  if (keysText === undefined) return 1;
  const keys = parsePublicKeys(keysText.toString('utf8'));
  if (!keys.ok) {
    io.err(`${pubFile}: ${keys.refusal.detail}`);
    return 1;
  }
  const bytes = await readInput(file, DEFAULT_LIMITS.maxArchiveBytes, io);
  if (bytes === undefined) return 1;
  const started = performance.now();
  const verified = await verifyPackage(bytes, keys.value, agentVersion === undefined ? {} : { agentVersion });
  const ms = performance.now() - started;
  if (!verified.ok) {
    io.err(`${file}: REFUSED ${formatRefusal(verified.refusal)}`);
    return 1;
  }
  const m = verified.value.manifest;
  io.out(
    `ok ${m.formId}@${m.version} signed by ${m.signerKeyId} at ${m.createdAt}, ${m.files.length} files, sha256 ${verified.value.archiveSha256.slice(0, 8)} (${ms.toFixed(1)} ms)`,
  );
  return 0;
}

/** Where `publish` and `rollout` act: a channel folder, or the intake's /v1/packages/ with the ops token. */
type ChannelTarget = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 'url'; readonly url: string; readonly client: OpsChannelClient };

function channelName(target: ChannelTarget): string {
  return target.kind === 'dir' ? target.dir : target.url;
}

async function channelTarget(channel: string, tokenFile: string | undefined, io: CliIo): Promise<ChannelTarget | undefined> {
  if (!isChannelUrl(channel)) {
    if (tokenFile !== undefined) throw new UsageError('--ops-token-file is for an http(s) channel');
    return { kind: 'dir', dir: resolve(channel) };
  }
  if (tokenFile === undefined) throw new UsageError('an http(s) channel needs --ops-token-file FILE (the token the intake was started with)');
  const text = await readInput(resolve(tokenFile), MAX_JSON_BYTES, io);
  if (text === undefined) return undefined;
  const token = parseOpsToken(text.toString('utf8'));
  if (token === undefined) {
    io.err(`${tokenFile}: not an ops token (one line of at least 32 characters; make one with: npm run intake -- ops-token --out FILE)`);
    return undefined;
  }
  return { kind: 'url', url: channel, client: new OpsChannelClient({ baseUrl: channel, token }) };
}

async function cmdPublish(file: string, target: ChannelTarget, ringText: string, haltAfterFailures: number | undefined, io: CliIo): Promise<number> {
  if (parseRing(ringText) === undefined) throw new UsageError('--ring is canary, N% (1-100) or all');
  const bytes = await readInput(file, DEFAULT_LIMITS.maxArchiveBytes, io);
  if (bytes === undefined) return 1;
  const done = target.kind === 'dir' ? await publishToChannel(target.dir, bytes, ringText, new Date(), { haltAfterFailures }) : await target.client.publish(bytes, ringText, haltAfterFailures);
  if (!done.ok) {
    if (!('code' in done)) io.err(`${target.kind === 'url' ? target.url : file}: ${done.detail}`);
    else if (done.code === 'notNewer') io.err(`${file}: REFUSED ${done.code}: ${done.detail.replace(/^notNewer: /, '')} on the channel`);
    else io.err(`${file}: ${done.code === 'badArchive' ? `REFUSED ${done.detail}` : done.detail}`);
    return 1;
  }
  const { release } = done;
  io.out(`published ${done.formId}@${release.version} to ${release.ring} (sha256 ${release.sha256.slice(0, 8)}) in ${channelName(target)}`);
  return 0;
}

async function cmdRollout(action: string, formId: string | undefined, target: ChannelTarget, ring: string | undefined, io: CliIo): Promise<number> {
  if (action === 'status') {
    let read;
    if (target.kind === 'dir') {
      const index = await readIndex(target.dir);
      const { reports, invalid } = await readReports(target.dir);
      read = { index, reports, invalid: invalid.map((n) => join(target.dir, 'reports', n)), canary: await readCanaryIds(target.dir) };
    } else {
      const got = await target.client.read();
      if (!got.ok) {
        io.err(`${target.url}: ${got.detail}`);
        return 1;
      }
      read = { ...got, invalid: got.invalid.map((n) => `${target.url} reports/${n}`) };
    }
    const indexName = target.kind === 'dir' ? join(target.dir, 'index.json') : target.url;
    // Without a form id: every form of the channel, one block each (the fleet at a glance).
    const formIds = formId !== undefined ? [formId] : Object.keys(read.index.forms).filter((id) => (read.index.forms[id]?.releases ?? []).length > 0).sort();
    if (formId !== undefined && (read.index.forms[formId]?.releases ?? []).length === 0) {
      io.err(`${indexName}: no release of ${formId}`);
      return 1;
    }
    if (formIds.length === 0) io.out(`${indexName}: no releases yet`);
    for (const id of formIds) {
      if (formId === undefined) io.out(`# ${id}`);
      const s = rolloutStatus(read.index, id, read.reports, read.canary);
      for (const r of s.releases) io.out(`${id}@${r.version} ${r.status} ring ${r.ring} sha256 ${r.sha256.slice(0, 8)}`);
      for (const [v, ids] of Object.entries(s.running)) io.out(`running ${v}: ${ids.length} (${ids.join(', ')})`);
      io.out(`pending: ${s.pending.length}${s.pending.length > 0 ? ` (${s.pending.join(', ')})` : ''}`);
      for (const f of s.failed) io.out(`failed ${f.terminalId} ${f.version}: ${f.reason}`);
      io.out(`rolled back: ${s.rolledBack.length}${s.rolledBack.length > 0 ? ` (${s.rolledBack.join(', ')})` : ''}`);
    }
    for (const n of read.invalid) io.err(`${n}: not a valid report`);
    return 0;
  }
  if (formId === undefined) throw new UsageError(`rollout ${action} needs a FORM_ID`);
  const rolloutAction = ROLLOUT_ACTIONS.find((a) => a === action);
  if (rolloutAction === undefined) throw new UsageError('rollout is status, halt, resume, rollback or widen');
  if ((rolloutAction === 'widen') !== (ring !== undefined)) throw new UsageError('--ring goes with rollout widen (and only there)');
  const done = target.kind === 'dir' ? await changeRollout(target.dir, formId, rolloutAction, ring) : await target.client.rollout(formId, rolloutAction, ring);
  if (!done.ok) {
    const where = 'code' in done && done.code === 'noRelease' ? (target.kind === 'dir' ? join(target.dir, 'index.json') : target.url) : undefined;
    io.err(where === undefined ? done.detail : `${where}: ${done.detail}`);
    return 1;
  }
  io.out(`${formId}@${done.release.version}: ${done.release.status}${rolloutAction === 'widen' ? ` ring ${done.release.ring}` : ''}`);
  return 0;
}

export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        out: { type: 'string' },
        data: { type: 'string' },
        reference: { type: 'string' },
        terminal: { type: 'string' },
        date: { type: 'string' },
        lang: { type: 'string' },
        force: { type: 'boolean' },
        key: { type: 'string' },
        replaces: { type: 'string' },
        'min-agent': { type: 'string' },
        rollback: { type: 'boolean' },
        agent: { type: 'string' },
        channel: { type: 'string' },
        ring: { type: 'string' },
        'halt-after': { type: 'string' },
        'ops-token-file': { type: 'string' },
      },
    });
    const [command, target, ...rest] = positionals;
    if (values.help === true || command === undefined || command === 'help') {
      io.out(HELP);
      return values.help === true || command === 'help' ? 0 : 2;
    }
    if (command === 'rollout') {
      const [formId, ...more] = rest;
      if (target === undefined || (formId === undefined && target !== 'status') || values.channel === undefined || more.length > 0) {
        throw new UsageError('rollout needs status [FORM_ID] or halt|resume|rollback|widen FORM_ID, and --channel DIR|URL');
      }
      const channel = await channelTarget(values.channel, values['ops-token-file'], io);
      return channel === undefined ? 1 : await cmdRollout(target, formId, channel, values.ring, io);
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest.join(' ')}`);
    switch (command) {
      case 'check':
        if (target === undefined) throw new UsageError('check needs a DIR or FILE.ovpkg');
        if (values.replaces !== undefined) return await cmdCheckReplacing(resolve(target), resolve(values.replaces), io);
        return target.endsWith(PACKAGE_EXTENSION) ? await cmdCheckArchive(resolve(target), io) : await cmdCheck(resolve(target), io);
      case 'keygen':
        if (target !== undefined || values.out === undefined) throw new UsageError('keygen needs --out DIR');
        return await cmdKeygen(resolve(values.out), io);
      case 'sign': {
        if (target === undefined || values.key === undefined || values.out === undefined) throw new UsageError('sign needs DIR, --key KEY and --out FILE.ovpkg');
        const minAgent = values['min-agent'] ?? '0.1.0';
        if (!/^\d+\.\d+\.\d+$/.test(minAgent)) throw new UsageError('--min-agent is a version like 0.1.0');
        return await cmdSign(resolve(target), resolve(values.key), resolve(values.out), { minAgent, rollback: values.rollback === true }, io);
      }
      case 'verify':
        if (target === undefined || values.key === undefined) throw new UsageError('verify needs FILE.ovpkg and --key PUB');
        if (values.agent !== undefined && !/^\d+\.\d+\.\d+$/.test(values.agent)) throw new UsageError('--agent is a version like 0.1.0');
        return await cmdVerify(resolve(target), resolve(values.key), values.agent, io);
      case 'import':
        if (target === undefined || values.out === undefined) throw new UsageError('import needs FILE.pdf and --out DIR');
        return await cmdImport(resolve(target), resolve(values.out), values.force === true, io);
      case 'preview': {
        if (target === undefined || values.out === undefined) throw new UsageError('preview needs DIR and --out FILE.pdf');
        const lang = values.lang ?? 'zh-CN';
        if (lang !== 'zh-CN' && lang !== 'en') throw new UsageError('--lang is zh-CN or en');
        const date = values.date ?? shanghaiDate(Date.now());
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UsageError('--date is YYYY-MM-DD');
        return await cmdPreview(
          resolve(target),
          {
            data: values.data === undefined ? undefined : resolve(values.data),
            out: resolve(values.out),
            reference: values.reference ?? 'PREVIEW-0001',
            terminal: values.terminal ?? 'PREVIEW',
            date,
            lang,
          },
          io,
        );
      }
      case 'publish': {
        if (target === undefined || values.channel === undefined) throw new UsageError('publish needs FILE.ovpkg and --channel DIR|URL');
        const haltText = values['halt-after'];
        if (haltText !== undefined && !/^\d{1,6}$/.test(haltText)) throw new UsageError('--halt-after is a number of terminals (0-999999)');
        const channel = await channelTarget(values.channel, values['ops-token-file'], io);
        return channel === undefined ? 1 : await cmdPublish(resolve(target), channel, values.ring ?? 'canary', haltText === undefined ? undefined : Number(haltText), io);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`forms: ${e.message}\n\n${HELP}`);
      return 2;
    }
    // Ops read a reason naming the file, never a stack trace.
    const fsFailure = fileSystemFailure(e);
    if (fsFailure !== undefined) {
      io.err(`${fsFailure.path}: ${fsFailure.syscall} failed (${fsFailure.code})`);
      return 1;
    }
    io.err(`forms: could not finish (${e instanceof Error ? e.message : String(e)})`);
    return 3;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  try {
    process.exitCode = await runCli(process.argv.slice(2));
  } catch (e) {
    // Ops read a reason, never a stack trace.
    process.stderr.write(`forms: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
