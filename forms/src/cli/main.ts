// The ops command: `npm run forms -- <check|import|preview> ...` (see `--help`).
// Exit status 0 on success, 1 on any problem (each printed as `file: field: message`), 2 on bad usage.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkPackage } from '../check.ts';
import { createFiller, FillError } from '../fill.ts';
import { importPdf, placeholderAnswers } from '../import-pdf.ts';
import { DEFINITION_FILE, DEFAULT_TEMPLATE_FILE, formatProblem, loadAnswers, loadPackage, PackageLoadError, SAMPLE_FILE } from '../load.ts';
import type { Answers } from '../format.ts';
import { sampleSignaturePng } from '../png.ts';

export const HELP = `OneVisit form packages: check, import and preview.

Usage:
  npm run forms -- check DIR                      check a package folder (or a folder of packages)
  npm run forms -- import FILE.pdf --out DIR      start a package from any fillable PDF
  npm run forms -- preview DIR [--data answers.json] --out FILE.pdf
                                                  fill as the terminal would (default data: DIR/sample.json)
Options:
  --reference REF   reference number printed on the preview (default PREVIEW-0001)
  --terminal ID     terminal id printed on the preview (default PREVIEW)
  --date YYYY-MM-DD date printed on the preview (default today)
  --lang zh-CN|en   language of printed choices and dates (default zh-CN)
  --force           import: overwrite an existing definition.json
  -h, --help        this text

Exit status: 0 ok, 1 problems found (each names the file and field), 2 usage error.`;

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

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

async function cmdCheck(dir: string, io: CliIo): Promise<number> {
  const dirs: string[] = [];
  if (await exists(join(dir, DEFINITION_FILE))) dirs.push(dir);
  else {
    const { readdir } = await import('node:fs/promises');
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      io.err(`${join(dir, DEFINITION_FILE)}: cannot be read (missing?)`);
      return 1;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && (await exists(join(dir, e.name, DEFINITION_FILE)))) dirs.push(join(dir, e.name));
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
      else throw e;
    }
  }
  return bad === 0 ? 0 : 1;
}

async function cmdImport(file: string, outDir: string, force: boolean, io: CliIo): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch {
    io.err(`${file}: cannot be read`);
    return 1;
  }
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

function todayIso(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
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
      },
    });
    const [command, target, ...rest] = positionals;
    if (values.help === true || command === undefined || command === 'help') {
      io.out(HELP);
      return values.help === true || command === 'help' ? 0 : 2;
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest.join(' ')}`);
    switch (command) {
      case 'check':
        if (target === undefined) throw new UsageError('check needs a DIR');
        return await cmdCheck(resolve(target), io);
      case 'import':
        if (target === undefined || values.out === undefined) throw new UsageError('import needs FILE.pdf and --out DIR');
        return await cmdImport(resolve(target), resolve(values.out), values.force === true, io);
      case 'preview': {
        if (target === undefined || values.out === undefined) throw new UsageError('preview needs DIR and --out FILE.pdf');
        const lang = values.lang ?? 'zh-CN';
        if (lang !== 'zh-CN' && lang !== 'en') throw new UsageError('--lang is zh-CN or en');
        const date = values.date ?? todayIso();
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
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`forms: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  process.exitCode = await runCli(process.argv.slice(2));
}
