import type { AnswerValue, FieldType } from '@onevisit/protocol';

/**
 * What one visit remembers about the citizen's applications, in memory only, wiped with the
 * session (Session.End, disconnect) and whenever a different card is read in the same session:
 *
 * - answers already given, so the next form of the visit does not ask again (一表申请, 信息复用).
 *   The key is the field's meaning: packages use the same field id for the same thing (`phone`,
 *   `hukouAddress`, `bankAccount`, …), and the type must match too (`purpose` is a choice on
 *   one form and free text on another, so they never mix);
 * - the applications submitted in this session, with the filled PDF, for printing.
 */

/** An application accepted by the outbox in this session. */
export type VisitApplication = {
  readonly reference: string;
  readonly formId: string;
  readonly version: string;
  readonly title: { readonly 'zh-CN': string; readonly en: string };
  readonly acceptedAtMs: number;
  /** The PDF that was sealed; undefined when the submit was a duplicate (nothing new filled). */
  pdf: Uint8Array | undefined;
  formPrinted: boolean;
  receiptPrinted: boolean;
};

export function semanticKey(fieldId: string, type: FieldType): string {
  return `${type}:${fieldId}`;
}

export class VisitMemory {
  /** ID number of the card the memory belongs to; undefined = not bound yet. */
  #owner: string | undefined;
  readonly #answers = new Map<string, AnswerValue>();
  readonly #applications = new Map<string, VisitApplication>();

  /**
   * Binds the memory to the card read in this session. A different card (or none any more)
   * means a different person: everything remembered for the previous one is wiped first.
   */
  bindTo(idNumber: string | undefined): void {
    if (this.#owner !== undefined && this.#owner !== idNumber) this.wipe();
    this.#owner = idNumber;
  }

  remember(fieldId: string, type: FieldType, value: AnswerValue): void {
    this.#answers.set(semanticKey(fieldId, type), structuredClone(value));
  }

  recall(fieldId: string, type: FieldType): AnswerValue | undefined {
    const value = this.#answers.get(semanticKey(fieldId, type));
    return value === undefined ? undefined : structuredClone(value);
  }

  /** How many answers are remembered (for tests; never their values in logs). */
  get answerCount(): number {
    return this.#answers.size;
  }

  addApplication(application: VisitApplication): void {
    const known = this.#applications.get(application.reference);
    // A duplicate submit (same submissionId) brings no PDF: keep the one already held.
    if (known && application.pdf === undefined) return;
    this.#applications.set(application.reference, application);
  }

  application(reference: string): VisitApplication | undefined {
    return this.#applications.get(reference);
  }

  applications(): readonly VisitApplication[] {
    return [...this.#applications.values()];
  }

  /** Forgets everything; PDF bytes are zeroed, not just dropped. */
  wipe(): void {
    this.#answers.clear();
    for (const app of this.#applications.values()) app.pdf?.fill(0);
    this.#applications.clear();
    this.#owner = undefined;
  }
}
