import { checkIdNumber, type Identity } from '@onevisit/protocol';
import type { AgentClient } from '../agent/client.ts';
import { scanErrorCode, type ScanErrorCode, type ScanFieldProblem } from './scan-codes.ts';
import { ScanJob } from './scan-job.ts';

/**
 * Identify by scanning a paper document (issue 3, use (a)): place → scan → preview (retake or
 * accept) → OCR → the citizen confirms each value → the agent re-checks them against the scan and
 * makes them the session's identity. The flow object holds personal data (the preview image, the
 * values read) and lives only in `SessionState.scan`: `wipe()` drops all of it.
 */

export type ScanStep = 'place' | 'scanning' | 'preview' | 'reading' | 'confirm' | 'confirming';
export type ScanFieldId = 'name' | 'idNumber';

/** What the flow needs from the kiosk. */
export type ScanHost = {
  readonly client: AgentClient;
  /** What stops the scanner now (from its pushed status), or undefined when it can scan. */
  scannerProblem(): ScanErrorCode | undefined;
  /** The citizen is active (resets the idle timer). */
  poke(): void;
  /** The agent accepted the confirmed values: they are the session's identity now. */
  identified(identity: Identity): void;
  /** Back to the identify screen (nothing was confirmed). */
  back(): void;
};

export type ScanPreview = { readonly src: string; readonly widthPx: number; readonly heightPx: number };

export type ScanField = {
  readonly value: string;
  /** `read` from the scan, `typed` by the citizen, `none` not read yet. */
  readonly origin: 'read' | 'typed' | 'none';
  readonly confirmed: boolean;
  /** The agent corrected one character with the check character: the citizen checks each one. */
  readonly corrected: boolean;
  readonly lowConfidence: boolean;
  readonly problem: ScanFieldProblem | undefined;
};

const EMPTY_FIELD: ScanField = { value: '', origin: 'none', confirmed: false, corrected: false, lowConfidence: false, problem: undefined };

/** Errors that come from the scanner's status (they clear when it is back online). */
const STATUS_PROBLEMS: ReadonlySet<ScanErrorCode> = new Set(['coverOpen', 'paperJam', 'scannerNotConfigured', 'scannerFault', 'scannerNotReady']);

/** Below this OCR confidence a value is marked "check carefully". */
const LOW_CONFIDENCE = 0.75;

export class ScanFlow {
  step = $state<ScanStep>('place');
  error = $state<ScanErrorCode | undefined>(undefined);
  preview = $state.raw<ScanPreview | undefined>(undefined);
  retakes = $state(0);
  name = $state.raw<ScanField>(EMPTY_FIELD);
  idNumber = $state.raw<ScanField>(EMPTY_FIELD);
  /** The field whose keypad / input is open. */
  editing = $state<ScanFieldId | undefined>(undefined);

  readonly #host: ScanHost;
  readonly #job: ScanJob;

  constructor(host: ScanHost) {
    this.#host = host;
    this.#job = new ScanJob(host.client);
    this.error = host.scannerProblem();
  }

  /** Birth date and sex that follow from a valid ID number (shown as an extra check). */
  get derived(): { birthDate: string; sex: 'male' | 'female' } | undefined {
    const check = checkIdNumber(this.idNumber.value);
    return check.ok ? { birthDate: check.birthDate, sex: check.sex } : undefined;
  }

  /** Values still to be confirmed before the citizen may go on. */
  get remaining(): number {
    return (this.name.confirmed ? 0 : 1) + (this.idNumber.confirmed ? 0 : 1);
  }

  get busy(): boolean {
    return this.step === 'scanning' || this.step === 'reading' || this.step === 'confirming';
  }

  async scan(): Promise<void> {
    if (this.busy) return;
    this.#host.poke();
    const problem = this.#host.scannerProblem();
    if (problem !== undefined) {
      this.step = 'place';
      this.error = problem;
      return;
    }
    this.error = undefined;
    this.step = 'scanning';
    const outcome = await this.#job.scan(() => this.#host.poke());
    if (outcome === undefined || outcome.kind === 'canceled') return;
    if (outcome.kind === 'failed') {
      this.step = 'place';
      this.error = outcome.code;
      return;
    }
    const { page } = outcome;
    this.preview = { src: `data:${page.mimeType};base64,${page.dataBase64}`, widthPx: page.previewWidth, heightPx: page.previewHeight };
    this.step = 'preview';
    this.#host.poke();
  }

  /** Preview → scan again (the old scan is discarded in the agent). */
  retake(): void {
    if (this.busy) return;
    this.retakes += 1;
    this.preview = undefined;
    void this.scan();
  }

  /** Preview → OCR → values to confirm. */
  async accept(): Promise<void> {
    const scanId = this.#job.scanId;
    if (this.busy || scanId === undefined) return;
    this.#host.poke();
    this.error = undefined;
    this.step = 'reading';
    const result = await this.#job.track(this.#host.client.send('Ocr.ReadIdentity', { scanId }));
    if (result === undefined) return;
    this.#host.poke();
    if (!result.ok) {
      if (result.completionCode === 'canceled') return;
      const code = scanErrorCode(result.completionCode, result.errorCode);
      // A scan the agent no longer has cannot be previewed either.
      if (code === 'scanNotFound') this.#toPlace();
      else this.step = 'preview';
      this.error = code;
      return;
    }
    const { name, idNumber, problems } = result.payload;
    this.name = name
      ? { ...EMPTY_FIELD, value: name.value, origin: 'read', lowConfidence: name.confidence < LOW_CONFIDENCE }
      : { ...EMPTY_FIELD, problem: 'nameNotFound' };
    const idProblem = problems.find((problem) => problem !== 'nameNotFound');
    this.idNumber = idNumber
      ? { ...EMPTY_FIELD, value: idNumber.value, origin: 'read', corrected: idNumber.corrected, lowConfidence: idNumber.confidence < LOW_CONFIDENCE }
      : { ...EMPTY_FIELD, problem: idProblem ?? 'idNumberNotFound' };
    this.editing = undefined;
    this.step = 'confirm';
  }

  markCorrect(field: ScanFieldId): void {
    this.#host.poke();
    const current = this[field];
    if (current.origin === 'none') return;
    this[field] = { ...current, confirmed: true };
  }

  edit(field: ScanFieldId): void {
    this.#host.poke();
    this.editing = field;
  }

  cancelEdit(): void {
    this.editing = undefined;
  }

  /**
   * The citizen typed a value. Returns the problem when it cannot be taken (an ID number that
   * fails GB 11643); otherwise it counts as confirmed: they entered it themselves.
   */
  commitEdit(field: ScanFieldId, raw: string): ScanFieldProblem | 'incomplete' | undefined {
    this.#host.poke();
    const value = field === 'idNumber' ? raw.trim().toUpperCase() : raw.trim().replace(/\s+/g, ' ');
    if (field === 'idNumber') {
      if (value.length !== 18) return 'incomplete';
      if (!checkIdNumber(value).ok) return 'idNumberInvalid';
    } else if (value === '') {
      return 'incomplete';
    }
    this[field] = { ...EMPTY_FIELD, value, origin: 'typed', confirmed: true };
    this.editing = undefined;
    return undefined;
  }

  /** Confirm → the agent re-checks the values against the scan and sets the session identity. */
  async confirm(): Promise<void> {
    const scanId = this.#job.scanId;
    if (this.busy || scanId === undefined || this.remaining > 0) return;
    this.#host.poke();
    this.error = undefined;
    this.step = 'confirming';
    const result = await this.#job.track(
      this.#host.client.send('DocumentIdentity.Confirm', { scanId, name: this.name.value, idNumber: this.idNumber.value }),
    );
    if (result === undefined) return;
    if (result.ok) {
      this.#host.identified(result.payload.identity);
      return;
    }
    if (result.completionCode === 'canceled') return;
    const code = scanErrorCode(result.completionCode, result.errorCode);
    // A paper out of its validity cannot be corrected on the confirm step: back to placing another one (or the card).
    if (code === 'scanNotFound' || code === 'documentExpired' || code === 'documentNotYetValid') {
      this.#toPlace();
      this.error = code;
      return;
    }
    // The agent names each value it could not find: those go back to "check this".
    for (const problem of result.payload?.errors ?? []) {
      if (problem.field === 'name' && problem.code === 'nameNotFound') this.name = { ...this.name, confirmed: false, problem: 'nameNotOnDocument' };
      if (problem.field === 'idNumber' && problem.code === 'idNumberNotFound') this.idNumber = { ...this.idNumber, confirmed: false, problem: 'idNumberNotOnDocument' };
      if (problem.field === 'idNumber' && problem.code === 'idNumberInvalid') this.idNumber = { ...this.idNumber, confirmed: false, problem: 'idNumberInvalid' };
    }
    this.step = 'confirm';
    this.error = code;
  }

  /** The scanner's pushed status changed: the place step says at once what stops it, and clears when it is back. */
  scannerChanged(): void {
    if (this.step !== 'place') return;
    const problem = this.#host.scannerProblem();
    if (problem !== undefined) this.error = problem;
    else if (this.error !== undefined && STATUS_PROBLEMS.has(this.error)) this.error = undefined;
  }

  /** Back to the identify screen: the scan in the agent is forgotten too. */
  cancel(): void {
    this.#job.cancel();
    this.#job.discard();
    this.wipe();
    this.#host.back();
  }

  /** Drops everything personal (the session ended). The agent forgets scans on Session.End. */
  wipe(): void {
    this.#job.cancel();
    this.#job.forget();
    this.preview = undefined;
    this.name = EMPTY_FIELD;
    this.idNumber = EMPTY_FIELD;
    this.editing = undefined;
    this.error = undefined;
    this.retakes = 0;
    this.step = 'place';
  }

  #toPlace(): void {
    this.#job.forget();
    this.preview = undefined;
    this.name = EMPTY_FIELD;
    this.idNumber = EMPTY_FIELD;
    this.editing = undefined;
    this.step = 'place';
  }
}
