import { z } from 'zod';
import { FormPackageSchema, type Answers, type FormPackageDefinition } from '@onevisit/protocol';

/**
 * What the forms library adds to the package format: the format itself (definition.json: fields,
 * sections, conditions, prefill, 一次性告知单, PDF mapping) is defined once in the protocol
 * (device-agent/protocol/src/form-definition.ts), so that the UI renders and validates exactly
 * what `forms check` accepted. Here: a package as loaded from disk, and the JSON Schema that
 * forms/scripts/publish-schema.ts writes to forms/schema/form-package.schema.json.
 */

/** A loaded package: its definition plus the template bytes. */
export interface FormPackage {
  readonly definition: FormPackageDefinition;
  readonly template: Uint8Array;
  /** Folder it was loaded from, when loaded from disk. */
  readonly dir?: string;
  /** Sample answers for preview (sample.json), if any. */
  readonly sample?: Answers;
}

export function formPackageJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FormPackageSchema, { target: 'draft-2020-12', io: 'input' });
}
