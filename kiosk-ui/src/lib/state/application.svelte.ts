import type { FormListItem, ReceiptDocument } from '@onevisit/device-agent/protocol';
import type { AgentClient } from '../agent/client.ts';
import type { Locale } from '../i18n/i18n.svelte.ts';
import type { ApplyPrintError, ApplySubmitError } from './application-types.ts';
import type { DocumentCheckFlow } from './document-check.svelte.ts';
import type { ScanErrorCode } from './scan-codes.ts';
import { AnswersSchema } from '@onevisit/forms/format';
import {
  FormView,
  answersForWire,
  chinaTodayIso,
  isAnswered,
  parseDefinition,
  pathKey,
  printErrorOf,
  readAnswer,
  setOf,
  submitErrorOf,
  topField,
  type AnswerValue,
  type Answers,
  type Field,
  type FieldPath,
  type FieldProblem,
  type FormPackageDefinition,
  type GroupItem,
  type Section,
} from './application-form.ts';

/**
 * The one-form application journey (issue 4, 5): catalogue → 一次性告知单 → (card) → the form,
 * one section per screen → review → signature → Forms.Submit → reference and printing →
 * another service of the same visit.
 *
 * Personal data (answers, signature, reference) lives only in this object, which the session
 * owns (`SessionState.application`) and drops with `wipe()` on idle, card removal or the end of
 * the session. Nothing is written anywhere else.
 */

export type ApplyStep = 'catalog' | 'notice' | 'check' | 'prefill' | 'form' | 'review' | 'sign' | 'submit' | 'done';

export type PrintState =
  | { readonly status: 'waiting' }
  | { readonly status: 'printing' }
  | { readonly status: 'printed' }
  | { readonly status: 'failed'; readonly error: ApplyPrintError };

/** What the flow needs of the kiosk around it. */
export interface ApplyHost {
  readonly client: AgentClient;
  locale(): Locale;
  /** A card was read in this session. */
  hasIdentity(): boolean;
  /** Read the card with the identify screen, then come back (`identified()` / `identifyCanceled()`). */
  identify(): void;
  /** The citizen is done: end the session (personal data goes). */
  finish(): void;
  /** Back to the home screen of the kiosk (the session goes on). */
  home(): void;
  /** Activity for the idle timer (long waits that are not the citizen's). */
  poke(): void;
  /** The session's name and ID number, for checking a scanned material (never stored here). */
  identity(): { readonly name: string; readonly idNumber: string } | undefined;
  /** What stops the scanner now, or undefined when it can scan. */
  scannerProblem(): ScanErrorCode | undefined;
}

type GroupField = Extract<Field, { type: 'group' }>;

export class ApplicationFlow {
  step = $state<ApplyStep>('catalog');

  // The catalogue: not personal.
  forms = $state.raw<readonly FormListItem[]>([]);
  catalogStatus = $state<'loading' | 'ready' | 'failed'>('loading');
  category = $state('all');
  query = $state('');

  // The form being filled.
  form = $state.raw<FormListItem | undefined>(undefined);
  definition = $state.raw<FormPackageDefinition | undefined>(undefined);
  prefillStatus = $state<'loading' | 'failed'>('loading');
  noticePrint = $state<PrintState>({ status: 'waiting' });

  // Personal data of this application.
  answers = $state<Answers>({});
  sources = $state.raw<Readonly<Record<string, 'card' | 'visit'>>>({});
  locked = $state.raw<ReadonlySet<string>>(setOf());
  signaturePng = $state.raw<string | undefined>(undefined);
  /** Problems the agent found (`payload.errors`), by path, until that answer changes. */
  serverErrors = $state.raw<Readonly<Record<string, FieldProblem>>>({});

  // Navigation inside the form.
  sectionId = $state<string | undefined>(undefined);
  /** Sections the visit already answered completely (card + earlier forms): not asked again. */
  skipped = $state.raw<ReadonlySet<string>>(setOf());
  returnToReview = $state(false);
  /** Paths whose own problems show (the citizen left them), and sections whose all problems show (tried "next"). */
  touched = $state.raw<ReadonlySet<string>>(setOf());
  revealed = $state.raw<ReadonlySet<string>>(setOf());
  /** The text field the on-screen keyboard types into. */
  active = $state.raw<FieldPath | undefined>(undefined);
  signatureMissing = $state(false);

  // Submission and printing.
  submitStatus = $state<'idle' | 'running' | 'failed'>('idle');
  submitError = $state<ApplySubmitError | undefined>(undefined);
  reference = $state<string | undefined>(undefined);
  printForm = $state<PrintState>({ status: 'waiting' });
  printReceipt = $state<PrintState>({ status: 'waiting' });
  /** References accepted in this visit (the citizen sees how many). */
  submitted = $state.raw<readonly string[]>([]);
  /** "Scan it now" for paper materials of the notice (lazy-loaded; its checked pages go with Forms.Submit). */
  checks = $state.raw<DocumentCheckFlow | undefined>(undefined);

  readonly today = chinaTodayIso();
  readonly view = $derived(this.definition === undefined ? undefined : new FormView(this.definition, this.answers, this.today));
  /** Visible sections still to be asked, in order. */
  readonly steps = $derived(this.view === undefined ? [] : this.view.visibleSections().filter((s) => !this.skipped.has(s.id)));
  readonly section = $derived(this.steps.find((s) => s.id === this.sectionId));

  readonly #host: ApplyHost;

  /** Whether the session already has an identity (card read or document confirmed). */
  hasIdentity(): boolean {
    return this.#host.hasIdentity();
  }
  #submissionId: string | undefined;
  /** Bumped on every wipe/reset: completions of an earlier generation are ignored. */
  #generation = 0;
  #awaitingCard = false;
  /** The material whose check waits for the card to be read. */
  #checkAfterCard: number | undefined;

  constructor(host: ApplyHost) {
    this.#host = host;
    void this.loadCatalog();
  }

  // ------------------------------------------------------------------ catalogue and notice

  async loadCatalog(): Promise<void> {
    const generation = this.#generation;
    this.catalogStatus = 'loading';
    const result = await this.#host.client.send('Forms.List', {}).result;
    if (generation !== this.#generation) return;
    if (result.ok) {
      this.forms = result.payload.forms;
      this.catalogStatus = 'ready';
    } else {
      this.catalogStatus = 'failed';
    }
  }

  /** Categories present in the catalogue, in catalogue order. */
  get categories(): string[] {
    return [...setOf(this.forms.map((f) => f.category))];
  }

  matches(form: FormListItem): boolean {
    if (this.category !== 'all' && form.category !== this.category) return false;
    const q = this.query.trim().toLowerCase();
    if (q === '') return true;
    const hay = [form.title, form.titleEn, form.description?.['zh-CN'] ?? '', form.description?.en ?? '', form.department?.['zh-CN'] ?? ''].join(' ').toLowerCase();
    return q.split(/\s+/).every((word) => hay.includes(word));
  }

  choose(form: FormListItem): void {
    if (this.form?.id !== form.id) this.#resetForm();
    this.form = form;
    this.definition = parseDefinition(form);
    this.noticePrint = { status: 'waiting' };
    this.step = 'notice';
  }

  backToCatalog(): void {
    this.#resetForm();
    this.step = 'catalog';
  }

  async printNotice(notice: ReceiptDocument): Promise<void> {
    this.noticePrint = { status: 'printing' };
    const generation = this.#generation;
    const result = await this.#host.client.send('ReceiptPrinter.Print', { receipt: notice }).result;
    if (generation !== this.#generation) return;
    this.noticePrint = result.ok ? { status: 'printed' } : { status: 'failed', error: printErrorOf(result.completionCode, result.errorCode) };
  }

  /** "Start": the card first if the form needs it and none was read; then the prefilled form. */
  start(): void {
    if (this.form === undefined) return;
    if (this.sectionId !== undefined && this.definition !== undefined) {
      // Back from the form to the notice and forward again: the answers are still here.
      this.step = 'form';
      return;
    }
    if (this.form.requiresIdentity && !this.#host.hasIdentity()) {
      this.#awaitingCard = true;
      this.#host.identify();
      return;
    }
    void this.#prefill();
  }

  /** The identify screen read the card: carry on. */
  identified(): void {
    if (!this.#awaitingCard) return;
    this.#awaitingCard = false;
    const material = this.#checkAfterCard;
    this.#checkAfterCard = undefined;
    if (material !== undefined) void this.checkMaterial(material);
    else void this.#prefill();
  }

  identifyCanceled(): void {
    this.#awaitingCard = false;
    this.#checkAfterCard = undefined;
    this.step = 'notice';
  }

  /** "Scan it now" on a paper material: the card first (the check needs the name and ID number), then the scanner. */
  async checkMaterial(material: number): Promise<void> {
    if (this.form === undefined) return;
    if (!this.#host.hasIdentity()) {
      this.#awaitingCard = true;
      this.#checkAfterCard = material;
      this.#host.identify();
      return;
    }
    const generation = this.#generation;
    const { DocumentCheckFlow } = await import('./document-check.svelte.ts');
    if (generation !== this.#generation) return;
    this.checks ??= new DocumentCheckFlow({
      client: this.#host.client,
      identity: () => this.#host.identity(),
      scannerProblem: () => this.#host.scannerProblem(),
      poke: () => this.#host.poke(),
      close: () => {
        if (this.step === 'check') this.step = 'notice';
      },
    });
    this.checks.open(material);
    this.step = 'check';
  }

  async #prefill(): Promise<void> {
    const form = this.form;
    const def = this.definition;
    this.step = 'prefill';
    this.prefillStatus = 'loading';
    if (form === undefined || def === undefined) {
      this.prefillStatus = 'failed';
      return;
    }
    const generation = this.#generation;
    const result = await this.#host.client.send('Forms.Prefill', { formId: form.id }).result;
    if (generation !== this.#generation) return;
    if (!result.ok) {
      if (result.errorCode === 'identityRequired') {
        this.#awaitingCard = true;
        this.#host.identify();
        return;
      }
      this.prefillStatus = 'failed';
      return;
    }
    // Validated at the boundary: only answer shapes the forms library knows.
    const parsed = AnswersSchema.safeParse(result.payload.answers);
    const answers: Answers = parsed.success ? parsed.data : {};
    // A required repeating group starts with one empty row to fill.
    for (const section of def.sections) {
      for (const field of section.fields) {
        if (field.type === 'group' && !Array.isArray(answers[field.id])) {
          const rows = Math.max(field.minItems ?? 0, field.required === true ? 1 : 0);
          answers[field.id] = Array.from({ length: rows }, () => ({}));
        }
      }
    }
    this.answers = answers;
    this.sources = result.payload.sources;
    this.locked = setOf(result.payload.lockedFields);
    this.#computeSkipped();
    const first = this.steps[0];
    this.sectionId = first?.id;
    this.step = first === undefined ? 'review' : 'form';
  }

  /** A section is not asked again when every visible field of it came from the card or this visit and all are valid. */
  #computeSkipped(): void {
    const view = this.view;
    if (view === undefined) return;
    const skipped: string[] = [];
    for (const section of view.visibleSections()) {
      const fields = view.visibleFields(section);
      const given = fields.length > 0 && fields.every((f) => this.sources[f.id] !== undefined && isAnswered(this.answers[f.id]));
      if (given && view.sectionErrors(section).length === 0) skipped.push(section.id);
    }
    this.skipped = setOf(skipped);
  }

  // ------------------------------------------------------------------ answers

  value(path: FieldPath): AnswerValue | undefined {
    return readAnswer(this.answers, path);
  }

  text(path: FieldPath): string {
    const v = this.value(path);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  }

  isLocked(path: FieldPath): boolean {
    return path.row === undefined && this.locked.has(path.field);
  }

  set(path: FieldPath, value: AnswerValue | undefined): void {
    if (this.isLocked(path)) return;
    if (path.row === undefined || path.sub === undefined) {
      this.answers[path.field] = value;
    } else {
      const rows = this.answers[path.field];
      if (!Array.isArray(rows)) return;
      const row = rows[path.row] as GroupItem | undefined;
      if (row === undefined) return;
      row[path.sub] = value;
    }
    const key = pathKey(path);
    if (this.serverErrors[key] !== undefined || this.serverErrors[path.field] !== undefined) {
      const next = { ...this.serverErrors };
      delete next[key];
      delete next[path.field];
      this.serverErrors = next;
    }
  }

  /** A choice, yes/no or selection was made: its problem may show at once. */
  pick(path: FieldPath, value: AnswerValue | undefined): void {
    this.set(path, value);
    this.touch(path);
  }

  toggleOption(path: FieldPath, option: string): void {
    const current = this.value(path);
    const list = Array.isArray(current) ? (current as string[]) : [];
    this.pick(path, list.includes(option) ? list.filter((o) => o !== option) : [...list, option]);
  }

  touch(path: FieldPath): void {
    const key = pathKey(path);
    if (!this.touched.has(key)) this.touched = setOf([...this.touched, key]);
  }

  focus(path: FieldPath | undefined): void {
    const previous = this.active;
    if (previous !== undefined && (path === undefined || pathKey(previous) !== pathKey(path))) {
      if (this.text(previous) !== '') this.touch(previous);
    }
    this.active = path;
  }

  addRow(group: GroupField): void {
    const rows = this.answers[group.id];
    const list = Array.isArray(rows) ? (rows as GroupItem[]) : [];
    if (group.maxItems !== undefined && list.length >= group.maxItems) return;
    this.answers[group.id] = [...list, {}];
    this.active = undefined;
  }

  removeRow(group: GroupField, row: number): void {
    const rows = this.answers[group.id];
    if (!Array.isArray(rows)) return;
    this.answers[group.id] = (rows as GroupItem[]).filter((_, i) => i !== row);
    this.active = undefined;
    // Paths of later rows moved: forget what was shown for this group.
    this.touched = setOf([...this.touched].filter((k) => topField(k) !== group.id));
    const next = { ...this.serverErrors };
    for (const key of Object.keys(next)) if (topField(key) === group.id) delete next[key];
    this.serverErrors = next;
  }

  /** The problem to show for a path now, if any. */
  problem(path: FieldPath | string): FieldProblem | undefined {
    const key = typeof path === 'string' ? path : pathKey(path);
    const server = this.serverErrors[key];
    if (server !== undefined) return server;
    const error = this.view?.errors.get(key);
    if (error === undefined) return undefined;
    const section = this.view?.sectionOf(key);
    const shown = this.touched.has(key) || (section !== undefined && this.revealed.has(section.id));
    // "required" shows only once the citizen tried to go on: an empty field is not a mistake yet.
    if (!shown || (error.code === 'required' && !(section !== undefined && this.revealed.has(section.id)))) return undefined;
    return { code: error.code, params: error.params };
  }

  /** Problems that block leaving the section (local validation and the agent's). */
  blocking(section: Section): string[] {
    const view = this.view;
    if (view === undefined) return [];
    const ids = setOf(section.fields.map((f) => f.id));
    const local = view.sectionErrors(section).map((e) => e.path);
    const server = Object.keys(this.serverErrors).filter((k) => ids.has(topField(k)));
    return [...setOf([...local, ...server])];
  }

  // ------------------------------------------------------------------ navigation

  get stepNumber(): number {
    if (this.step === 'review') return this.steps.length + 1;
    if (this.step === 'sign' || this.step === 'submit') return this.steps.length + 2;
    const index = this.steps.findIndex((s) => s.id === this.sectionId);
    return index < 0 ? 1 : index + 1;
  }

  get stepCount(): number {
    return this.steps.length + 2;
  }

  /** "Next" on a section: shows its problems, or goes on (to the next section or back to review). */
  next(): boolean {
    const section = this.section;
    if (section === undefined) {
      this.toReview();
      return true;
    }
    this.active = undefined;
    if (this.blocking(section).length > 0) {
      this.revealed = setOf([...this.revealed, section.id]);
      return false;
    }
    if (this.returnToReview) {
      this.toReview();
      return true;
    }
    const index = this.steps.findIndex((s) => s.id === section.id);
    const following = this.steps[index + 1];
    if (following === undefined) this.toReview();
    else this.sectionId = following.id;
    return true;
  }

  back(): void {
    this.active = undefined;
    if (this.step === 'review') {
      const last = this.steps.at(-1);
      if (last === undefined) {
        this.step = 'notice';
      } else {
        this.sectionId = last.id;
        this.step = 'form';
      }
      return;
    }
    if (this.returnToReview) {
      this.toReview();
      return;
    }
    const index = this.steps.findIndex((s) => s.id === this.sectionId);
    const previous = index > 0 ? this.steps[index - 1] : undefined;
    if (previous === undefined) this.step = 'notice';
    else this.sectionId = previous.id;
  }

  toReview(): void {
    this.active = undefined;
    this.returnToReview = false;
    this.step = 'review';
  }

  /** "Change" on the review page: that section, then back to review. */
  edit(sectionId: string): void {
    if (this.skipped.has(sectionId)) this.skipped = setOf([...this.skipped].filter((id) => id !== sectionId));
    this.sectionId = sectionId;
    this.returnToReview = true;
    this.revealed = setOf([...this.revealed, sectionId]);
    this.step = 'form';
  }

  /** Every problem of the visible form (review blocks signing while any remains). */
  get allProblems(): string[] {
    const view = this.view;
    if (view === undefined) return [];
    return view.visibleSections().flatMap((s) => this.blocking(s));
  }

  toSign(): void {
    const view = this.view;
    if (view === undefined) return;
    if (this.allProblems.length > 0) {
      this.revealed = setOf(view.visibleSections().map((s) => s.id));
      return;
    }
    this.signatureMissing = false;
    // A fresh pad each time: what is signed is what was shown just before.
    this.signaturePng = undefined;
    this.step = 'sign';
  }

  setSignature(png: string | undefined): void {
    this.signaturePng = png;
    if (png !== undefined) this.signatureMissing = false;
  }

  // ------------------------------------------------------------------ submit and print

  /**
   * Forms.Submit. "Accepted" shows only on its success completion (the agent answers after the
   * sealed submission is committed). On failure the answers stay for a retry with the same
   * submissionId, so a retry after a lost answer cannot file the application twice.
   */
  async submit(): Promise<void> {
    const form = this.form;
    if (form === undefined || this.submitStatus === 'running') return;
    if (this.signaturePng === undefined) {
      this.signatureMissing = true;
      return;
    }
    this.#submissionId ??= crypto.randomUUID();
    // Only pages the citizen accepted and the check found their name and ID number on.
    const scans = this.checks?.attachments ?? [];
    this.step = 'submit';
    this.submitStatus = 'running';
    this.submitError = undefined;
    const generation = this.#generation;
    const result = await this.#host.client.send('Forms.Submit', {
      formId: form.id,
      answers: answersForWire($state.snapshot(this.answers)),
      submissionId: this.#submissionId,
      signaturePng: this.signaturePng,
      ...(scans.length > 0 ? { scans } : {}),
    }).result;
    if (generation !== this.#generation) return;
    this.#host.poke();
    if (result.ok) {
      this.reference = result.payload.reference;
      this.submitted = [...this.submitted.filter((r) => r !== result.payload.reference), result.payload.reference];
      this.submitStatus = 'idle';
      this.step = 'done';
      void this.#printAll();
      return;
    }
    this.submitStatus = 'failed';
    this.submitError = submitErrorOf(result.completionCode, result.errorCode);
    if (this.submitError === 'invalid') this.#takeServerErrors(result.payload);
  }

  #takeServerErrors(payload: unknown): void {
    const errors: Record<string, FieldProblem> = {};
    if (typeof payload === 'object' && payload !== null && 'errors' in payload && Array.isArray(payload.errors)) {
      const params = 'params' in payload && typeof payload.params === 'object' && payload.params !== null ? (payload.params as Record<string, Record<string, string | number>>) : {};
      for (const e of payload.errors as unknown[]) {
        if (typeof e !== 'object' || e === null || !('field' in e) || !('code' in e)) continue;
        const field = String(e.field);
        errors[field] = { code: String(e.code) as FieldProblem['code'], params: params[field] };
      }
    }
    this.serverErrors = errors;
    if (this.view !== undefined) this.revealed = setOf(this.view.visibleSections().map((s) => s.id));
  }

  async #printAll(): Promise<void> {
    this.printForm = { status: 'waiting' };
    this.printReceipt = { status: 'waiting' };
    await this.print('form');
    await this.print('receipt');
  }

  async print(which: 'form' | 'receipt'): Promise<void> {
    const reference = this.reference;
    if (reference === undefined) return;
    const generation = this.#generation;
    const setState = (state: PrintState): void => {
      if (which === 'form') this.printForm = state;
      else this.printReceipt = state;
    };
    setState({ status: 'printing' });
    const result =
      which === 'form'
        ? await this.#host.client.send('Application.PrintForm', { reference }).result
        : await this.#host.client.send('Application.PrintReceipt', { reference }).result;
    if (generation !== this.#generation) return;
    this.#host.poke();
    setState(result.ok ? { status: 'printed' } : { status: 'failed', error: printErrorOf(result.completionCode, result.errorCode) });
  }

  /** "Apply for another service": the catalogue again; the agent remembers the answers of this visit. */
  another(): void {
    this.#resetForm();
    this.query = '';
    this.category = 'all';
    this.step = 'catalog';
  }

  finish(): void {
    this.#host.finish();
  }

  exit(): void {
    this.#host.home();
  }

  #resetForm(): void {
    this.#generation += 1;
    this.form = undefined;
    this.definition = undefined;
    this.answers = {};
    this.sources = {};
    this.locked = setOf();
    this.signaturePng = undefined;
    this.serverErrors = {};
    this.sectionId = undefined;
    this.skipped = setOf();
    this.returnToReview = false;
    this.touched = setOf();
    this.revealed = setOf();
    this.active = undefined;
    this.signatureMissing = false;
    this.submitStatus = 'idle';
    this.submitError = undefined;
    this.reference = undefined;
    this.printForm = { status: 'waiting' };
    this.printReceipt = { status: 'waiting' };
    this.#submissionId = undefined;
    this.#awaitingCard = false;
    this.#checkAfterCard = undefined;
    this.checks?.wipe();
    this.checks = undefined;
  }

  /** Drops every personal datum this flow holds. */
  wipe(): void {
    this.#resetForm();
    this.submitted = [];
    this.query = '';
  }
}
