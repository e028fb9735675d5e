import { z } from 'zod';
import { defineCommand } from '../spec.ts';
import { errorsOf } from '../errors.ts';
import { DeviceIdSchema, DeviceReasonSchema, DeviceStateSchema } from '../devices.ts';
import { printErrors } from './printer.ts';
import { DeadLetterSchema } from './submission.ts';

export { DeadLetterSchema };

/**
 * Hall staff mode (issue 12), after vxsuite's auth: a registered staff member places their own ID
 * card on the reader at the attract or home screen, the agent recognises it (an HMAC of the ID
 * number in the staff register) and pushes `Staff.CardRecognisedEvent`; the page asks for the PIN
 * (`Staff.SignIn`). Five wrong PINs lock that card for 60 s, doubling with each further lockout.
 * A staff session ends on `Staff.SignOut`, on lifting the card (when the hall config says so),
 * after `idleTimeoutMs` without a staff command and after 12 hours at most; the agent pushes
 * `Staff.SessionEndedEvent`. A citizen session and a staff session never exist at once.
 * Nothing here carries an ID number: the staff member's name and role only.
 */

export const STAFF_ROLES = ['staff', 'technician'] as const;
export const StaffRoleSchema = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRoleSchema>;

/** Six digits. */
export const StaffPinSchema = z.string().regex(/^\d{6}$/, 'expected a 6-digit PIN');

export const StaffNameSchema = z.string().min(1).max(64);

/**
 * Who is at the terminal, as staff: nobody; a staff card waiting for its PIN (`lockedForSeconds` > 0
 * while it is locked out); or a signed-in staff member. The page sends `Staff.Session` (any staff
 * command counts) to say the staff member is still there: the agent ends the session after
 * `idleTimeoutMs` without one, and the page shows the same countdown as the citizen screens for the
 * last `idleCountdownMs`.
 */
export const StaffSessionSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('none') }),
  z.object({
    state: z.literal('pinWanted'),
    name: StaffNameSchema,
    attemptsLeft: z.number().int().nonnegative(),
    lockedForSeconds: z.number().int().nonnegative(),
  }),
  z.object({
    state: z.literal('signedIn'),
    name: StaffNameSchema,
    role: StaffRoleSchema,
    /** ISO-8601 with +08:00. */
    startedAt: z.string(),
    /** The hard end (12 h after sign-in), ISO-8601 with +08:00. */
    expiresAt: z.string(),
    idleTimeoutMs: z.number().int().positive(),
    idleCountdownMs: z.number().int().positive(),
    /** The session ends when the card is lifted (hall config). */
    endsOnCardRemoval: z.boolean(),
  }),
]);
export type StaffSession = z.infer<typeof StaffSessionSchema>;

export const STAFF_SESSION_END_REASONS = ['signedOut', 'cardRemoved', 'idleTimeout', 'maxDuration', 'continuedAsCitizen'] as const;
export const StaffSessionEndReasonSchema = z.enum(STAFF_SESSION_END_REASONS);
export type StaffSessionEndReason = z.infer<typeof StaffSessionEndReasonSchema>;

// ---------------------------------------------------------------- diagnostics

/** Every check of the readiness report (vxsuite's diagnostics report as the model). */
export const DIAGNOSTIC_CHECK_IDS = [
  'idCardReader',
  'scanner',
  'receiptPrinter',
  'printer',
  'dispenser',
  /** Printed only when a technician asks for it. */
  'receiptTestPage',
  'cupsQueue',
  'ocrPool',
  'storeIntegrity',
  'auditChain',
  'outbox',
  'holidayData',
  'diskSpace',
  'clock',
  'hallDatabase',
] as const;
export const DiagnosticCheckIdSchema = z.enum(DIAGNOSTIC_CHECK_IDS);
export type DiagnosticCheckId = z.infer<typeof DiagnosticCheckIdSchema>;

export const DiagnosticCheckSchema = z.object({
  id: DiagnosticCheckIdSchema,
  result: z.enum(['pass', 'fail', 'warn', 'skipped']),
  /** For people (the staff screen, the printout): never personal data. */
  message: z.string().max(500),
});
export type DiagnosticCheck = z.infer<typeof DiagnosticCheckSchema>;

export const DiagnosticsReportSchema = z.object({
  /** ISO-8601 with +08:00. */
  generatedAt: z.string(),
  terminalId: z.string(),
  /** True when every check passed (warnings allowed). */
  ready: z.boolean(),
  software: z.object({ version: z.string(), hash: z.string().max(16) }),
  formPackages: z.array(z.object({ id: z.string(), version: z.string(), hash: z.string().max(16) })),
  devices: z.array(z.object({ device: DeviceIdSchema, driver: z.string(), state: DeviceStateSchema, reason: DeviceReasonSchema })),
  checks: z.array(DiagnosticCheckSchema),
});
export type DiagnosticsReport = z.infer<typeof DiagnosticsReportSchema>;

/** Where a printout or a test went: printed, or why not. */
export const PrintResultSchema = z.object({ result: z.enum(['ok', 'failed', 'skipped']), code: z.string().max(64).optional() });

// ---------------------------------------------------------------- reset

export const RESET_ACTIONS = ['citizenSessionEnded', 'exchangeKept', 'deviceReopened', 'faultCleared', 'faultRemains', 'configReloaded', 'formsReloaded'] as const;
export const ResetActionSchema = z.object({
  action: z.enum(RESET_ACTIONS),
  device: DeviceIdSchema.optional(),
  result: z.enum(['ok', 'failed']),
  /** For people: never personal data. */
  detail: z.string().max(300).optional(),
});
export type ResetAction = z.infer<typeof ResetActionSchema>;


export const staffCommands = {
  'Staff.Session': defineCommand({
    role: 'none',
    description:
      'Who is signed in as staff (name, role, expiry; never an ID number), or the staff card waiting for its PIN, or nobody. From the signed-in page it also says the staff member is still there (resets the idle timer).',
    payload: z.object({}).optional(),
    completion: z.object({ session: StaffSessionSchema }),
    errors: {},
    events: {},
  }),
  'Staff.SignIn': defineCommand({
    role: 'none',
    description:
      'Sign in with the PIN of the staff card on the reader (after Staff.CardRecognisedEvent). Five wrong PINs lock the card for 60 s, doubling with each further lockout.',
    payload: z.object({ pin: StaffPinSchema }),
    completion: z.object({ session: StaffSessionSchema }),
    errors: {
      /** No registered staff card is on the reader (or it was lifted). */
      ...errorsOf(['noStaffCard', 'registerUnavailable']),
      wrongPin: z.object({ attemptsLeft: z.number().int().nonnegative() }),
      /** Locked out: no PIN is tried until the time is up. */
      locked: z.object({ lockedForSeconds: z.number().int().positive() }),
    },
    events: {},
  }),
  'Staff.SignOut': defineCommand({
    role: 'staff',
    description: 'End the staff session.',
    payload: z.object({}).optional(),
    completion: z.object({}),
    errors: {},
    events: {},
  }),
  'Staff.ContinueAsCitizen': defineCommand({
    role: 'none',
    description:
      'The staff member on the reader chooses to use the terminal as a citizen: the agent forgets the staff card (or ends the staff session) and the card then reads as any citizen card.',
    payload: z.object({}).optional(),
    completion: z.object({}),
    errors: errorsOf(['noStaffCard']),
    events: {},
  }),
  'Staff.ResetTerminal': defineCommand({
    role: 'staff',
    description:
      'Ends any citizen session, reopens every device, clears faults that have cleared, reloads the hall configuration and form packages, and reports what it did. An open exchange stays open.',
    payload: z.object({}).optional(),
    completion: z.object({ actions: z.array(ResetActionSchema) }),
    errors: {},
    events: {},
    defaultTimeoutMs: 60_000,
  }),
  'Staff.RestartAgent': defineCommand({
    role: 'staff',
    description:
      'Restart the agent process cleanly: it answers, pushes Common.ShutdownEvent {reason: restart}, and exits with code 75; the start script (scripts/start.mjs) starts it again. Refused when nothing would start it again.',
    payload: z.object({}).optional(),
    completion: z.object({ graceMs: z.number().int().nonnegative() }),
    errors: errorsOf(['notSupervised']),
    events: {},
  }),
  'Staff.Diagnostics': defineCommand({
    role: 'staff',
    description:
      'The readiness report: each device (driver, state, self-test), CUPS queue, OCR pool, store integrity, audit chain, outbox backlog, holiday data, disk, clock, software and form-package versions. `print` prints it on the receipt printer, `save` writes it as JSON into the data folder. The receipt test page runs only for a technician.',
    payload: z.object({ print: z.boolean().optional(), save: z.boolean().optional() }).optional(),
    completion: z.object({
      report: DiagnosticsReportSchema,
      printed: PrintResultSchema,
      /** The JSON file the report was saved to (on the terminal), when `save` was asked. */
      savedTo: z.string().nullable(),
    }),
    errors: {},
    events: {},
    defaultTimeoutMs: 120_000,
  }),
  'Staff.PrintTestPage': defineCommand({
    role: 'technician',
    description: 'Technician: print a test page on the receipt printer or the A4 printer.',
    payload: z.object({ device: z.enum(['receiptPrinter', 'printer']) }),
    completion: z.object({ device: z.enum(['receiptPrinter', 'printer']) }),
    errors: printErrors,
    events: {},
    defaultTimeoutMs: 180_000,
  }),
  'Outbox.DeadLetters': defineCommand({
    role: 'staff',
    description: 'Staff: the submissions the intake refused (dead letters), for Outbox.Retry. References, form ids and codes only.',
    payload: z.object({}).optional(),
    completion: z.object({ deadLetters: z.array(DeadLetterSchema) }),
    errors: errorsOf(['storeError']),
    events: {},
  }),
} as const;

export const staffUnsolicited = {
  /** A registered staff card is on the reader at the attract or home screen: ask for the PIN (or offer to continue as a citizen). */
  'Staff.CardRecognisedEvent': z.object({
    name: StaffNameSchema,
    attemptsLeft: z.number().int().nonnegative(),
    lockedForSeconds: z.number().int().nonnegative(),
  }),
  /** The staff session ended, or the staff card waiting for its PIN went away (lifted, locked out, continued as a citizen). */
  'Staff.SessionEndedEvent': z.object({ reason: StaffSessionEndReasonSchema }),
} as const;
