import type { CommandPayload } from '@onevisit/protocol';
import type { CommandResult } from '../../agent/client.ts';
import type { ApplySubmitError } from '../application-types.ts';
import { submitErrorOf } from '../application-form.ts';

export type SubmitState = { readonly status: 'idle' } | { readonly status: 'running' } | { readonly status: 'failed'; readonly error: ApplySubmitError };

type SubmitPayload = Omit<CommandPayload<'Forms.Submit'>, 'submissionId'>;

/**
 * One Forms.Submit of one application. A retry after a failure (or a lost answer) sends the same
 * submissionId, so the agent cannot file the application twice.
 */
export class SubmitJob {
  state = $state.raw<SubmitState>({ status: 'idle' });
  readonly submissionId = crypto.randomUUID();

  readonly #send: (payload: CommandPayload<'Forms.Submit'>) => Promise<CommandResult<'Forms.Submit'>>;

  constructor(send: (payload: CommandPayload<'Forms.Submit'>) => Promise<CommandResult<'Forms.Submit'>>) {
    this.#send = send;
  }

  get running(): boolean {
    return this.state.status === 'running';
  }

  async run(payload: SubmitPayload): Promise<CommandResult<'Forms.Submit'>> {
    this.state = { status: 'running' };
    const result = await this.#send({ ...payload, submissionId: this.submissionId });
    this.state = result.ok ? { status: 'idle' } : { status: 'failed', error: submitErrorOf(result.completionCode, result.errorCode) };
    return result;
  }
}
