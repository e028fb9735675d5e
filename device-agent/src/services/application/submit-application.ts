import { FIELD_ERROR_CODES, type Answers, type FieldError, type FieldErrorCode } from '@onevisit/protocol';
import type { SubmissionService, SubmitFailureCode, SubmitInput } from '../../outbox/service.ts';
import type { AnswerError } from './answers.ts';
import { answersForWire, type ApplicationSession, type PrepareResult } from './application-service.ts';

/**
 * Forms.Submit as a flow (issue 4 + 5): merge the session's card into the answers and validate
 * them (the application service), hand them to the outbox, which fills the application PDF
 * itself from these answers with the reference it reserved, seals and commits; then keep that PDF
 * in the session's memory for printing. The page never supplies the PDF: what is sealed is always
 * the agent's fill of the validated answers (issue 9).
 */

/** What the flow needs of the application service (tests may give a smaller one). */
export interface ApplicationSubmitPort {
  prepare(session: ApplicationSession, formId: string, raw: Readonly<Record<string, unknown>>): PrepareResult | { ok: true; answers: Answers };
  recordSubmission(session: ApplicationSession, submitted: { reference: string; formId: string; acceptedAtMs: number; pdf: Uint8Array | undefined }): void;
}

export type SubmitApplicationInput = Omit<SubmitInput, 'answers'> & { answers: Readonly<Record<string, unknown>> };

export type SubmitApplicationResult =
  | { ok: true; reference: string; acceptedAtMs: number; duplicate: boolean }
  | { ok: false; code: 'identityRequired' }
  /** `errors` with `params` (e.g. `{ max: 20 }`) where the limit helps the citizen. */
  | { ok: false; code: SubmitFailureCode; errors?: readonly AnswerError[] | undefined };

export class ApplicationSubmitter {
  readonly #application: ApplicationSubmitPort;
  readonly #submissions: Pick<SubmissionService, 'submit' | 'outbox'>;
  readonly #personKeyOf: (identity: ApplicationSession['identity']) => string | undefined;

  constructor(deps: {
    application: ApplicationSubmitPort;
    submissions: Pick<SubmissionService, 'submit' | 'outbox'>;
    /** The hall person key of the session's card, sent signed with the submission (issue 15); undefined = none. */
    personKeyOf?: (identity: ApplicationSession['identity']) => string | undefined;
  }) {
    this.#application = deps.application;
    this.#submissions = deps.submissions;
    this.#personKeyOf = deps.personKeyOf ?? (() => undefined);
  }

  async submit(session: ApplicationSession, input: SubmitApplicationInput): Promise<SubmitApplicationResult> {
    let answers: Readonly<Record<string, unknown>> = input.answers;
    // A retry of an accepted submission gets its reference back as it is, even if the card is gone by now.
    const isRetry = input.submissionId !== undefined && this.#submissions.outbox.bySubmissionId(input.submissionId) !== undefined;
    if (!isRetry) {
      const prepared = this.#application.prepare(session, input.formId, input.answers);
      if (!prepared.ok) {
        switch (prepared.code) {
          case 'unknownForm':
            return { ok: false, code: 'unknownForm' };
          case 'identityRequired':
            return { ok: false, code: 'identityRequired' };
          case 'validationFailed':
            return { ok: false, code: 'invalidAnswers', errors: prepared.errors ?? [] };
          default: {
            const unreachable: never = prepared.code;
            return unreachable;
          }
        }
      }
      answers = answersForWire(prepared.answers);
    }
    const result = await this.#submissions.submit({ ...input, answers, personKey: this.#personKeyOf(session.identity) });
    if (!result.ok) return result.errors === undefined ? { ok: false, code: result.code } : { ok: false, code: result.code, errors: result.errors.map(answerErrorOf) };
    this.#application.recordSubmission(session, { reference: result.reference, formId: input.formId, acceptedAtMs: result.acceptedAtMs, pdf: result.pdf });
    return { ok: true, reference: result.reference, acceptedAtMs: result.acceptedAtMs, duplicate: result.duplicate };
  }
}

function isFieldErrorCode(code: string): code is FieldErrorCode {
  return (FIELD_ERROR_CODES as readonly string[]).includes(code);
}

/** The outbox's own check speaks the same codes (it validates through the application's port). */
function answerErrorOf(e: FieldError): AnswerError {
  return { field: e.field, code: isFieldErrorCode(e.code) ? e.code : 'wrongType' };
}
