import type { FailureCode } from '../agent/client.ts';

/**
 * One print (the 一次性告知单, the filled form, the receipt, a booking slip) as the citizen sees
 * it: the same shape in every journey; only the error codes each journey tells apart differ.
 */
export type PrintState<E extends string> =
  | { readonly status: 'idle' }
  | { readonly status: 'printing' }
  | { readonly status: 'printed' }
  | { readonly status: 'failed'; readonly error: E };

/** What a print command answered; `undefined` when nothing was sent (the caller said why). */
export type PrintOutcome = { readonly ok: true } | { readonly ok: false; readonly completionCode: FailureCode; readonly errorCode: string | undefined } | undefined;

export class PrintJob<E extends string> {
  state = $state.raw<PrintState<E>>({ status: 'idle' });

  readonly #errorOf: (completionCode: FailureCode, errorCode: string | undefined) => E;
  /** Bumped on reset: an answer for an earlier print is dropped. */
  #generation = 0;

  constructor(errorOf: (completionCode: FailureCode, errorCode: string | undefined) => E) {
    this.#errorOf = errorOf;
  }

  get printing(): boolean {
    return this.state.status === 'printing';
  }

  /** Runs `print` unless a print is already in flight; resolves when its answer is shown. */
  async run(print: () => Promise<PrintOutcome>): Promise<void> {
    if (this.printing) return;
    const generation = this.#generation;
    this.state = { status: 'printing' };
    const outcome = await print();
    if (generation !== this.#generation) return;
    if (outcome === undefined) this.state = { status: 'idle' };
    else this.state = outcome.ok ? { status: 'printed' } : { status: 'failed', error: this.#errorOf(outcome.completionCode, outcome.errorCode) };
  }

  reset(): void {
    this.#generation += 1;
    this.state = { status: 'idle' };
  }
}
