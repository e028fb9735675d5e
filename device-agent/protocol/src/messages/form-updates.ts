import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';

/**
 * Signed form updates as hall staff see them (issue 16): each form's active version and short hash
 * (the first 8 hex digits of its signed archive's SHA-256, as `forms publish` prints; the shipped
 * forms folder's versions carry none), the refused packages with their reason, the versions this
 * terminal rolled back; and a technician's rollback of one form by hand. Package facts only: no
 * personal data.
 */

const FormIdSchema = z.string().min(1).max(128);
const VersionSchema = z.string().min(1).max(128);
/** Reasons name package files and checks (e.g. `testFillFailed: …`, `fillFailures: 2 of the first 3 fills …`). */
const ReasonSchema = z.string().max(300);

export const FormUpdateEntrySchema = z.object({
  formId: FormIdSchema,
  /** The zh-CN title. */
  title: z.string().max(200),
  titleEn: z.string().max(200),
  version: VersionSchema,
  /** `update`: installed from the channel (signed); `shipped`: the forms folder the agent started with. */
  source: z.enum(['update', 'shipped']),
  /** First 8 hex digits of the archive's SHA-256; null for a shipped version. */
  shortHash: z.string().regex(/^[0-9a-f]{8}$/).nullable(),
  /** The version FormUpdates.Rollback would switch to; null when there is none. */
  rollBackTo: VersionSchema.nullable(),
  /** A switch waiting for the terminal to be free (between citizen sessions). */
  pendingVersion: VersionSchema.nullable(),
  /** Fills still watched after the activation (2 failures among them roll it back by itself); 0 when not watched. */
  watchedFillsLeft: z.number().int().nonnegative(),
});
export type FormUpdateEntry = z.infer<typeof FormUpdateEntrySchema>;

export const FORM_ROLLBACK_CAUSES = ['fillFailures', 'technician'] as const;

export const formUpdateCommands = {
  'FormUpdates.Status': defineCommand({
    role: 'staff',
    description:
      'Staff: every form this terminal serves with its version, source (signed update or shipped), short hash and rollback target; the updates refused (with their reason; the old version stays) and the versions rolled back here (fills failed, or a technician), most recent first.',
    payload: z.object({}).optional(),
    completion: z.object({
      forms: z.array(FormUpdateEntrySchema),
      refused: z.array(z.object({ formId: FormIdSchema, version: VersionSchema, reason: ReasonSchema })),
      rolledBack: z.array(z.object({ formId: FormIdSchema, version: VersionSchema, cause: z.enum(FORM_ROLLBACK_CAUSES), reason: ReasonSchema, at: z.string() })),
      /** False when the terminal has no form channel (`--forms-channel`): nothing is updated, nothing can be rolled back. */
      channel: z.boolean(),
    }),
    errors: {},
    events: {},
  }),
  'FormUpdates.Rollback': defineCommand({
    role: 'technician',
    description:
      'Technician: roll one form back to the previous kept version (or the shipped one). The version rolled back is not installed again until ops publish another archive. It switches at once, or after the citizen session if one runs (`switched: false`).',
    payload: z.object({ formId: FormIdSchema }),
    completion: z.object({ formId: FormIdSchema, from: VersionSchema, to: VersionSchema, switched: z.boolean() }),
    errors: {
      /** The form runs the shipped version (or the terminal has no form channel): nothing to roll back. */
      ...errorsOf(['notUpdated']),
      /** No older version is kept (and the shipped folder has none older). */
      ...errorsOf(['nothingToRollBackTo']),
      /** The switch could not be written: the version stays. */
      ...errorsOf(['switchFailed']),
    },
    events: {},
    defaultTimeoutMs: 60_000,
  }),
} as const;
