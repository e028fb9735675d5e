import type { DeclaredErrorCodeOf } from '@onevisit/protocol';
import type { FailureCode } from '../../agent/client.ts';

/** What a staff screen says when a command failed: one closed set, each with a text in staff.*.ts. */
export const STAFF_PROBLEMS = [
  'noStaffCard',
  'registerUnavailable',
  'transactionActive',
  'exchangeActive',
  'noExchange',
  'unknownUnit',
  'invalidCount',
  'storeError',
  'notFound',
  'notDeadLettered',
  'notSignedIn',
  'notSupervised',
  'paperOut',
  'printerNotReady',
  'bookingUnavailable',
  'notUpdated',
  'nothingToRollBackTo',
  'switchFailed',
  'connectionLost',
  'failed',
] as const;
export type StaffProblem = (typeof STAFF_PROBLEMS)[number];

/** Per command: each declared error code → what the screen says (a new code is a type error here). */
export const SIGN_IN_PROBLEMS = {
  noStaffCard: 'noStaffCard',
  registerUnavailable: 'registerUnavailable',
  // wrongPin and locked keep the PIN pad with attempts left or the lockout time.
  wrongPin: 'failed',
  locked: 'failed',
} as const satisfies Record<DeclaredErrorCodeOf<'Staff.SignIn'>, StaffProblem>;

export const START_EXCHANGE_PROBLEMS = {
  transactionActive: 'transactionActive',
  exchangeActive: 'exchangeActive',
  unknownUnit: 'unknownUnit',
} as const satisfies Record<DeclaredErrorCodeOf<'Storage.StartExchange'>, StaffProblem>;

export const END_EXCHANGE_PROBLEMS = {
  noExchange: 'noExchange',
  unknownUnit: 'unknownUnit',
  notInExchange: 'noExchange',
  invalidCount: 'invalidCount',
} as const satisfies Record<DeclaredErrorCodeOf<'Storage.EndExchange'>, StaffProblem>;

export const RETRY_PROBLEMS = {
  storeError: 'storeError',
  notFound: 'notFound',
  notDeadLettered: 'notDeadLettered',
} as const satisfies Record<DeclaredErrorCodeOf<'Outbox.Retry'>, StaffProblem>;

export const DEAD_LETTER_PROBLEMS = {
  storeError: 'storeError',
} as const satisfies Record<DeclaredErrorCodeOf<'Outbox.DeadLetters'>, StaffProblem>;

export const TEST_PAGE_PROBLEMS = {
  paperOut: 'paperOut',
  coverOpen: 'printerNotReady',
  paperJam: 'printerNotReady',
  offline: 'printerNotReady',
  busy: 'printerNotReady',
  cutterError: 'printerNotReady',
  hardwareFault: 'printerNotReady',
  printFailed: 'failed',
  // The agent builds the test page itself: these mean a bug, shown as `failed`.
  unsupportedCharacter: 'failed',
  documentTooLarge: 'failed',
  invalidDocument: 'failed',
  invalidPdf: 'failed',
  documentNotFound: 'failed',
} as const satisfies Record<DeclaredErrorCodeOf<'Staff.PrintTestPage'>, StaffProblem>;

/** Booking.Export declares every booking code, but answers only these two: the rest show as `failed`. */
export const EXPORT_PROBLEMS = {
  bookingUnavailable: 'bookingUnavailable',
  invalidRange: 'failed',
} as const satisfies Partial<Record<DeclaredErrorCodeOf<'Booking.Export'>, StaffProblem>>;

export const FORM_UPDATES_PROBLEMS = {} as const satisfies Record<DeclaredErrorCodeOf<'FormUpdates.Status'>, StaffProblem>;

export const FORM_ROLLBACK_PROBLEMS = {
  notUpdated: 'notUpdated',
  nothingToRollBackTo: 'nothingToRollBackTo',
  switchFailed: 'switchFailed',
} as const satisfies Record<DeclaredErrorCodeOf<'FormUpdates.Rollback'>, StaffProblem>;

export const RESTART_PROBLEMS = {
  notSupervised: 'notSupervised',
} as const satisfies Record<DeclaredErrorCodeOf<'Staff.RestartAgent'>, StaffProblem>;

/** A failed completion → the problem to show: the command's table first, then the role codes every command may answer. */
export function staffProblem(table: Readonly<Record<string, StaffProblem>>, completionCode: FailureCode, errorCode: string | undefined): StaffProblem {
  if (completionCode === 'connectionLost') return 'connectionLost';
  if (errorCode !== undefined && Object.hasOwn(table, errorCode)) return table[errorCode] ?? 'failed';
  if (errorCode === 'staffOnly' || errorCode === 'roleRequired' || completionCode === 'unauthorized') return 'notSignedIn';
  return 'failed';
}
