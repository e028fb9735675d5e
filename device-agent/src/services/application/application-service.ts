import { FillError, type FormPackage } from '@onevisit/forms';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import type { A4Printer, PdfJobResult, PdfJobStage } from '../../devices/printer/driver.ts';
import type { ReceiptJobResult, ReceiptPrinter } from '../../devices/receipt-printer/driver.ts';
import type { SubmissionFormsPort } from '../../outbox/service.ts';
import {
  formatShanghaiIsoMs,
  shanghaiDate,
  validateAnswers,
  type Answers,
  type FieldError,
  type FormListItem,
  type Identity,
  type Language,
  type ReceiptDocument,
  type SessionApplication,
} from '@onevisit/protocol';
import { mergeCard, prefillFor, readAnswers, rememberAnswers, fromFormsError, type AnswerError } from './answers.ts';
import { FormCatalog, type CatalogEntry } from './form-catalog.ts';
import type { VisitApplication, VisitMemory } from './visit-memory.ts';

/**
 * The citizen-level application flow (DESIGN.md "service" layer): form catalogue → prefill from
 * the card and from this visit → fill for review → (Forms.Submit through the outbox, which calls
 * back into `submissionPort()` to validate and fill with the reference) → print the application
 * on A4 and the receipt, from the PDF held in this session's memory. Never sees bytes of a device.
 */

/** What the flow needs of the connection's session (server/handler.ts `Session` has it). */
export interface ApplicationSession {
  readonly identity: Identity | undefined;
  readonly application: VisitMemory;
}

/** One fill of a served form (Forms.Fill or Forms.Submit), as form updates watch it after an activation (issue 16). */
export interface FillOutcome {
  readonly formId: string;
  readonly version: string;
  /** The signed archive the form came from; undefined for the shipped forms folder. */
  readonly archiveSha256: string | undefined;
  /** false: the package's fault (a PDF field missing or of the wrong type, a box its reference does not fit, an unreadable template, an unexpected error). */
  readonly ok: boolean;
  /** The fill error's code when not ok (a FillError code, or `unexpected`). */
  readonly code?: string;
}

export type ApplicationServiceOptions = {
  catalog: FormCatalog;
  clock: Clock;
  terminalId: string;
  printer: A4Printer;
  receiptPrinter: ReceiptPrinter;
  log?: Logger | undefined;
  /** Told of every fill that succeeded or failed through the package's fault; not of answers the filler refused, nor of a missing font (the terminal's fault). */
  onFill?: ((outcome: FillOutcome) => void) | undefined;
};

/** Texts the filler draws besides the answers: overflowing or unprintable there, the package's box is at fault, not the citizen. */
const PACKAGE_TEXTS: ReadonlySet<string> = new Set(['reference', 'date', 'terminalId']);

/**
 * Whose fault a fill error is: the package's (form updates roll such a version back), the answers'
 * (the citizen corrects them), or the terminal's (fonts).
 */
export function fillFault(pkg: FormPackage, error: unknown): 'package' | 'answers' | 'terminal' {
  if (!(error instanceof FillError)) return 'package';
  switch (error.code) {
    case 'missingPdfField':
    case 'wrongPdfFieldType':
    case 'badTemplate':
      return 'package';
    case 'fontUnavailable':
      return 'terminal';
    case 'missingGlyph':
    case 'textOverflow': {
      const field = error.details.field ?? '';
      const isAnswer = pkg.definition.sections.some((s) => s.fields.some((f) => f.id === field.split(/[[.]/, 1)[0]));
      return PACKAGE_TEXTS.has(field) && !isAnswer ? 'package' : 'answers';
    }
    case 'invalidAnswers':
    case 'badSignature':
      return 'answers';
    default: {
      const unreachable: never = error.code;
      return unreachable;
    }
  }
}

/** On a preview no reference exists yet; this goes where the reference will be. */
export const PREVIEW_REFERENCE = '预览 PREVIEW';

export type PrepareResult =
  | { ok: true; entry: CatalogEntry; answers: Answers }
  | { ok: false; code: 'unknownForm' | 'identityRequired' | 'validationFailed'; errors?: AnswerError[] };

export type PrefillResult =
  | { ok: true; formId: string; version: string; answers: Answers; sources: Record<string, 'card' | 'visit'>; lockedFields: string[] }
  | { ok: false; code: 'unknownForm' | 'identityRequired' };

export type FillResult =
  | { ok: true; formId: string; version: string; pdf: Uint8Array; pages: number; answers: Answers }
  | { ok: false; code: 'unknownForm' | 'identityRequired' | 'validationFailed' | 'fillFailed'; errors?: AnswerError[] };

export type PrintFormResult = PdfJobResult | { kind: 'notFound' } | { kind: 'noDocument' };
export type PrintReceiptResult = ReceiptJobResult | { kind: 'notFound' };


export class ApplicationService {
  readonly catalog: FormCatalog;
  readonly #clock: Clock;
  readonly #terminalId: string;
  readonly #printer: A4Printer;
  readonly #receiptPrinter: ReceiptPrinter;
  readonly #log: Logger | undefined;
  readonly #onFill: ((outcome: FillOutcome) => void) | undefined;

  constructor(options: ApplicationServiceOptions) {
    this.catalog = options.catalog;
    this.#clock = options.clock;
    this.#terminalId = options.terminalId;
    this.#printer = options.printer;
    this.#receiptPrinter = options.receiptPrinter;
    this.#log = options.log;
    this.#onFill = options.onFill;
  }

  /** Tells the watcher of a fill's outcome; a failure that is not the package's is not told. */
  #observe(entry: CatalogEntry, error?: unknown): void {
    if (this.#onFill === undefined) return;
    const base = { formId: entry.pkg.definition.id, version: entry.pkg.definition.version, archiveSha256: entry.archiveSha256 };
    if (error === undefined) {
      this.#onFill({ ...base, ok: true });
    } else if (fillFault(entry.pkg, error) === 'package') {
      this.#onFill({ ...base, ok: false, code: error instanceof FillError ? error.code : 'unexpected' });
    }
  }

  #today(): string {
    return shanghaiDate(this.#clock.now());
  }

  /** The memory of this session, bound to the card now in it (another card: wiped first). */
  #memory(session: ApplicationSession): VisitMemory {
    session.application.bindTo(session.identity?.idNumber);
    return session.application;
  }

  list(): FormListItem[] {
    return this.catalog.list();
  }

  get(formId: string): FormListItem | undefined {
    return this.catalog.get(formId)?.item;
  }

  prefill(session: ApplicationSession, formId: string): PrefillResult {
    const entry = this.catalog.get(formId);
    if (!entry) return { ok: false, code: 'unknownForm' };
    if (entry.item.requiresIdentity && session.identity === undefined) return { ok: false, code: 'identityRequired' };
    const memory = this.#memory(session);
    const { answers, sources } = prefillFor(entry.pkg, session.identity, memory, this.#today());
    return {
      ok: true,
      formId,
      version: entry.pkg.definition.version,
      answers,
      sources,
      lockedFields: session.identity === undefined ? [] : [...entry.identityFields].filter((id) => id in answers),
    };
  }

  /**
   * Reads, merges with the card and validates answers; remembers the valid ones for the visit.
   * The answers returned are normalised (hidden fields dropped): these are what gets filled and sealed.
   */
  prepare(session: ApplicationSession, formId: string, raw: Readonly<Record<string, unknown>>): PrepareResult {
    const entry = this.catalog.get(formId);
    if (!entry) return { ok: false, code: 'unknownForm' };
    if (entry.item.requiresIdentity && session.identity === undefined && !carriesIdentity(entry.pkg.definition, raw)) {
      return { ok: false, code: 'identityRequired' };
    }
    const memory = this.#memory(session);
    const read = readAnswers(raw);
    const merged = mergeCard(entry.pkg, session.identity, read.answers);
    const result = validateAnswers(entry.pkg, merged.answers, { todayIso: this.#today() });
    rememberAnswers(entry.pkg, result.answers, entry.identityFields, memory);
    const errors = [...read.errors, ...merged.errors];
    const flagged = new Set(errors.map((e) => e.field));
    for (const e of result.errors) if (!flagged.has(e.path)) errors.push(fromFormsError(e));
    if (errors.length > 0) return { ok: false, code: 'validationFailed', errors };
    return { ok: true, entry, answers: result.answers };
  }

  /** Forms.Fill: the PDF for review, with a preview mark where the reference will go. */
  async fill(
    session: ApplicationSession,
    formId: string,
    raw: Readonly<Record<string, unknown>>,
    options: { language?: Language | undefined; signaturePng?: Uint8Array | undefined } = {},
  ): Promise<FillResult> {
    const prepared = this.prepare(session, formId, raw);
    if (!prepared.ok) return prepared;
    const { entry, answers } = prepared;
    try {
      const filler = await this.catalog.filler();
      const pdf = await filler.fill(entry.pkg, answers, {
        reference: PREVIEW_REFERENCE,
        terminalId: this.#terminalId,
        dateIso: this.#today(),
        language: options.language ?? 'zh-CN',
        ...(options.signaturePng === undefined ? {} : { signaturePng: options.signaturePng }),
      });
      this.#observe(entry);
      return { ok: true, formId, version: entry.pkg.definition.version, pdf, pages: entry.pageCount, answers };
    } catch (error) {
      this.#observe(entry, error);
      return this.#fillFailure(entry.pkg, error);
    }
  }

  #fillFailure(pkg: FormPackage, error: unknown): FillResult {
    const formId = pkg.definition.id;
    if (error instanceof FillError && fillFault(pkg, error) === 'answers') {
      const field = error.details.field ?? '';
      switch (error.code) {
        case 'missingGlyph':
          return { ok: false, code: 'validationFailed', errors: [{ field, code: 'unprintableCharacter' }] };
        case 'textOverflow':
          return { ok: false, code: 'validationFailed', errors: [{ field, code: 'textOverflow' }] };
        case 'invalidAnswers':
          return { ok: false, code: 'validationFailed', errors: (error.details.errors ?? []).map(fromFormsError) };
        case 'badSignature':
          return { ok: false, code: 'validationFailed', errors: [{ field: 'signaturePng', code: 'wrongType' }] };
        case 'missingPdfField':
        case 'wrongPdfFieldType':
        case 'badTemplate':
        case 'fontUnavailable':
          break;
        default: {
          const unreachable: never = error.code;
          return unreachable;
        }
      }
    }
    if (error instanceof FillError) {
      // Package or installation problems (a reference that does not fit the package's box too): the message names the package and field, never a value.
      this.#log?.error({ formId, fillErrorCode: error.code, message: error.message }, 'forms: filling failed');
    } else {
      this.#log?.error({ formId, errorType: error instanceof Error ? error.name : typeof error }, 'forms: filling failed');
    }
    return { ok: false, code: 'fillFailed' };
  }

  /**
   * What the outbox (outbox/service.ts) needs: the package version, validation against the
   * package, and the PDF filled with the reference it reserved, the terminal id, the date and the
   * signature. Answers reaching it went through `prepare()` in the Forms.Submit handler already.
   */
  submissionPort(): SubmissionFormsPort {
    return {
      formVersion: (formId) => this.catalog.version(formId),
      validate: (formId, answers): FieldError[] => {
        const entry = this.catalog.get(formId);
        if (!entry) return [{ field: '', code: 'unknownForm' }];
        const read = readAnswers(answers);
        const result = validateAnswers(entry.pkg, read.answers, { todayIso: this.#today() });
        return [...read.errors, ...result.errors.map(fromFormsError)].map((e) => ({ field: e.field, code: e.code }));
      },
      fillPdf: async (formId, answers, extras) => {
        const entry = this.catalog.get(formId);
        if (!entry) throw new Error('fillPdf: unknown form');
        const filler = await this.catalog.filler();
        try {
          const pdf = await filler.fill(entry.pkg, readAnswers(answers).answers, {
            reference: extras.reference,
            terminalId: extras.terminalId,
            dateIso: shanghaiDate(extras.atMs),
            language: 'zh-CN',
            ...(extras.signaturePng === undefined ? {} : { signaturePng: extras.signaturePng }),
          });
          this.#observe(entry);
          return pdf;
        } catch (error) {
          this.#observe(entry, error);
          throw error;
        }
      },
    };
  }

  /** After Forms.Submit succeeded: keep the PDF (memory only) for printing. */
  recordSubmission(
    session: ApplicationSession,
    submitted: { reference: string; formId: string; acceptedAtMs: number; pdf: Uint8Array | undefined },
  ): void {
    const entry = this.catalog.get(submitted.formId);
    const def = entry?.pkg.definition;
    this.#memory(session).addApplication({
      reference: submitted.reference,
      formId: submitted.formId,
      version: def?.version ?? 'unknown',
      title: def?.title ?? { 'zh-CN': submitted.formId, en: submitted.formId },
      acceptedAtMs: submitted.acceptedAtMs,
      pdf: submitted.pdf,
      formPrinted: false,
      receiptPrinted: false,
    });
  }

  applications(session: ApplicationSession): SessionApplication[] {
    return this.#memory(session)
      .applications()
      .map((a) => ({
        reference: a.reference,
        formId: a.formId,
        title: a.title['zh-CN'],
        titleEn: a.title.en,
        acceptedAt: formatShanghaiIsoMs(a.acceptedAtMs),
        formPrinted: a.formPrinted,
        receiptPrinted: a.receiptPrinted,
        pdfAvailable: a.pdf !== undefined,
      }));
  }

  /** Prints the application on A4 from memory. A failure leaves it printable again; it is in the outbox whatever happens. */
  async printForm(
    session: ApplicationSession,
    reference: string,
    options: { copies?: number | undefined; signal?: AbortSignal | undefined; onStage?: ((stage: PdfJobStage) => void) | undefined } = {},
  ): Promise<PrintFormResult> {
    const app = this.#memory(session).application(reference);
    if (!app) return { kind: 'notFound' };
    if (app.pdf === undefined) return { kind: 'noDocument' };
    const result = await this.#printer.printPdf(app.pdf, {
      // The job name is visible in the print system: the reference, never a name.
      title: `OneVisit ${reference}`,
      ...(options.copies === undefined ? {} : { copies: options.copies }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onStage === undefined ? {} : { onStage: options.onStage }),
    });
    if (result.kind === 'printed') app.formPrinted = true;
    else this.#log?.warn({ reference, result: result.kind, reason: 'reason' in result ? result.reason : undefined }, 'application: A4 print failed');
    return result;
  }

  async printReceipt(session: ApplicationSession, reference: string, signal?: AbortSignal): Promise<PrintReceiptResult> {
    const app = this.#memory(session).application(reference);
    if (!app) return { kind: 'notFound' };
    const entry = this.catalog.get(app.formId);
    const result = await this.#receiptPrinter.print(buildReceipt(app, entry, this.#terminalId), signal === undefined ? {} : { signal });
    if (result.kind === 'printed') app.receiptPrinted = true;
    else this.#log?.warn({ reference, result: result.kind }, 'application: receipt print failed');
    return result;
  }
}

/** `2026年11月23日 02:14` in China Standard Time. */
export function formatAcceptedZh(epochMs: number): string {
  const iso = formatShanghaiIsoMs(epochMs);
  const [y = '', m = '', d = ''] = iso.slice(0, 10).split('-');
  return `${y}年${Number(m)}月${Number(d)}日 ${iso.slice(11, 16)}`;
}

/**
 * The receipt the citizen takes home. No personal data: the reference (also as QR code), the
 * form title, date, terminal and what happens next. Both languages, zh-CN first.
 */
export function buildReceipt(app: VisitApplication, entry: CatalogEntry | undefined, terminalId: string): ReceiptDocument {
  const def = entry?.pkg.definition;
  const department = def?.department;
  const blocks: ReceiptDocument['blocks'] = [
    { kind: 'text', text: 'Application receipt', align: 'center' },
    { kind: 'separator' },
    { kind: 'row', label: '办理事项', value: app.title['zh-CN'] },
    { kind: 'text', text: app.title.en },
    { kind: 'row', label: '受理编号', value: app.reference, bold: true },
    { kind: 'row', label: '提交时间', value: formatAcceptedZh(app.acceptedAtMs) },
    { kind: 'row', label: '终端编号', value: terminalId },
    { kind: 'qr', data: app.reference, moduleSize: 6, errorCorrection: 'M', caption: app.reference },
    { kind: 'separator' },
    {
      kind: 'text',
      text: `您的申请已提交并加密保存，将在工作时间送达${department?.['zh-CN'] ?? '受理部门'}审核。`,
    },
  ];
  if (def !== undefined) {
    blocks.push({ kind: 'row', label: '承诺时限', value: def.notice.timeLimit['zh-CN'] });
    blocks.push({ kind: 'text', text: `结果领取：${def.notice.collection['zh-CN']}` });
  }
  blocks.push(
    // Only what works today: no progress query yet (its issue adds the text back).
    { kind: 'text', text: '请妥善保管本回执，咨询办理情况时请出示受理编号。' },
    { kind: 'feed', lines: 1 },
    { kind: 'text', text: 'Your application has been submitted and is kept encrypted until the office processes it. Keep this receipt and show its reference number when you ask about the application.' },
  );
  return { title: '申请受理回执', blocks, cut: 'partial' };
}

type WireScalar = string | number | boolean | null | string[];
/** Answers as JSON (the protocol's SubmissionAnswersSchema): undefined entries dropped, group rows included. */
export type WireAnswers = Record<string, WireScalar | Record<string, WireScalar>[]>;

function isWireScalar(v: unknown): v is WireScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

export function answersForWire(answers: Answers): WireAnswers {
  const out: WireAnswers = {};
  for (const [k, v] of Object.entries(answers)) {
    if (v === undefined) continue;
    if (isWireScalar(v)) {
      out[k] = v;
    } else {
      out[k] = v.map((row) => {
        const r: Record<string, WireScalar> = {};
        for (const [rk, rv] of Object.entries(row)) if (isWireScalar(rv)) r[rk] = rv;
        return r;
      });
    }
  }
  return out;
}

/**
 * Answers that give the applicant's name and ID number themselves stand in for a card read
 * (a citizen without a card who typed them, or a client driving the API directly): they are
 * validated like every answer (GB 11643 check character included) and the back office checks them.
 * Without them, a form that prefills from the card needs a card read first.
 */
function carriesIdentity(definition: FormPackage['definition'], raw: Readonly<Record<string, unknown>>): boolean {
  const fields: string[] = [];
  for (const key of ['name', 'idNumber'] as const) {
    const target = definition.prefill?.[key];
    if (target !== undefined) fields.push(typeof target === 'string' ? target : target.field);
  }
  return fields.length > 0 && fields.every((field) => {
    const value = raw[field];
    return typeof value === 'string' && value.trim() !== '';
  });
}
