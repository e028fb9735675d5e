import { AnswersSchema, type CardType, type FormListItem, type Printing } from '@onevisit/protocol';
import type { AgentClient } from '../agent/client.ts';
import type { Locale } from '../i18n/i18n.svelte.ts';
import type { ApplyPrintError } from './application-types.ts';
import type { DocumentCheckFlow } from './document-check.svelte.ts';
import type { ScanErrorCode } from './scan-codes.ts';
import { answersForWire, parseDefinition, printErrorOf, type Answers, type FormDefinition, type Section } from './application-form.ts';
import { Catalogue } from './apply/catalogue.svelte.ts';
import { Draft } from './apply/draft.svelte.ts';
import { SubmitJob } from './apply/submit-job.svelte.ts';
import { PrintJob } from './print-job.svelte.ts';
import { RatingOffer } from './rating/rating-offer.svelte.ts';

/**
 * The one-form application journey (issue 4, 5): catalogue → 一次性告知单 → (card) → the form,
 * one section per screen → review → signature → Forms.Submit → reference and printing →
 * another service of the same visit.
 *
 * The flow only moves between steps; each step carries what its screen needs (the chosen form,
 * the draft of answers, the submit job, the print jobs), so a step without them cannot exist.
 * Personal data (answers, signature, reference) lives only in these objects, which the session
 * owns (`SessionState.application`) and drops with `wipe()` on idle, card removal or the end of
 * the session. Nothing is written anywhere else.
 */

/** One form the citizen chose, with everything of it that survives going back to its notice. */
export class ChosenForm {
  readonly noticePrint = new PrintJob<ApplyPrintError>(printErrorOf);
  /** The answers, once prefilled; kept when the citizen goes back to the notice and on again. */
  draft = $state.raw<Draft | undefined>(undefined);
  /** "Scan it now" for paper materials of the notice (lazy-loaded; its checked pages go with Forms.Submit). */
  checks = $state.raw<DocumentCheckFlow | undefined>(undefined);
  /** Created at the first submit and kept for retries (the same submissionId). */
  submitJob: SubmitJob | undefined;

  constructor(
    readonly form: FormListItem,
    /** Undefined when this UI cannot render the definition: the form "cannot be opened". */
    readonly definition: FormDefinition | undefined,
  ) {}

  wipe(): void {
    this.noticePrint.reset();
    this.draft = undefined;
    this.checks?.wipe();
    this.checks = undefined;
    this.submitJob = undefined;
  }
}

/** What the card read is for, when the journey had to read it first. */
export type AfterCard = { readonly kind: 'prefill' } | { readonly kind: 'check'; readonly material: number };

export type ApplyStep =
  | { readonly name: 'catalog' }
  | { readonly name: 'notice'; readonly chosen: ChosenForm }
  /** The identify screen reads the card for this form, then `after` runs. */
  | { readonly name: 'identify'; readonly chosen: ChosenForm; readonly after: AfterCard }
  | { readonly name: 'check'; readonly chosen: ChosenForm; readonly checks: DocumentCheckFlow }
  | { readonly name: 'prefill'; readonly chosen: ChosenForm; readonly status: 'loading' | 'failed' }
  | { readonly name: 'form'; readonly chosen: ChosenForm; readonly draft: Draft; readonly sectionId: string; readonly returnToReview: boolean }
  | { readonly name: 'review'; readonly chosen: ChosenForm; readonly draft: Draft }
  | { readonly name: 'sign'; readonly chosen: ChosenForm; readonly draft: Draft }
  | { readonly name: 'submit'; readonly chosen: ChosenForm; readonly draft: Draft; readonly job: SubmitJob }
  | { readonly name: 'done'; readonly chosen: ChosenForm; readonly reference: string; readonly printForm: PrintJob<ApplyPrintError>; readonly printReceipt: PrintJob<ApplyPrintError> };

export type ApplyStepName = ApplyStep['name'];

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
  identity(): { readonly name: string; readonly idNumber: string; readonly cardType?: CardType } | undefined;
  /** What stops the scanner now, or undefined when it can scan. */
  scannerProblem(): ScanErrorCode | undefined;
  /** Today on the agent's clock (lib/agent-clock.ts), for date bounds such as `today-18y`. */
  today(): string;
  /** What the printers can do now (Common.Status `printing`): the notice says it before the citizen starts (issue 10). */
  printing?(): Printing | undefined;
}

export class ApplicationFlow {
  step = $state.raw<ApplyStep>({ name: 'catalog' });
  /** The catalogue: not personal. */
  readonly catalogue: Catalogue;
  /** References accepted in this visit (the citizen sees how many). */
  submitted = $state.raw<readonly string[]>([]);
  /** Forms submitted in this visit: opening one again warns first (issue 10). */
  submittedForms = $state.raw<readonly string[]>([]);
  /** 好差评 (issue 15) offered on the done screen, about the form just submitted. */
  readonly rating: RatingOffer;

  readonly #host: ApplyHost;
  /** Bumped on every wipe/reset: completions of an earlier generation are ignored. */
  #generation = 0;

  constructor(host: ApplyHost) {
    this.#host = host;
    this.catalogue = new Catalogue(() => host.client.send('Forms.List', {}).result);
    this.rating = new RatingOffer({ send: (name, payload, options) => host.client.send(name, payload, options).result, newId: () => crypto.randomUUID() });
    void this.catalogue.load();
  }

  /** Whether the session already has an identity (card read or document confirmed). */
  hasIdentity(): boolean {
    return this.#host.hasIdentity();
  }

  /** The kind of card read in this session (its holder's materials differ, issue 10), or undefined before a read. */
  get cardType(): CardType | undefined {
    return this.#host.identity()?.cardType;
  }

  /**
   * The card holder's name, for the signature by name (issue 17: a citizen who cannot write by hand,
   * or uses keys or a switch, signs with the name from their card). Held in memory like the identity.
   */
  get signerName(): string | undefined {
    return this.#host.identity()?.name;
  }

  /** What the printers can do now, for the notice before the citizen starts. */
  get printing(): Printing | undefined {
    return this.#host.printing?.();
  }

  /** The form being applied for, on every step after the catalogue. */
  get chosen(): ChosenForm | undefined {
    return this.step.name === 'catalog' ? undefined : this.step.chosen;
  }

  /** The section on screen (the form step). */
  get section(): Section | undefined {
    const step = this.step;
    return step.name === 'form' ? step.draft.steps.find((s) => s.id === step.sectionId) : undefined;
  }

  // ------------------------------------------------------------------ catalogue and notice

  choose(form: FormListItem): void {
    const current = this.chosen;
    if (current?.form.id === form.id) {
      current.noticePrint.reset();
      this.step = { name: 'notice', chosen: current };
      return;
    }
    this.#drop();
    this.step = { name: 'notice', chosen: new ChosenForm(form, parseDefinition(form)) };
  }

  backToCatalog(): void {
    this.#drop();
    this.step = { name: 'catalog' };
  }

  /** The agent lays out and prints the chosen form's notice itself (issue 11: never page-supplied content). */
  async printNotice(language: 'zh-CN' | 'en'): Promise<void> {
    const chosen = this.chosen;
    if (chosen === undefined) return;
    await chosen.noticePrint.run(() => this.#host.client.send('ReceiptPrinter.Print', { document: { kind: 'formNotice', formId: chosen.form.id, language } }).result);
  }

  /** "Start": the card first if the form needs it and none was read; then the prefilled form. */
  start(): void {
    const chosen = this.chosen;
    if (chosen === undefined) return;
    if (chosen.draft !== undefined) {
      // Back from the form to the notice and forward again: the answers are still here.
      this.#toSection(chosen, chosen.draft, 0);
      return;
    }
    if (chosen.form.requiresIdentity && !this.#host.hasIdentity()) {
      this.#readCard(chosen, { kind: 'prefill' });
      return;
    }
    void this.#prefill(chosen);
  }

  #readCard(chosen: ChosenForm, after: AfterCard): void {
    this.step = { name: 'identify', chosen, after };
    this.#host.identify();
  }

  /** The identify screen read the card: carry on. */
  identified(): void {
    const step = this.step;
    if (step.name !== 'identify') return;
    if (step.after.kind === 'check') void this.checkMaterial(step.after.material);
    else void this.#prefill(step.chosen);
  }

  identifyCanceled(): void {
    const chosen = this.chosen;
    if (chosen !== undefined) this.step = { name: 'notice', chosen };
  }

  /** "Scan it now" on a paper material: the card first (the check needs the name and ID number), then the scanner. */
  async checkMaterial(material: number): Promise<void> {
    const chosen = this.chosen;
    if (chosen === undefined) return;
    if (!this.#host.hasIdentity()) {
      this.#readCard(chosen, { kind: 'check', material });
      return;
    }
    const generation = this.#generation;
    const { DocumentCheckFlow } = await import('./document-check.svelte.ts');
    if (generation !== this.#generation) return;
    const checks = (chosen.checks ??= new DocumentCheckFlow({
      client: this.#host.client,
      identity: () => this.#host.identity(),
      scannerProblem: () => this.#host.scannerProblem(),
      poke: () => this.#host.poke(),
      close: () => {
        if (this.step.name === 'check') this.step = { name: 'notice', chosen };
      },
    }));
    checks.open(material);
    this.step = { name: 'check', chosen, checks };
  }

  async #prefill(chosen: ChosenForm): Promise<void> {
    this.step = { name: 'prefill', chosen, status: 'loading' };
    const definition = chosen.definition;
    if (definition === undefined) {
      this.step = { name: 'prefill', chosen, status: 'failed' };
      return;
    }
    const generation = this.#generation;
    const result = await this.#host.client.send('Forms.Prefill', { formId: chosen.form.id }).result;
    if (generation !== this.#generation) return;
    if (!result.ok) {
      if (result.errorCode === 'identityRequired') this.#readCard(chosen, { kind: 'prefill' });
      else this.step = { name: 'prefill', chosen, status: 'failed' };
      return;
    }
    // Validated at the boundary: only answer shapes the forms library knows.
    const parsed = AnswersSchema.safeParse(result.payload.answers);
    const answers: Answers = parsed.success ? parsed.data : {};
    chosen.draft = new Draft(definition, { answers, sources: result.payload.sources, lockedFields: result.payload.lockedFields }, this.#host.today());
    this.#toSection(chosen, chosen.draft, 0);
  }

  /** The `index`th section still to ask, or the review when none is left. */
  #toSection(chosen: ChosenForm, draft: Draft, index: number, returnToReview = false): void {
    const section = draft.steps[index];
    this.step = section === undefined ? { name: 'review', chosen, draft } : { name: 'form', chosen, draft, sectionId: section.id, returnToReview };
  }

  // ------------------------------------------------------------------ navigation

  get stepNumber(): number {
    const step = this.step;
    switch (step.name) {
      case 'form': {
        const index = step.draft.steps.findIndex((s) => s.id === step.sectionId);
        return index < 0 ? 1 : index + 1;
      }
      case 'review':
        return step.draft.steps.length + 1;
      case 'sign':
      case 'submit':
        return step.draft.steps.length + 2;
      case 'catalog':
      case 'notice':
      case 'identify':
      case 'check':
      case 'prefill':
      case 'done':
        return 1;
      default: {
        const unreachable: never = step;
        return unreachable;
      }
    }
  }

  get stepCount(): number {
    return (this.chosen?.draft?.steps.length ?? 0) + 2;
  }

  /** "Next" on a section: shows its problems, or goes on (to the next section or back to review). */
  next(): boolean {
    const step = this.step;
    if (step.name !== 'form') return false;
    const { chosen, draft } = step;
    draft.active = undefined;
    const section = this.section;
    if (section === undefined) {
      this.toReview();
      return true;
    }
    if (draft.blocking(section).length > 0) {
      draft.reveal(section.id);
      return false;
    }
    if (step.returnToReview) this.toReview();
    else this.#toSection(chosen, draft, draft.steps.findIndex((s) => s.id === section.id) + 1);
    return true;
  }

  back(): void {
    const step = this.step;
    if (step.name === 'review') {
      step.draft.active = undefined;
      const last = step.draft.steps.length - 1;
      if (last < 0) this.step = { name: 'notice', chosen: step.chosen };
      else this.#toSection(step.chosen, step.draft, last);
      return;
    }
    if (step.name !== 'form') return;
    step.draft.active = undefined;
    if (step.returnToReview) {
      this.toReview();
      return;
    }
    const index = step.draft.steps.findIndex((s) => s.id === step.sectionId);
    if (index > 0) this.#toSection(step.chosen, step.draft, index - 1);
    else this.step = { name: 'notice', chosen: step.chosen };
  }

  toReview(): void {
    const chosen = this.chosen;
    const draft = chosen?.draft;
    if (chosen === undefined || draft === undefined) return;
    draft.active = undefined;
    this.step = { name: 'review', chosen, draft };
  }

  /** "Change" on the review page: that section, then back to review. */
  edit(sectionId: string): void {
    const step = this.step;
    if (step.name !== 'review') return;
    step.draft.unskip(sectionId);
    step.draft.reveal(sectionId);
    this.step = { name: 'form', chosen: step.chosen, draft: step.draft, sectionId, returnToReview: true };
  }

  toSign(): void {
    const step = this.step;
    if (step.name !== 'review') return;
    const { draft } = step;
    if (draft.allProblems.length > 0) {
      draft.revealAll();
      return;
    }
    draft.signatureMissing = false;
    // A fresh pad each time: what is signed is what was shown just before.
    draft.signaturePng = undefined;
    this.step = { name: 'sign', chosen: step.chosen, draft };
  }

  // ------------------------------------------------------------------ submit and print

  /**
   * Forms.Submit. "Accepted" shows only on its success completion (the agent answers after the
   * sealed submission is committed). On failure the answers stay for a retry with the same
   * submissionId, so a retry after a lost answer cannot file the application twice.
   */
  async submit(): Promise<void> {
    const step = this.step;
    if (step.name !== 'sign' && step.name !== 'submit') return;
    const { chosen, draft } = step;
    if (chosen.submitJob?.running === true) return;
    const signaturePng = draft.signaturePng;
    if (signaturePng === undefined) {
      draft.signatureMissing = true;
      return;
    }
    const job = (chosen.submitJob ??= new SubmitJob((payload) => this.#host.client.send('Forms.Submit', payload).result));
    // Only pages the citizen accepted and the check found their name and ID number on.
    const scans = chosen.checks?.attachments ?? [];
    this.step = { name: 'submit', chosen, draft, job };
    const generation = this.#generation;
    const result = await job.run({
      formId: chosen.form.id,
      answers: answersForWire($state.snapshot(draft.answers)),
      signaturePng,
      ...(scans.length > 0 ? { scans } : {}),
    });
    if (generation !== this.#generation) return;
    this.#host.poke();
    if (result.ok) {
      const reference = result.payload.reference;
      this.submitted = [...this.submitted.filter((r) => r !== reference), reference];
      this.submittedForms = [...this.submittedForms.filter((id) => id !== chosen.form.id), chosen.form.id];
      const done = { name: 'done', chosen, reference, printForm: new PrintJob(printErrorOf), printReceipt: new PrintJob(printErrorOf) } as const;
      this.step = done;
      this.rating.offer('application', reference, { 'zh-CN': chosen.form.title, en: chosen.form.titleEn });
      await this.print('form');
      await this.print('receipt');
      return;
    }
    if (!result.ok && result.errorCode === 'invalidAnswers') draft.takeServerErrors(result.payload);
  }

  async print(which: 'form' | 'receipt'): Promise<void> {
    const step = this.step;
    if (step.name !== 'done') return;
    const { reference } = step;
    const job = which === 'form' ? step.printForm : step.printReceipt;
    await job.run(async () => {
      const result =
        which === 'form'
          ? await this.#host.client.send('Application.PrintForm', { reference }).result
          : await this.#host.client.send('Application.PrintReceipt', { reference }).result;
      this.#host.poke();
      return result;
    });
  }

  /** "Apply for another service": the catalogue again; the agent remembers the answers of this visit. */
  another(): void {
    this.#drop();
    this.catalogue.clearFilter();
    this.step = { name: 'catalog' };
  }

  finish(): void {
    this.#host.finish();
  }

  exit(): void {
    this.#host.home();
  }

  /** Forgets the chosen form and its answers; late answers for it are dropped. */
  #drop(): void {
    this.#generation += 1;
    this.chosen?.wipe();
  }

  /** Drops every personal datum this flow holds. */
  wipe(): void {
    this.#drop();
    this.step = { name: 'catalog' };
    this.submitted = [];
    this.submittedForms = [];
    this.catalogue.query = '';
    this.rating.reset();
  }
}
