import type { FieldType, I18nText } from '@onevisit/protocol';
import type { FormPackage } from './format.ts';

/** What `Forms.List` returns per form. */
export interface FormSummary {
  readonly id: string;
  readonly version: string;
  readonly title: I18nText;
  readonly category: string;
  readonly fields: readonly { readonly id: string; readonly type: FieldType; readonly required: boolean }[];
}

export function summarizePackage(pkg: FormPackage): FormSummary {
  const def = pkg.definition;
  return {
    id: def.id,
    version: def.version,
    title: def.title,
    category: def.category,
    fields: def.sections.flatMap((s) => s.fields.map((f) => ({ id: f.id, type: f.type, required: f.required === true }))),
  };
}
