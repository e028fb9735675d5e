import { READ_IDENTITY_PROBLEMS, type DeclaredErrorCodeIn, type DeviceStatus } from '@onevisit/protocol';
import type { FailureCode } from '../agent/client.ts';

/**
 * The closed sets of the identify-by-scan screens, and the pure mapping from the agent's stable
 * error codes to what the citizen is told. No runes here: unit-testable and shared by the texts.
 */

/** Every errorCode of Scanner.*, Ocr.* and DocumentIdentity.Confirm that the UI explains, plus `failed` for anything else. */
export const SCAN_ERROR_CODES = [
  'noDocument',
  'paperJam',
  'coverOpen',
  'scannerBusy',
  'scannerNotReady',
  'scannerFault',
  'scanTimeout',
  'scanSettingsUnsupported',
  'scanNotFound',
  'ocrUnavailable',
  'ocrTimeout',
  'ocrFailed',
  'badImage',
  'rectOutsideImage',
  'scannerNotConfigured',
  'notSimulated',
  'noTextFound',
  'nameNotFound',
  'idNumberNotFound',
  'idNumberUnreadable',
  'idNumberAmbiguous',
  'idNumberInvalid',
  'documentExpired',
  'documentNotYetValid',
  'failed',
] as const;
export type ScanErrorCode = (typeof SCAN_ERROR_CODES)[number];

/** Why a value on the confirmation screen needs the citizen's attention. */
export const SCAN_FIELD_PROBLEMS = [...READ_IDENTITY_PROBLEMS, 'idNumberInvalid', 'nameNotOnDocument', 'idNumberNotOnDocument'] as const;
export type ScanFieldProblem = (typeof SCAN_FIELD_PROBLEMS)[number];

/** Scanner.PlaceSampleDocument's kinds and sample people (dev dock). */
export const SAMPLE_DOCUMENT_KINDS = ['temporaryIdCertificate', 'expiredTemporaryIdCertificate', 'residenceCertificate', 'prosePage', 'blankPage'] as const;
export type SampleDocumentKind = (typeof SAMPLE_DOCUMENT_KINDS)[number];
export const SAMPLE_PEOPLE_KEYS = ['wangXiaoming', 'liHong', 'zhaoJing'] as const;
export type SamplePerson = (typeof SAMPLE_PEOPLE_KEYS)[number];

/** The commands of the scan screens (identify-by-scan and the document check). */
type ScanCommand = 'Scanner.Scan' | 'Ocr.Recognize' | 'Ocr.ReadIdentity' | 'Ocr.CheckDocument' | 'DocumentIdentity.Confirm';

/** Every code those commands declare → the text shown: a new code does not compile until it is placed here. */
export const SCAN_ERROR_OF = {
  scannerNotConfigured: 'scannerNotConfigured',
  scannerNotReady: 'scannerNotReady',
  scannerBusy: 'scannerBusy',
  scannerFault: 'scannerFault',
  scanTimeout: 'scanTimeout',
  noDocument: 'noDocument',
  paperJam: 'paperJam',
  coverOpen: 'coverOpen',
  scanSettingsUnsupported: 'scanSettingsUnsupported',
  ocrUnavailable: 'ocrUnavailable',
  ocrTimeout: 'ocrTimeout',
  ocrFailed: 'ocrFailed',
  badImage: 'badImage',
  scanNotFound: 'scanNotFound',
  rectOutsideImage: 'rectOutsideImage',
  idNumberInvalid: 'idNumberInvalid',
  nameNotFound: 'nameNotFound',
  idNumberNotFound: 'idNumberNotFound',
  noTextFound: 'noTextFound',
  documentExpired: 'documentExpired',
  documentNotYetValid: 'documentNotYetValid',
} as const satisfies Record<DeclaredErrorCodeIn<ScanCommand>, ScanErrorCode>;

function isScanErrorCode(code: string): code is ScanErrorCode {
  return (SCAN_ERROR_CODES as readonly string[]).includes(code);
}

/** A failed command → the text to show. Unknown codes fall back by completion code. */
export function scanErrorCode(completionCode: FailureCode, errorCode: string | undefined): ScanErrorCode {
  if (errorCode !== undefined && Object.hasOwn(SCAN_ERROR_OF, errorCode)) return SCAN_ERROR_OF[errorCode as keyof typeof SCAN_ERROR_OF];
  if (errorCode !== undefined && isScanErrorCode(errorCode)) return errorCode;
  if (completionCode === 'deviceNotReady') return 'scannerNotReady';
  if (completionCode === 'hardwareError') return 'scannerFault';
  if (completionCode === 'timeOut') return 'scanTimeout';
  if (completionCode === 'busy') return 'scannerBusy';
  // Anything else (a lost connection, an internal error): try again.
  return 'failed';
}

/** What the scanner's pushed status means for the citizen; undefined when it can scan (or nothing is known yet). */
export function scannerProblem(status: DeviceStatus | undefined): ScanErrorCode | undefined {
  if (status === undefined || status.state === 'online' || status.state === 'busy') return undefined;
  if (status.reason === 'coverOpen') return 'coverOpen';
  if (status.reason === 'paperJam') return 'paperJam';
  if (status.reason === 'notConfigured') return 'scannerNotConfigured';
  return status.state === 'fault' ? 'scannerFault' : 'scannerNotReady';
}

/** Errors that mean the scanner itself cannot be used now: the screen offers the card instead of a retry loop. */
export function isScannerUnavailable(code: ScanErrorCode): boolean {
  return code === 'scannerNotReady' || code === 'scannerFault' || code === 'paperJam' || code === 'scannerNotConfigured' || code === 'ocrUnavailable';
}

/** `110101 19900307 061X`: area, birth date, sequence + check, as printed on the card. */
export function groupIdNumber(value: string): string[] {
  const groups = [value.slice(0, 6), value.slice(6, 14), value.slice(14)];
  return groups.filter((group) => group !== '');
}

/** What the ID-number keypad accepts: digits anywhere, X only as the 18th character. */
export function appendIdChar(current: string, key: string): string {
  if (current.length >= 18) return current;
  if (/^\d$/.test(key)) return current + key;
  if ((key === 'X' || key === 'x') && current.length === 17) return `${current}X`;
  return current;
}
