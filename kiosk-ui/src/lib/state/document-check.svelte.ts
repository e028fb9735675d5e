import type { CommandPayload } from '@onevisit/protocol';
import type { AgentClient } from '../agent/client.ts';
import { checkOutcome, type CheckOutcome } from './document-check-codes.ts';
import { scanErrorCode, type ScanErrorCode } from './scan-codes.ts';
import { ScanJob } from './scan-job.ts';

/**
 * "Scan it now" for a paper material of the 一次性告知单 (issue 3, use (b); issue 4's journey):
 * place → scan → preview (retake or accept) → Ocr.CheckDocument with the session's name and ID
 * number → a clear result. The values go to the agent in the command's payload only: never into
 * a URL, the page, a log or storage; the agent compares them and never echoes them back.
 *
 * What is kept, per material, is the outcome; and, ONLY when both values were found on the page
 * the citizen accepted, that page's image (the preview the agent sent: at most 1200 px on its
 * longer side, JPEG) to attach to Forms.Submit (`scans`), where it is sealed to the back office.
 * A page that did not check out is not attached (it may be someone else's paper) and is dropped.
 * Full-resolution scans in the agent are discarded as soon as the check is done. `wipe()` drops
 * everything; the session owns this object through `ApplicationFlow.checks`.
 */

export type CheckStep = 'place' | 'scanning' | 'preview' | 'checking' | 'result';

/** What the check needs of the kiosk around it. */
export interface CheckHost {
  readonly client: AgentClient;
  /** The session's name and ID number (card or confirmed document); undefined when none. */
  identity(): { readonly name: string; readonly idNumber: string } | undefined;
  /** What stops the scanner now (its pushed status), or undefined when it can scan. */
  scannerProblem(): ScanErrorCode | undefined;
  /** The citizen is active (resets the idle timer). */
  poke(): void;
  /** Back to the 一次性告知单. */
  close(): void;
}

type ScanAttachment = NonNullable<CommandPayload<'Forms.Submit'>['scans']>[number];

export type CheckedPage = { readonly mediaType: 'image/jpeg' | 'image/png'; readonly data: string };

export type MaterialCheck = {
  readonly outcome: CheckOutcome;
  /** Both values were found character for character (not within one misread character). */
  readonly exact: boolean;
  /** The accepted page, kept for the submission: only when `outcome` is `checked` and the citizen did not remove it. */
  readonly page: CheckedPage | undefined;
};

export type CheckPreview = { readonly src: string; readonly widthPx: number; readonly heightPx: number; readonly page: CheckedPage };

export class DocumentCheckFlow {
  /** The index of the material being checked (in the form's notice.materials). */
  material = $state<number | undefined>(undefined);
  step = $state<CheckStep>('place');
  error = $state<ScanErrorCode | undefined>(undefined);
  preview = $state.raw<CheckPreview | undefined>(undefined);
  retakes = $state(0);
  /** The latest outcome per material, for the notice list and the result screen. */
  results = $state.raw<Readonly<Partial<Record<number, MaterialCheck>>>>({});

  readonly #host: CheckHost;
  readonly #job: ScanJob;

  constructor(host: CheckHost) {
    this.#host = host;
    this.#job = new ScanJob(host.client);
  }

  get busy(): boolean {
    return this.step === 'scanning' || this.step === 'checking';
  }

  /** The result of the material on screen (after a check). */
  get current(): MaterialCheck | undefined {
    return this.material === undefined ? undefined : this.results[this.material];
  }

  /** Pages to attach to Forms.Submit, in material order: accepted AND checked only. */
  get attachments(): ScanAttachment[] {
    return Object.entries(this.results)
      .sort(([a], [b]) => Number(a) - Number(b))
      .flatMap(([, check]) => (check?.outcome === 'checked' && check.page !== undefined ? [{ mediaType: check.page.mediaType, data: check.page.data }] : []));
  }

  /** What the scanner's pushed status says stops it now (reactive through the devices state: read it in templates). */
  scannerProblem(): ScanErrorCode | undefined {
    return this.#host.scannerProblem();
  }

  /** "Scan it now" on a material. */
  open(material: number): void {
    this.#job.cancel();
    this.#job.discard();
    this.material = material;
    this.preview = undefined;
    this.retakes = 0;
    this.error = undefined;
    this.step = 'place';
  }

  async scan(): Promise<void> {
    if (this.busy) return;
    this.#host.poke();
    // The scanner's pushed status says what stops it (the place step shows it, live): no command.
    if (this.#host.scannerProblem() !== undefined) {
      this.step = 'place';
      return;
    }
    this.preview = undefined;
    this.error = undefined;
    this.step = 'scanning';
    const outcome = await this.#job.scan(() => this.#host.poke());
    if (outcome === undefined) return;
    this.#host.poke();
    if (outcome.kind === 'canceled') return;
    if (outcome.kind === 'failed') {
      this.step = 'place';
      this.error = outcome.code;
      return;
    }
    const { page } = outcome;
    this.preview = {
      src: `data:${page.mimeType};base64,${page.dataBase64}`,
      widthPx: page.previewWidth,
      heightPx: page.previewHeight,
      page: { mediaType: page.mimeType, data: page.dataBase64 },
    };
    this.step = 'preview';
  }

  /** Preview → scan again (the old scan is discarded in the agent). */
  retake(): void {
    if (this.busy) return;
    this.retakes += 1;
    void this.scan();
  }

  /** Preview → Ocr.CheckDocument with the session's identity → the result. */
  async accept(): Promise<void> {
    const scanId = this.#job.scanId;
    const preview = this.preview;
    const material = this.material;
    if (this.busy || scanId === undefined || preview === undefined || material === undefined) return;
    const identity = this.#host.identity();
    if (identity === undefined) return;
    this.#host.poke();
    this.error = undefined;
    this.step = 'checking';
    const result = await this.#job.track(this.#host.client.send('Ocr.CheckDocument', { scanId, name: identity.name, idNumber: identity.idNumber }));
    if (result === undefined) return;
    this.#host.poke();
    if (!result.ok) {
      if (result.completionCode === 'canceled') return;
      const code = scanErrorCode(result.completionCode, result.errorCode);
      if (code === 'scanNotFound') {
        // The agent no longer has it (too old, or the store was cleared): scan again.
        this.#job.forget();
        this.preview = undefined;
        this.step = 'place';
      } else {
        this.step = 'preview';
      }
      this.error = code;
      return;
    }
    const outcome = checkOutcome(result.payload);
    const check: MaterialCheck = {
      outcome,
      exact: result.payload.name.exact && result.payload.idNumber.exact,
      page: outcome === 'checked' ? preview.page : undefined,
    };
    this.results = { ...this.results, [material]: check };
    // The full page is no longer needed in the agent; the preview goes off screen too.
    this.#job.discard();
    this.preview = undefined;
    this.step = 'result';
  }

  /** The result → place the paper again. */
  rescan(): void {
    if (this.busy) return;
    this.#host.poke();
    this.preview = undefined;
    this.error = undefined;
    this.step = 'place';
  }

  /** The citizen does not want a checked page sent with the application. */
  removePage(material: number): void {
    const check = this.results[material];
    if (check?.page === undefined) return;
    this.results = { ...this.results, [material]: { ...check, page: undefined } };
  }

  /** Back to the notice: whatever is in flight is cancelled, the scan in the agent forgotten. Results stay. */
  close(): void {
    this.#job.cancel();
    this.#job.discard();
    this.preview = undefined;
    this.error = undefined;
    this.material = undefined;
    this.step = 'place';
    this.#host.close();
  }

  /** Drops everything personal (the form was left, or the session ended). */
  wipe(): void {
    this.#job.cancel();
    this.#job.discard();
    this.preview = undefined;
    this.results = {};
    this.error = undefined;
    this.material = undefined;
    this.retakes = 0;
    this.step = 'place';
  }
}
