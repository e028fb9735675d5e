import type { CompletionPayload } from '@onevisit/protocol';
import type { AgentClient } from '../../agent/client.ts';
import { FORM_ROLLBACK_PROBLEMS, FORM_UPDATES_PROBLEMS, staffProblem, type StaffProblem } from './staff-problems.ts';

export type FormUpdatesStatus = CompletionPayload<'FormUpdates.Status'>;
export type FormUpdateRow = FormUpdatesStatus['forms'][number];

/** The rollback of one form: asked (confirm), running, or done (at once, or after the citizen session). */
export type FormRollbackState =
  | { readonly stage: 'idle' }
  | { readonly stage: 'confirm'; readonly formId: string; readonly title: string; readonly from: string; readonly to: string }
  | { readonly stage: 'busy'; readonly formId: string }
  | { readonly stage: 'done'; readonly formId: string; readonly to: string; readonly switched: boolean };

/**
 * Form versions on the staff screen (issue 16): each form's active version and short hash, the
 * refused updates with their reason, the versions rolled back here; a technician rolls one form
 * back (asked twice). The agent checks the role; the screen offers the button to technicians only.
 * Package facts only: nothing about a citizen.
 */
export class FormUpdatesDesk {
  status = $state.raw<FormUpdatesStatus | undefined>(undefined);
  rollback = $state.raw<FormRollbackState>({ stage: 'idle' });
  problem = $state.raw<StaffProblem | undefined>(undefined);

  readonly #client: AgentClient;

  constructor(client: AgentClient) {
    this.#client = client;
  }

  async load(): Promise<void> {
    const result = await this.#client.send('FormUpdates.Status', {}).result;
    if (result.ok) this.status = result.payload;
    else this.problem = staffProblem(FORM_UPDATES_PROBLEMS, result.completionCode, result.errorCode);
  }

  /** First touch on a form's roll-back button: ask. */
  ask(row: FormUpdateRow, language: 'zh-CN' | 'en'): void {
    if (row.rollBackTo === null || this.rollback.stage === 'busy') return;
    this.problem = undefined;
    this.rollback = { stage: 'confirm', formId: row.formId, title: language === 'en' ? row.titleEn : row.title, from: row.version, to: row.rollBackTo };
  }

  cancel(): void {
    if (this.rollback.stage === 'confirm') this.rollback = { stage: 'idle' };
  }

  async confirm(): Promise<void> {
    const asked = this.rollback;
    if (asked.stage !== 'confirm') return;
    this.rollback = { stage: 'busy', formId: asked.formId };
    const result = await this.#client.send('FormUpdates.Rollback', { formId: asked.formId }).result;
    if (result.ok) {
      this.rollback = { stage: 'done', formId: asked.formId, to: result.payload.to, switched: result.payload.switched };
    } else {
      this.rollback = { stage: 'idle' };
      this.problem = staffProblem(FORM_ROLLBACK_PROBLEMS, result.completionCode, result.errorCode);
    }
    await this.load();
  }

  clear(): void {
    this.status = undefined;
    this.rollback = { stage: 'idle' };
    this.problem = undefined;
  }
}
