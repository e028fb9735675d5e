import type { DeclaredErrorCodeOf } from '@onevisit/protocol';
import type { FailureCode } from '../../agent/client.ts';

/**
 * What the pickup screens say when a command fails (issue 13): one closed set per side, each with
 * a text in pickup.*.ts; per command a table from every declared error code (a new code is a type
 * error here until it has a problem, and so a text).
 */
export const PICKUP_PROBLEMS = ['noCard', 'wrongCode', 'codeEntryLocked', 'deviceNotReady', 'busy', 'lockFailed', 'notFound', 'unavailable'] as const;
export type PickupProblem = (typeof PICKUP_PROBLEMS)[number];

export const FIND_PROBLEMS = {
  noCard: 'noCard',
  wrongCode: 'wrongCode',
  codeEntryLocked: 'codeEntryLocked',
} as const satisfies Record<DeclaredErrorCodeOf<'Pickup.Find'>, PickupProblem>;

export const COLLECT_PROBLEMS = {
  deviceNotReady: 'deviceNotReady',
  busy: 'busy',
  lockFailed: 'lockFailed',
  notFound: 'notFound',
} as const satisfies Record<DeclaredErrorCodeOf<'Pickup.Collect'>, PickupProblem>;

export const CABINET_PROBLEMS = [
  'noFreeCompartment',
  'doorClosedEmpty',
  'lockFailed',
  'deviceNotReady',
  'busy',
  'notFound',
  'notRemoved',
  'unknownSlot',
  'exchangeActive',
  'staffCard',
  'cardNotPlaced',
  'cardUnreadable',
  'readerNotReady',
  'invalid',
  'notSignedIn',
  'failed',
] as const;
export type CabinetProblem = (typeof CABINET_PROBLEMS)[number];

export const DEPOSIT_PROBLEMS = {
  noFreeCompartment: 'noFreeCompartment',
  doorClosedEmpty: 'doorClosedEmpty',
  lockFailed: 'lockFailed',
  deviceNotReady: 'deviceNotReady',
  busy: 'busy',
  exchangeActive: 'exchangeActive',
  noIdNumber: 'invalid',
  staffCard: 'staffCard',
  cardNotPlaced: 'cardNotPlaced',
  readerNotReady: 'readerNotReady',
  cardUnreadable: 'cardUnreadable',
  unsupportedCard: 'cardUnreadable',
  readerCommunication: 'cardUnreadable',
} as const satisfies Record<DeclaredErrorCodeOf<'Pickup.Deposit'>, CabinetProblem>;

export const RECOVER_PROBLEMS = {
  lockFailed: 'lockFailed',
  deviceNotReady: 'deviceNotReady',
  busy: 'busy',
  notFound: 'notFound',
  notRemoved: 'notRemoved',
  exchangeActive: 'exchangeActive',
} as const satisfies Record<DeclaredErrorCodeOf<'Pickup.Recover'>, CabinetProblem>;

/** The cabinet screen opens a storage exchange on every compartment (issue 13 on issue 12's model). */
export const EXCHANGE_PROBLEMS = {
  exchangeActive: 'exchangeActive',
  transactionActive: 'failed',
  unknownUnit: 'failed',
} as const satisfies Record<DeclaredErrorCodeOf<'Storage.StartExchange'>, CabinetProblem>;

export const OPEN_PROBLEMS = {
  lockFailed: 'lockFailed',
  deviceNotReady: 'deviceNotReady',
  busy: 'busy',
  unknownSlot: 'unknownSlot',
} as const satisfies Record<DeclaredErrorCodeOf<'Pickup.Open'>, CabinetProblem>;

/** A failed completion → the problem: the command's table, the role codes, else the fallback. */
export function problemOf<P extends string>(table: Readonly<Record<string, P>>, fallback: P, completionCode: FailureCode, errorCode: string | undefined): P {
  if (completionCode !== 'connectionLost' && errorCode !== undefined && Object.hasOwn(table, errorCode)) return table[errorCode] ?? fallback;
  return fallback;
}

/** Common certificates staff load (a choice, not typing); the title sent is the zh-CN text (the official name). */
export const CERTIFICATE_TITLE_IDS = ['idCard', 'businessLicence', 'propertyCertificate', 'drivingLicence', 'socialSecurityCard', 'birthCertificate'] as const;
export type CertificateTitleId = (typeof CERTIFICATE_TITLE_IDS)[number];
