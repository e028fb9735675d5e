import type { FormListItem } from '@onevisit/protocol';
import type { CommandResult } from '../../agent/client.ts';
import { setOf } from '../application-form.ts';

/** The forms this terminal offers, with the citizen's filter. Not personal: it outlives an application. */
export class Catalogue {
  forms = $state.raw<readonly FormListItem[]>([]);
  status = $state<'loading' | 'ready' | 'failed'>('loading');
  category = $state('all');
  query = $state('');

  readonly #list: () => Promise<CommandResult<'Forms.List'>>;
  #generation = 0;

  constructor(list: () => Promise<CommandResult<'Forms.List'>>) {
    this.#list = list;
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.status = 'loading';
    const result = await this.#list();
    if (generation !== this.#generation) return;
    if (result.ok) {
      this.forms = result.payload.forms;
      this.status = 'ready';
    } else {
      this.status = 'failed';
    }
  }

  /** Categories present in the catalogue, in catalogue order. */
  get categories(): string[] {
    return [...setOf(this.forms.map((f) => f.category))];
  }

  get shown(): readonly FormListItem[] {
    return this.forms.filter((form) => this.matches(form));
  }

  matches(form: FormListItem): boolean {
    if (this.category !== 'all' && form.category !== this.category) return false;
    const q = this.query.trim().toLowerCase();
    if (q === '') return true;
    const hay = [form.title, form.titleEn, form.description?.['zh-CN'] ?? '', form.description?.en ?? '', form.department?.['zh-CN'] ?? ''].join(' ').toLowerCase();
    return q.split(/\s+/).every((word) => hay.includes(word));
  }

  clearFilter(): void {
    this.query = '';
    this.category = 'all';
  }
}
